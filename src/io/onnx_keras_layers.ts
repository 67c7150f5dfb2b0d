import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU } from '../layers/activation_layers.js';
import type { Layer } from '../layers/layer.js';
import { AlphaDropout, GaussianDropout, SpatialDropout1D, SpatialDropout3D } from '../layers/noise_dropouts.js';
import { GroupNormalization, UnitNormalization } from '../layers/normalization_groups.js';
import { Permute } from '../layers/reshaping.js';
import { Cropping1D, UpSampling1D, ZeroPadding1D } from '../layers/reshaping_1d.js';
import { RandomFlip } from '../layers/augmentation.js';
import { RandomContrast, RandomRotation, RandomTranslation, RandomZoom } from '../layers/augmentation_affine.js';
import { AveragePooling3D, Conv3D, MaxPooling3D } from '../layers/convolutional_3d.js';
import { Rescaling } from '../layers/preprocessing_image.js';
import { KERAS_EPSILON, Normalization } from '../layers/preprocessing_numeric.js';
import type { OnnxGraphBuilder } from './onnx_builder.js';
import { activation, autoPad, convPadding, transposed, type Emitter } from './onnx_layers.js';

const identity: Emitter = (_b, _layer, x) => x;
const scalar = (b: OnnxGraphBuilder, layer: Layer, what: string, v: number) =>
  b.constant(`${layer.name}/${what}`, [v], []);

/** Keras' ReLU: where(x > t, x, 0), clipped at maxValue, minus slope·relu(t − x). */
const relu: Emitter = (b, layer, x) => {
  const r = layer as ReLU;
  const s = r.name;
  let y =
    r.threshold !== 0
      ? b.op('Where', [b.op('Greater', [x, scalar(b, r, 'threshold', r.threshold)], s), x, scalar(b, r, 'zero', 0)], s)
      : b.op('Relu', [x], s);
  if (r.maxValue !== null) y = b.op('Clip', [y, scalar(b, r, 'min', 0), scalar(b, r, 'max', r.maxValue)], s);
  if (r.negativeSlope === 0) return y;
  const below = b.op('Relu', [b.op('Sub', [scalar(b, r, 'threshold_below', r.threshold), x], s)], s);
  return b.op('Sub', [y, b.op('Mul', [below, scalar(b, r, 'slope', r.negativeSlope)], s)], s);
};

/** Over several axes, exp(x − logsumexp(x)) as Keras computes it. */
const softmax: Emitter = (b, layer, x, shape) => {
  const l = layer as Softmax;
  if (!Array.isArray(l.axis)) return b.op('Softmax', [x], l.name, { axis: { int: l.axis } });
  const axes = l.axis.map((a) => (a < 0 ? a + shape.length : a));
  const lse = b.op('ReduceLogSumExp', [x], l.name, { axes: { ints: axes }, keepdims: { int: 1 } });
  return b.op('Exp', [b.op('Sub', [x, lse], l.name)], l.name);
};

/** PReLU's slopes have the input's shape without the batch, which ONNX broadcasts from the right. */
const prelu: Emitter = (b, layer, x) => {
  const p = layer as PReLU;
  return b.op('PRelu', [x, b.constant(`${p.name}/alpha`, p.alpha as Tensor)], p.name);
};

/** Every step repeated: a new axis after the steps, broadcast, then folded back. */
const upSampling1d: Emitter = (b, layer, x, shape) => {
  const u = layer as UpSampling1D;
  const steps = shape[1];
  if (steps === null)
    throw new ValueError(
      `exportOnnx: UpSampling1D '${u.name}' needs a known number of steps, got an input of unknown length`,
    );
  const expanded = b.op(
    'Expand',
    [b.op('Unsqueeze', [x, b.int64(`${u.name}/axis`, [2])], u.name), b.int64(`${u.name}/tile`, [1, 1, u.size, 1])],
    u.name,
  );
  return b.op('Reshape', [expanded, b.int64(`${u.name}/shape`, [0, steps * u.size, -1])], u.name);
};

const zeroPadding1d: Emitter = (b, layer, x) => {
  const z = layer as ZeroPadding1D;
  const axis = z.dataFormat === 'channels_first' ? 2 : 1;
  const begin = [0, 0, 0],
    end = [0, 0, 0];
  begin[axis] = z.padding[0];
  end[axis] = z.padding[1];
  return b.op('Pad', [x, b.int64(`${z.name}/pads`, [...begin, ...end])], z.name, { mode: 'constant' });
};

