import { fmtShape } from '../core/errors.js';
import type { Variable } from '../core/variable.js';
import type { Layer } from '../layers/layer.js';
import { StackedRNNCells } from '../layers/recurrent_cells.js';
import { Bidirectional, TimeDistributed } from '../layers/recurrent_wrappers.js';
import { RNN } from '../layers/rnn.js';
import type { LayersModel } from '../models/layers_model.js';
import { isModel } from './model_weights.js';
import { checkFormat } from './format_error.js';
import type { NamedTensor } from './safetensors.js';

/** How the TF.js converter stored a weight in fewer bytes (`tensorflowjs_converter --quantize_*`). */
export interface TfjsQuantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale?: number;
  min?: number;
}

/** Bytes per stored value of each quantized dtype. */
export const QUANTIZED_BYTES: Record<TfjsQuantization['dtype'], number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * The values of a weight stored quantized, as TF.js decodes them: uint8/uint16 codes become
 * `code · scale + min` (rounded for int32 weights), float16 becomes float32. An int32 weight
 * whose decoded values leave the int32 range is refused (naming `what`) rather than wrapped.
 * @example dequantize(bytes, { dtype: 'uint8', scale: 0.01, min: -1 }, 'float32', 'weight dense/kernel')
 */
export function dequantize(
  bytes: Uint8Array,
  q: TfjsQuantization,
  dtype: 'float32' | 'int32',
  what = 'a quantized weight',
): Float32Array | Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / QUANTIZED_BYTES[q.dtype];
  const out = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  const scale = q.scale as number,
    min = q.min as number;
  for (let i = 0; i < n; i++) {
    let v: number;
    if (q.dtype === 'float16') v = float16(view.getUint16(2 * i, true));
    else v = (q.dtype === 'uint8' ? bytes[i] : view.getUint16(2 * i, true)) * scale + min;
    if (dtype === 'int32') {
      v = Math.round(v);
      // An Int32Array would wrap 3e9 to -1294967296 and store NaN as 0 without a word.
      checkFormat(
        v >= -2147483648 && v <= 2147483647,
        () => `${what}: the ${q.dtype}-quantized int32 value at ${i} decodes to ${v}, outside the int32 range`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** An IEEE 754 half-precision number from its 16 bits (subnormals, infinities and NaN included). */
function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Layers that own weights, looking inside nested models. */
function weightedLayers(model: LayersModel): Layer[] {
  return model.layers.flatMap((l) => (isModel(l) ? weightedLayers(l) : l.weights.length ? [l] : []));
}

/**
 * The names TF.js gives `model.weights` (what its `loadLayersModel` matches by): the layer's
 * name, then for a Bidirectional the direction's layer (`bidirectional/forward_lstm/kernel`),
 * for a TimeDistributed nothing more (`time_distributed/kernel`), for an RNN its stacked cell's
 * position (`rnn/RNNCell_0/kernel`).
 * @example tfjsWeightNames(model) // ['dense/kernel', 'dense/bias', ...]
 */
export function tfjsWeightNames(model: LayersModel): string[] {
  const byVariable = new Map<Variable, string>();
  for (const layer of weightedLayers(model)) {
    for (const v of layer.weights) {
      const leaf = v.name.slice(v.name.lastIndexOf('/') + 1);
      const name =
        layer instanceof Bidirectional
          ? `${layer.name}/${v.name}`
          : layer instanceof TimeDistributed
            ? `${layer.name}/${leaf}`
            : layer instanceof RNN
              ? `${layer.name}/${stackedCellScope(layer, v)}${leaf}`
              : v.name;
      byVariable.set(v, name);
    }
  }
  return model.weights.map((v) => byVariable.get(v) ?? v.name);
}

/** TF.js scopes the weights of an RNN's stacked cells as `RNNCell_<i>/`; a single cell's need nothing. */
function stackedCellScope(layer: RNN, v: Variable): string {
  const cell = layer.cell;
  if (!(cell instanceof StackedRNNCells)) return '';
  return `RNNCell_${cell.cells.findIndex((c) => c.weights.includes(v))}/`;
}

/** A weight's role inside its layer: its direction (Bidirectional) and its last name part. */
function roleOf(name: string): { direction: string; leaf: string } {
  const parts = name.replace(/:\d+$/, '').split('/');
  const inner = parts.slice(0, -1);
  const direction = inner.some((p) => p.startsWith('forward_'))
    ? 'forward'
    : inner.some((p) => p.startsWith('backward_'))
      ? 'backward'
      : '';
  return { direction, leaf: parts[parts.length - 1] };
}

/**
 * Puts the weights of a TF.js manifest in `model.weights` order by name, never by position
 * (the converter lists them alphabetically): each weight goes to the layer its name starts
 * with, and within the layer to the variable of the same direction and last name part
 * (`kernel`, `recurrent_kernel`, ...; TF.js' uniquifying `_1` suffixes are ignored).
 * Missing, ambiguous and unexpected weights are all reported at once.
 *
 * @example assignInOrder(matchTfjsWeights(model, weights, 'weights.bin'), model, 'weights.bin');
 */
export function matchTfjsWeights(model: LayersModel, weights: readonly NamedTensor[], what: string): NamedTensor[] {
  const variables = model.weights;
  const byName = new Map(weights.map((w) => [w.name, w]));
  // Files whose names are Myelin's own variable names (or TF.js' exactly) need no search.
  for (const names of [variables.map((v) => v.name), tfjsWeightNames(model)]) {
    if (names.every((n) => byName.has(n)) && weights.length === names.length)
      return names.map((n) => byName.get(n) as NamedTensor);
  }
  const used = new Set<NamedTensor>();
  const found = new Map<Variable, NamedTensor>();
  const problems: string[] = [];
  for (const layer of weightedLayers(model)) {
    const first = weights.filter((w) => w.name.split('/')[0] === layer.name);
    const candidates = first.length
      ? first
      : weights.filter((w) => w.name.split('/').slice(0, -1).includes(layer.name));
    const leaves = new Set(layer.weights.map((v) => roleOf(v.name).leaf));
    const keyOf = (name: string) => {
      const { direction, leaf } = roleOf(name);
      const base = leaves.has(leaf) ? leaf : leaf.replace(/_\d+$/, '');
      return `${direction}/${base}`;
    };
    for (const v of layer.weights) {
      const key = keyOf(v.name);
      const matches = candidates.filter((w) => keyOf(w.name) === key && !used.has(w));
      if (matches.length !== 1) {
        problems.push(
          matches.length === 0
            ? `no weight for '${v.name}' ${fmtShape(v.shape)} of layer '${layer.name}' (${layer.getClassName()})`
            : `${matches.length} weights could be '${v.name}' of layer '${layer.name}': ${matches.map((m) => m.name).join(', ')}`,
        );
        continue;
      }
      used.add(matches[0]);
      found.set(v, matches[0]);
    }
  }
  const extra = weights.filter((w) => !used.has(w)).map((w) => w.name);
  if (extra.length) problems.push(`unexpected weights ${extra.join(', ')}`);
  checkFormat(
    problems.length === 0,
    () => `${what}: the weights do not match model '${model.name}' by name: ${problems.join('; ')}`,
  );
  return variables.map((v) => found.get(v) as NamedTensor);
}
