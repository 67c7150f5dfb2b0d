import { ValueError } from '../core/errors.js';
import type { Layer } from '../layers/layer.js';
import type { CategoryOutputMode } from '../layers/preprocessing_encoding.js';
import { IntegerLookup } from '../layers/preprocessing_lookup.js';
import { CategoryEncoding, Discretization } from '../layers/preprocessing_numeric.js';
import type { Shape } from '../layers/symbolic.js';
import type { OnnxGraphBuilder } from './onnx_builder.js';
import type { Emitter } from './onnx_layers.js';

/** Integers a float32 input holds exactly: values past it cannot be told apart. */
const EXACT_INTEGERS = 2 ** 24;

const lastAxis = (b: OnnxGraphBuilder, s: string, x: string) => b.op('Unsqueeze', [x, b.int64(`${s}/last`, [-1])], s);

/**
 * Keras' encode_categorical_inputs on float ids: one-hot rows by comparing each id with 0 …
 * depth − 1 (a trailing axis of size 1 replaced), multi-hot and count as the maximum and sum of
 * the one-hot rows over the input's last axis. Ids outside [0, depth), which `predict` rejects,
 * give rows of zeros.
 */
function encode(
  b: OnnxGraphBuilder,
  s: string,
  ids: string,
  shape: Shape,
  mode: CategoryOutputMode,
  depth: number,
): string {
  if (mode === 'int') return ids;
  const rank = shape.length;
  const squeezed =
    mode === 'one_hot' && rank > 1 && shape[rank - 1] === 1
      ? b.op('Squeeze', [ids, b.int64(`${s}/trailing`, [-1])], s)
      : ids;
  const range = b.constant(
    `${s}/range`,
    Array.from({ length: depth }, (_, i) => i),
    [depth],
  );
  const oneHot = b.op('Cast', [b.op('Equal', [lastAxis(b, s, squeezed), range], s)], s, { to: { int: 1 } });
  if (mode === 'one_hot') return oneHot;
  const axis = Math.max(rank - 1, 0);
  // Opset 17's ReduceSum takes its axes as an input, ReduceMax as an attribute.
  return mode === 'multi_hot'
    ? b.op('ReduceMax', [oneHot], s, { axes: { ints: [axis] }, keepdims: { int: 0 } })
    : b.op('ReduceSum', [oneHot, b.int64(`${s}/axes`, [axis])], s, { keepdims: { int: 0 } });
}

/** The bin of each value: how many boundaries are at or below it. */
const discretization: Emitter = (b, layer, x, shape) => {
  const d = layer as Discretization;
  const bounds = d.binBoundaries;
  if (bounds === null)
    throw new ValueError(`exportOnnx: Discretization '${d.name}' has no bin boundaries yet; call adapt(data) first`);
  const s = d.name;
  const above = b.op('GreaterOrEqual', [lastAxis(b, s, x), b.constant(`${s}/boundaries`, bounds, [bounds.length])], s);
  const ids = b.op(
    'ReduceSum',
    [b.op('Cast', [above], s, { to: { int: 1 } }), b.int64(`${s}/axes`, [shape.length])],
    s,
    {
      keepdims: { int: 0 },
    },
  );
  return encode(b, s, ids, shape, d.outputMode, bounds.length + 1);
};

const categoryEncoding: Emitter = (b, layer, x, shape) => {
  const c = layer as CategoryEncoding;
  return encode(b, c.name, x, shape, c.outputMode, c.numTokens);
};

/**
 * The index of each value: a comparison with the whole vocabulary gives the matching index
 * (a one-hot row times the indices), else the OOV index (Keras' floormod among several), and
 * the mask token 0.
 */
const integerLookup: Emitter = (b, layer, x, shape) => {
  const l = layer as IntegerLookup;
  const s = l.name;
  const who = `exportOnnx: IntegerLookup '${s}'`;
  if (l.invert) throw new ValueError(`${who}: 'invert' (indices back to values) is not exported`);
  if (l.oovMethod === 'farmhash' && l.numOovIndices > 1)
    throw new ValueError(`${who}: oovMethod 'farmhash' (hashed OOV indices) has no ONNX translation; use 'floormod'`);
  const tokenStart = l.tokenStart;
  const known = l.getVocabulary().slice(tokenStart);
  const extreme = [...known, ...(l.maskToken === null ? [] : [l.maskToken])].find((v) => Math.abs(v) > EXACT_INTEGERS);
  if (extreme !== undefined)
    throw new ValueError(
      `${who}: the value ${extreme} is beyond ±2^24, which float32 inputs cannot hold exactly; only smaller vocabularies are exported`,
    );
  const matches = b.op(
    'Cast',
    [b.op('Equal', [lastAxis(b, s, x), b.constant(`${s}/vocabulary`, known, [known.length])], s)],
    s,
    { to: { int: 1 } },
  );
  const indices = Array.from({ length: known.length }, (_, i) => tokenStart + i);
  const index = b.op('MatMul', [matches, b.constant(`${s}/indices`, indices, [known.length])], s);
  const found = b.op('Cast', [b.op('ReduceMax', [matches], s, { axes: { ints: [-1] }, keepdims: { int: 0 } })], s, {
    to: { int: 9 },
  });
  const oovStart = tokenStart - l.numOovIndices;
  const n = Math.max(l.numOovIndices, 1);
  // floormod(x, n) = x − n·floor(x / n), exact for integers in float32.
  const floorMod = b.op(
    'Sub',
    [x, b.op('Mul', [b.op('Floor', [b.op('Div', [x, scalar(b, s, 'n', n)], s)], s), scalar(b, s, 'n_times', n)], s)],
    s,
  );
  const oov = b.op('Add', [floorMod, scalar(b, s, 'oov_start', oovStart)], s);
  let ids = b.op('Where', [found, index, oov], s);
  if (l.maskToken !== null)
    ids = b.op('Where', [b.op('Equal', [x, scalar(b, s, 'mask', l.maskToken)], s), scalar(b, s, 'zero', 0), ids], s);
  return encode(b, s, ids, shape, l.outputMode, l.vocabularySize());
};

const scalar = (b: OnnxGraphBuilder, s: string, what: string, v: number) => b.constant(`${s}/${what}`, [v], []);

/** Categorical preprocessing layers `exportOnnx` translates; their outputs are float32. */
export const ONNX_CATEGORY_EMITTERS: [abstract new (...args: never[]) => Layer, Emitter][] = [
  [Discretization, discretization],
  [CategoryEncoding, categoryEncoding],
  [IntegerLookup, integerLookup],
];