const cropping1d: Emitter = (b, layer, x, shape) => {
  const c = layer as Cropping1D;
  const steps = shape[1];
  if (steps === null)
    throw new ValueError(
      `exportOnnx: Cropping1D '${c.name}' needs a known number of steps, got an input of unknown length`,
    );
  const n = c.name;
  return b.op(
    'Slice',
    [
      x,
      b.int64(`${n}/starts`, [c.cropping[0]]),
      b.int64(`${n}/ends`, [steps - c.cropping[1]]),
      b.int64(`${n}/axes`, [1]),
    ],
    n,
  );
};

const permute: Emitter = (b, layer, x) =>
  b.op('Transpose', [x], layer.name, { perm: { ints: [0, ...(layer as Permute).dims] } });

/** x · rsqrt(max(Σx², 1e-24)) over the layer's axes. */
const unitNormalization: Emitter = (b, layer, x, shape) => {
  const u = layer as UnitNormalization;
  const axes = (Array.isArray(u.axis) ? u.axis : [u.axis]).map((a) => (a < 0 ? a + shape.length : a));
  const squares = b.op('ReduceSumSquare', [x], u.name, { axes: { ints: axes }, keepdims: { int: 1 } });
  const norm = b.op('Sqrt', [b.op('Max', [squares, scalar(b, u, 'eps', 1e-24)], u.name)], u.name);
  return b.op('Div', [x, norm], u.name);
};

/** Channels grouped on a new axis, normalized over all but batch and group, then scaled per channel. */
const groupNormalization: Emitter = (b, layer, x, shape) => {
  const g = layer as GroupNormalization;
  const s = g.name;
  const axis = g.axis < 0 ? g.axis + shape.length : g.axis;
  const channels = shape[axis] as number;
  const groups = g.groups === -1 ? channels : g.groups;
  if (shape.slice(1).some((d) => d === null))
    throw new ValueError(`exportOnnx: GroupNormalization '${s}' needs an input shape known past the batch`);
  const grouped = [0, ...shape.slice(1, axis), groups, channels / groups, ...shape.slice(axis + 1)] as number[];
  const t = b.op('Reshape', [x, b.int64(`${s}/grouped`, grouped)], s);
  const axes = grouped.map((_, i) => i).filter((i) => i !== 0 && i !== axis);
  const mean = b.op('ReduceMean', [t], s, { axes: { ints: axes }, keepdims: { int: 1 } });
  const centered = b.op('Sub', [t, mean], s);
  const variance = b.op('ReduceMean', [b.op('Mul', [centered, centered], s)], s, {
    axes: { ints: axes },
    keepdims: { int: 1 },
  });
  const normed = b.op(
    'Div',
    [centered, b.op('Sqrt', [b.op('Add', [variance, scalar(b, g, 'eps', g.epsilon)], s)], s)],
    s,
  );
  const view = grouped.map((d, i) => (i === axis || i === axis + 1 ? d : 1));
  let y = normed;
  if (g.gamma) y = b.op('Mul', [y, b.constant(`${s}/gamma`, Float32Array.from(g.gamma.dataSync()), view)], s);
  if (g.beta) y = b.op('Add', [y, b.constant(`${s}/beta`, Float32Array.from(g.beta.dataSync()), view)], s);
  return b.op('Reshape', [y, b.int64(`${s}/shape`, [0, ...(shape.slice(1) as number[])])], s);
};

/** Channels-last volumes to ONNX's NCDHW and back, around a 3-D op. */
const toNcdhw = (b: OnnxGraphBuilder, x: string, s: string) =>
  b.op('Transpose', [x], s, { perm: { ints: [0, 4, 1, 2, 3] } });
const toNdhwc = (b: OnnxGraphBuilder, x: string, s: string) =>
  b.op('Transpose', [x], s, { perm: { ints: [0, 2, 3, 4, 1] } });

