import { ValueError } from '../core/errors.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import { AveragePooling1D, MaxPooling1D } from '../layers/pooling_1d_windows.js';
import type { TimeDistributed } from '../layers/recurrent_wrappers.js';
import { RepeatVector } from '../layers/repeat_vector.js';
import type { Shape } from '../layers/symbolic.js';
import { maskedMean } from './onnx_masks.js';
import type { Emitter } from './onnx_layers.js';

/** [batch, steps, channels] → [batch, n, channels]: a new axis, then Expand broadcasts it. */
const repeatVector: Emitter = (b, layer, x) => {
  const r = layer as RepeatVector;
  const unsqueezed = b.op('Unsqueeze', [x, b.int64(`${r.name}/axis`, [1])], r.name);
  return b.op('Expand', [unsqueezed, b.int64(`${r.name}/shape`, [1, r.n, 1])], r.name);
};

/** ONNX pools [batch, channels, steps]; channels-last sequences are transposed around it. */
function pool1d(opType: 'MaxPool' | 'AveragePool'): Emitter {
  return (b, layer, x) => {
    const p = layer as MaxPooling1D;
    const last = p.dataFormat === 'channels_last';
    const input = last ? b.op('Transpose', [x], p.name, { perm: { ints: [0, 2, 1] } }) : x;
    const y = b.op(opType, [input], p.name, {
      kernel_shape: { ints: [p.poolSize] },
      strides: { ints: [p.strides] },
      // Keras' 'same' pads the extra step at the end, ONNX's SAME_UPPER.
      auto_pad: p.padding === 'same' ? 'SAME_UPPER' : 'VALID',
      ...(opType === 'AveragePool' ? { count_include_pad: { int: 0 } } : {}),
    });
    return last ? b.op('Transpose', [y], p.name, { perm: { ints: [0, 2, 1] } }) : y;
  };
}

function globalPool1d(opType: 'ReduceMean' | 'ReduceMax'): Emitter {
  return (b, layer, x, _shape, _callArgs, mask) => {
    const g = layer as GlobalAveragePooling1D;
    // Only the average reads a mask (see onnx_masks.ts): the mean over the unmasked steps.
    if (mask) return maskedMean(b, g.name, x, mask, g.dataFormat === 'channels_first' ? 2 : 1, g.keepdims);
    return b.op(opType, [x], g.name, {
      axes: { ints: [g.dataFormat === 'channels_first' ? 2 : 1] },
      keepdims: { int: g.keepdims ? 1 : 0 },
    });
  };
}

/**
 * TimeDistributed's translation, given how to translate the wrapped layer: the steps folded
 * into the batch, the layer's translation, and the steps taken back out of the batch (both
 * read from the input's shape, so they stay dynamic).
 * @example [TimeDistributed, timeDistributed((layer) => emitterFor(layer))]
 */
export function timeDistributed(emitterOf: (layer: Layer) => Emitter): Emitter {
  return (b, layer, x, shape) => {
    const t = layer as TimeDistributed;
    const s = t.name;
    const inner: Shape = [null, ...shape.slice(2)];
    const outer = (t.layer.computeOutputShape(inner) as Shape).slice(1);
    if ([...inner.slice(1), ...outer].some((d) => d === null))
      throw new ValueError(
        `exportOnnx: TimeDistributed '${s}' needs known sizes past the batch and steps, got input shape [${shape.join(', ')}]`,
      );
    const folded = b.op('Reshape', [x, b.int64(`${s}/folded`, [-1, ...(inner.slice(1) as number[])])], s);
    const y = emitterOf(t.layer)(b, t.layer, folded, inner, {}, null);
    const batchAndSteps = b.op(
      'Slice',
      [b.op('Shape', [x], s), b.int64(`${s}/zero`, [0]), b.int64(`${s}/two`, [2])],
      s,
    );
    const unfolded = b.op('Concat', [batchAndSteps, b.int64(`${s}/rest`, outer as number[])], s, { axis: { int: 0 } });
    return b.op('Reshape', [y, unfolded], s);
  };
}

/** Sequence layers `exportOnnx` translates. */
export const ONNX_SEQUENCE_EMITTERS: [abstract new (...args: never[]) => Layer, Emitter][] = [
  [RepeatVector, repeatVector],
  [MaxPooling1D, pool1d('MaxPool')],
  [AveragePooling1D, pool1d('AveragePool')],
  [GlobalAveragePooling1D, globalPool1d('ReduceMean')],
  [GlobalMaxPooling1D, globalPool1d('ReduceMax')],
];