const conv3d: Emitter = (b, layer, x, shape) => {
  const c = layer as Conv3D;
  const k = c.kernel as Tensor; // [kD, kH, kW, in, out] → ONNX [out, in, kD, kH, kW]
  const w = b.constant(`${c.name}/kernel`, transposed(k, [4, 3, 0, 1, 2]), [
    k.shape[4],
    k.shape[3],
    k.shape[0],
    k.shape[1],
    k.shape[2],
  ]);
  const inputs = [toNcdhw(b, x, c.name), w, ...(c.bias ? [b.constant(`${c.name}/bias`, c.bias)] : [])];
  const y = b.op('Conv', inputs, c.name, {
    kernel_shape: { ints: [...c.kernelSize] },
    strides: { ints: [...c.strides] },
    dilations: { ints: [...c.dilationRate] },
    group: { int: c.groups },
    ...convPadding(c, shape.slice(1, 4), c.kernelSize, c.strides, c.dilationRate, c.padding),
  });
  return activation(b, c.activation.name, toNdhwc(b, y, c.name), c);
};

function pool3d(opType: 'MaxPool' | 'AveragePool'): Emitter {
  return (b, layer, x) => {
    const p = layer as MaxPooling3D;
    const y = b.op(opType, [toNcdhw(b, x, p.name)], p.name, {
      kernel_shape: { ints: [...p.poolSize] },
      strides: { ints: [...p.strides] },
      auto_pad: autoPad(p.padding),
      ...(opType === 'AveragePool' ? { count_include_pad: { int: 0 } } : {}),
    });
    return toNdhwc(b, y, p.name);
  };
}

/** x · scale + offset, each a number or one per channel. */
const rescaling: Emitter = (b, layer, x) => {
  const r = layer as Rescaling;
  const constant = (what: string, v: number | number[]) =>
    b.constant(`${r.name}/${what}`, Array.isArray(v) ? v : [v], Array.isArray(v) ? [v.length] : []);
  return b.op('Add', [b.op('Mul', [x, constant('scale', r.scale)], r.name), constant('offset', r.offset)], r.name);
};

/** (x − mean) / max(sqrt(variance), epsilon), or its inverse, with the statistics as constants. */
const normalization: Emitter = (b, layer, x) => {
  const n = layer as Normalization;
  const [mean, variance] = n.statistics();
  const std = Float32Array.from(variance.dataSync(), (v) => Math.max(Math.sqrt(v), KERAS_EPSILON));
  const m = b.constant(`${n.name}/mean`, Float32Array.from(mean.dataSync()), [...mean.shape]);
  const s = b.constant(`${n.name}/std`, std, [...variance.shape]);
  return n.invert
    ? b.op('Add', [m, b.op('Mul', [x, s], n.name)], n.name)
    : b.op('Div', [b.op('Sub', [x, m], n.name), s], n.name);
};

/** Keras 3 layers added beside the original set, as `exportOnnx` translates them. */
export const ONNX_KERAS_EMITTERS: [abstract new (...args: never[]) => Layer, Emitter][] = [
  [ReLU, relu],
  [LeakyReLU, (b, l, x) => b.op('LeakyRelu', [x], l.name, { alpha: (l as LeakyReLU).negativeSlope })],
  [PReLU, prelu],
  [ELU, (b, l, x) => b.op('Elu', [x], l.name, { alpha: (l as ELU).alpha })],
  [ThresholdedReLU, (b, l, x) => b.op('ThresholdedRelu', [x], l.name, { alpha: (l as ThresholdedReLU).theta })],
  [Softmax, softmax],
  [Permute, permute],
  [UpSampling1D, upSampling1d],
  [ZeroPadding1D, zeroPadding1d],
  [Cropping1D, cropping1d],
  [GaussianDropout, identity],
  [AlphaDropout, identity],
  [SpatialDropout1D, identity],
  [SpatialDropout3D, identity],
  [GroupNormalization, groupNormalization],
  [UnitNormalization, unitNormalization],
  [Conv3D, conv3d],
  [MaxPooling3D, pool3d('MaxPool')],
  [AveragePooling3D, pool3d('AveragePool')],
  [Rescaling, rescaling],
  [Normalization, normalization],
  // Augmentation changes images only while training: identities at inference.
  [RandomFlip, identity],
  [RandomTranslation, identity],
  [RandomRotation, identity],
  [RandomZoom, identity],
  [RandomContrast, identity],
];
