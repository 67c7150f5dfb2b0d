import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { Activation } from '../layers/activation.js';
import { Conv2D } from '../layers/convolutional.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { ReversibleEmbedding } from '../layers/reversible_embedding.js';
import type { Layer } from '../layers/layer.js';
import { GaussianNoise, SpatialDropout2D } from '../layers/noise.js';
import { BatchNormalization, LayerNormalization } from '../layers/normalization.js';
import { AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D } from '../layers/pooling.js';
import { RecurrentLayer } from '../layers/recurrent.js';
import { GRU, LSTM, SimpleRNN } from '../layers/recurrent_layers.js';
import { Bidirectional } from '../layers/recurrent_wrappers.js';
import { Flatten, Reshape } from '../layers/reshaping.js';
import type { Shape } from '../layers/symbolic.js';
import { axisGeometry } from '../ops/conv_geometry.js';
import type { OnnxGraphBuilder } from './onnx_builder.js';
import type { OnnxAttribute } from './onnx_proto.js';

/** Translates one layer: its input's ONNX name and symbolic shape in, its output's name out. */
export type Emitter = (
  b: OnnxGraphBuilder,
  layer: Layer,
  x: string,
  inputShape: Shape,
  /** The call's recorded flags (e.g. `useCausalMask`). */
  callArgs: Config,
  /** The padding mask the layer reads (bool [batch, length]; see onnx_masks.ts), or null. */
  mask: string | null,
) => string;

const SELU_ALPHA = 1.6732632423543772,
  SELU_SCALE = 1.0507009873554805;

/** Keras activation names → ONNX, each a function of the input's name. */
const ACTIVATIONS: Record<string, (b: OnnxGraphBuilder, x: string, s: string) => string> = {
  linear: (_b, x) => x,
  relu: (b, x, s) => b.op('Relu', [x], s),
  sigmoid: (b, x, s) => b.op('Sigmoid', [x], s),
  tanh: (b, x, s) => b.op('Tanh', [x], s),
  softmax: (b, x, s) => b.op('Softmax', [x], s, { axis: { int: -1 } }),
  log_softmax: (b, x, s) => b.op('LogSoftmax', [x], s, { axis: { int: -1 } }),
  elu: (b, x, s) => b.op('Elu', [x], s, { alpha: 1 }),
  selu: (b, x, s) => b.op('Selu', [x], s, { alpha: SELU_ALPHA, gamma: SELU_SCALE }),
  leaky_relu: (b, x, s) => b.op('LeakyRelu', [x], s, { alpha: 0.2 }),
  softplus: (b, x, s) => b.op('Softplus', [x], s),
  softsign: (b, x, s) => b.op('Softsign', [x], s),
  exponential: (b, x, s) => b.op('Exp', [x], s),
  relu6: (b, x, s) => b.op('Clip', [x, b.constant(`${s}/zero`, [0], []), b.constant(`${s}/six`, [6], [])], s),
  hard_sigmoid: (b, x, s) => b.op('HardSigmoid', [x], s, { alpha: 1 / 6, beta: 0.5 }),
  hard_sigmoid_tfjs: (b, x, s) => b.op('HardSigmoid', [x], s, { alpha: 0.2, beta: 0.5 }),
  hard_silu: (b, x, s) => b.op('HardSwish', [x], s),
  silu: (b, x, s) => b.op('Mul', [x, b.op('Sigmoid', [x], s)], s),
  mish: (b, x, s) => b.op('Mul', [x, b.op('Tanh', [b.op('Softplus', [x], s)], s)], s),
  // gelu(x) ≈ x/2 · (1 + tanh(√(2/π)(x + 0.044715x³))).
  gelu_approximate: (b, x, s) => {
    const cube = b.op('Mul', [b.op('Mul', [x, x], s), x], s);
    const inner = b.op('Add', [x, b.op('Mul', [cube, b.constant(`${s}/c`, [0.044715], [])], s)], s);
    const t = b.op('Tanh', [b.op('Mul', [inner, b.constant(`${s}/k`, [Math.sqrt(2 / Math.PI)], [])], s)], s);
    return b.op(
      'Mul',
      [b.op('Mul', [x, b.constant(`${s}/half`, [0.5], [])], s), b.op('Add', [t, b.constant(`${s}/one`, [1], [])], s)],
      s,
    );
  },
  // gelu(x) = x/2 · (1 + erf(x/√2)), the exact form Keras uses by default.
  gelu: (b, x, s) => {
    const erf = b.op('Erf', [b.op('Div', [x, b.constant(`${s}/sqrt2`, [Math.SQRT2], [])], s)], s);
    return b.op(
      'Mul',
      [b.op('Mul', [x, b.constant(`${s}/half`, [0.5], [])], s), b.op('Add', [erf, b.constant(`${s}/one`, [1], [])], s)],
      s,
    );
  },
};

/** Applies the activation `name` of `layer` to `x`. */
export function activation(b: OnnxGraphBuilder, name: string, x: string, layer: Layer): string {
  const emit = ACTIVATIONS[name];
  if (!emit)
    throw new ValueError(
      `exportOnnx: layer '${layer.name}' uses activation '${name}', which has no ONNX translation; supported: ${Object.keys(ACTIVATIONS).join(', ')}`,
    );
  return emit(b, x, layer.name);
}

const identity: Emitter = (_b, _layer, x) => x;

export function dense(b: OnnxGraphBuilder, layer: Layer, x: string): string {
  const d = layer as Dense;
  let y = b.op('MatMul', [x, b.constant(`${d.name}/kernel`, d.kernel as Tensor)], d.name);
  if (d.bias) y = b.op('Add', [y, b.constant(`${d.name}/bias`, d.bias)], d.name);
  return activation(b, d.activation.name, y, d);
}

/** Keras' 'same' pads the extra pixel at the end, ONNX's SAME_UPPER. */
export const autoPad = (padding: string) => (padding === 'same' ? 'SAME_UPPER' : 'VALID');

/**
 * A convolution's padding attributes over the spatial `sizes`: auto_pad, except for a dilated
 * 'same' window, which ONNX Runtime refuses to pad itself: its pads are computed here.
 * @example convPadding(layer, [7], [2], [1], [3], 'same') // { pads: { ints: [1, 2] } }
 */
export function convPadding(
  layer: Layer,
  sizes: Shape,
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  padding: string,
): Record<string, OnnxAttribute> {
  if (padding !== 'same' || dilations.every((d) => d === 1)) return { auto_pad: autoPad(padding) };
  if (sizes.some((d) => d === null))
    throw new ValueError(
      `exportOnnx: ${layer.getClassName()} '${layer.name}' is a dilated 'same' convolution, which needs known input sizes past the batch and channels, got [${sizes.join(', ')}]`,
    );
  const pads = sizes.map((d, i) => axisGeometry(d as number, kernel[i], strides[i], dilations[i], 'same'));
  return { pads: { ints: [...pads.map((p) => p[1]), ...pads.map((p) => p[2])] } };
}

function conv2d(b: OnnxGraphBuilder, layer: Layer, x: string, shape: Shape): string {
  const c = layer as Conv2D;
  if (c.padding !== 'valid' && c.padding !== 'same')
    throw new ValueError(
      `exportOnnx: Conv2D '${c.name}' uses padding '${c.padding}'; only 'valid' and 'same' are exported`,
    );
  const kernel = c.kernel as Tensor; // [kh, kw, in/groups, out] → ONNX [out, in/groups, kh, kw]
  const w = b.constant(`${c.name}/kernel`, transposed(kernel, [3, 2, 0, 1]), [
    kernel.shape[3],
    kernel.shape[2],
    kernel.shape[0],
    kernel.shape[1],
  ]);
  const inputs = [b.toNchw(x, c.name), w, ...(c.bias ? [b.constant(`${c.name}/bias`, c.bias)] : [])];
  const y = b.op('Conv', inputs, c.name, {
    kernel_shape: { ints: [...c.kernelSize] },
    strides: { ints: [...c.strides] },
    dilations: { ints: [...c.dilationRate] },
    group: { int: c.groups },
    ...convPadding(c, shape.slice(1, 3), c.kernelSize, c.strides, c.dilationRate, c.padding),
  });
  return activation(b, c.activation.name, b.toNhwc(y, c.name), c);
}

function pool(opType: 'MaxPool' | 'AveragePool'): Emitter {
  return (b, layer, x) => {
    const p = layer as MaxPooling2D;
    const attrs = {
      kernel_shape: { ints: [...p.poolSize] },
      strides: { ints: [...p.strides] },
      auto_pad: autoPad(p.padding),
      ...(opType === 'AveragePool' ? { count_include_pad: { int: 0 } } : {}),
    };
    return b.toNhwc(b.op(opType, [b.toNchw(x, p.name)], p.name, attrs), p.name);
  };
}

function globalPool(opType: 'ReduceMean' | 'ReduceMax'): Emitter {
  return (b, layer, x) =>
    b.op(opType, [x], layer.name, {
      axes: { ints: [1, 2] },
      keepdims: { int: (layer as GlobalAveragePooling2D).keepdims ? 1 : 0 },
    });
}

/** Inference batch norm folded into one scale and shift per feature: x·γ/√(σ²+ε) + (β − μ·γ/√(σ²+ε)). */
function batchNorm(b: OnnxGraphBuilder, layer: Layer, x: string, shape: Shape): string {
  const bn = layer as BatchNormalization;
  const mean = (bn.movingMean as Tensor).dataSync(),
    variance = (bn.movingVariance as Tensor).dataSync();
  const gamma = bn.gamma?.dataSync(),
    beta = bn.beta?.dataSync();
  const scale = Float32Array.from(mean, (_, i) => (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + bn.epsilon));
  const shift = Float32Array.from(mean, (m, i) => (beta ? beta[i] : 0) - m * scale[i]);
  const axis = bn.axis < 0 ? bn.axis + shape.length : bn.axis;
  const dims = shape.slice(1).map((d, i) => (i + 1 === axis ? (d as number) : 1));
  return b.op(
    'Add',
    [
      b.op('Mul', [x, b.constant(`${bn.name}/scale`, scale, dims)], bn.name),
      b.constant(`${bn.name}/shift`, shift, dims),
    ],
    bn.name,
  );
}

export function layerNorm(b: OnnxGraphBuilder, layer: Layer, x: string, shape: Shape): string {
  const ln = layer as LayerNormalization;
  const rank = shape.length;
  const axes = ln.axis.map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q);
  if (axes.some((a, i) => a !== rank - axes.length + i))
    throw new ValueError(
      `exportOnnx: LayerNormalization '${ln.name}' normalizes over axes ${JSON.stringify(ln.axis)}; only trailing axes are exported`,
    );
  if (ln.rmsScaling) return rmsScaled(b, ln, x, axes);
  const dims = axes.map((a) => shape[a] as number);
  const size = dims.reduce((p, q) => p * q, 1);
  const gamma = ln.gamma
    ? b.constant(`${ln.name}/gamma`, ln.gamma)
    : b.constant(`${ln.name}/ones`, new Float32Array(size).fill(1), dims);
  const inputs = [x, gamma, ...(ln.beta ? [b.constant(`${ln.name}/beta`, ln.beta)] : [])];
  return b.op('LayerNormalization', inputs, ln.name, { axis: { int: axes[0] }, epsilon: ln.epsilon });
}

/** Keras 3's rmsScaling: x · (variance + ε)^-½ · γ, the variance over `axes`. */
function rmsScaled(b: OnnxGraphBuilder, ln: LayerNormalization, x: string, axes: number[]): string {
  const s = ln.name;
  const mean = (t: string) => b.op('ReduceMean', [t], s, { axes: { ints: axes }, keepdims: { int: 1 } });
  const centered = b.op('Sub', [x, mean(x)], s);
  const variance = mean(b.op('Mul', [centered, centered], s));
  const std = b.op('Sqrt', [b.op('Add', [variance, b.constant(`${s}/epsilon`, [ln.epsilon], [])], s)], s);
  return b.op('Mul', [b.op('Div', [x, std], s), b.constant(`${s}/gamma`, ln.gamma as Tensor)], s);
}

function flatten(b: OnnxGraphBuilder, layer: Layer, x: string, shape: Shape): string {
  const f = layer as Flatten;
  const input =
    f.dataFormat === 'channels_first' && shape.length > 2
      ? b.op('Transpose', [x], f.name, {
          perm: { ints: [0, ...Array.from({ length: shape.length - 2 }, (_, i) => i + 2), 1] },
        })
      : x;
  return b.op('Flatten', [input], f.name, { axis: { int: 1 } });
}

function reshape(b: OnnxGraphBuilder, layer: Layer, x: string): string {
  const r = layer as Reshape;
  return b.op('Reshape', [x, b.int64(`${r.name}/shape`, [0, ...r.targetShape])], r.name); // 0 keeps the batch size
}

function embedding(b: OnnxGraphBuilder, layer: Layer, x: string): string {
  const e = layer as Embedding;
  return b.op(
    'Gather',
    [b.constant(`${e.name}/embeddings`, e.embeddings as Tensor), b.op('Cast', [x], e.name, { to: { int: 7 } })],
    e.name,
    { axis: { int: 0 } },
  );
}

/** ReversibleEmbedding: the lookup, or with `reverse` a product with the table's transpose (or reverse_embeddings), soft-capped. */
function reversibleEmbedding(b: OnnxGraphBuilder, layer: Layer, x: string, _shape: Shape, callArgs: Config): string {
  const e = layer as ReversibleEmbedding;
  if (!callArgs.reverse) return embedding(b, e, x);
  const table = e.reverseEmbeddings ?? (e.embeddings as Tensor).transpose();
  const logits = b.op('MatMul', [x, b.constant(`${e.name}/reverse`, table)], e.name);
  if (e.logitSoftCap === null) return logits;
  const cap = b.constant(`${e.name}/soft_cap`, [e.logitSoftCap], []);
  return b.op('Mul', [b.op('Tanh', [b.op('Div', [logits, cap], e.name)], e.name), cap], e.name);
}

/** ONNX recurrent ops take these activations by name, HardSigmoid with its alpha and beta. */
const RNN_ACTIVATIONS: Record<string, { op: string; alpha?: number; beta?: number }> = {
  sigmoid: { op: 'Sigmoid' },
  tanh: { op: 'Tanh' },
  relu: { op: 'Relu' },
  softsign: { op: 'Softsign' },
  softplus: { op: 'Softplus' },
  hard_sigmoid: { op: 'HardSigmoid', alpha: 1 / 6, beta: 0.5 },
  hard_sigmoid_tfjs: { op: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
};
/** Keras gate blocks → ONNX's: LSTM i,f,c,o → i,o,f,c; GRU z,r,h is the same order. */
const GATE_ORDER: Record<string, number[]> = { LSTM: [0, 3, 1, 2], GRU: [0, 1, 2], SimpleRNN: [0] };

function recurrent(b: OnnxGraphBuilder, layer: Layer, x: string): string {
  const wrapped = layer instanceof Bidirectional ? [layer.forwardLayer, layer.backwardLayer] : [layer];
  const who = `exportOnnx: ${layer.getClassName()} '${layer.name}'`;
  if (!wrapped.every((d) => d instanceof RecurrentLayer))
    throw new ValueError(
      `${who}: the generic RNN layer (with cells) has no ONNX translation; use simpleRNN, lstm or gru`,
    );
  const directions = wrapped as RecurrentLayer[];
  const cell = directions[0];
  const cls = cell.getClassName();
  // ONNX's bidirectional ops run one kind of cell: a backward layer of its own must match the forward one.
  const signature = (l: RecurrentLayer) =>
    JSON.stringify({ ...l.getConfig(), name: '', goBackwards: false, zeroOutputForMask: false });
  if (directions.length === 2 && (directions[1].getClassName() !== cls || signature(directions[1]) !== signature(cell)))
    throw new ValueError(`${who}: a backward layer that differs from the forward one is not exported`);
  if (layer instanceof Bidirectional && layer.mergeMode !== 'concat')
    throw new ValueError(`${who}: only mergeMode 'concat' is exported, got '${layer.mergeMode}'`);
  if (cell.returnState || cell.stateful) throw new ValueError(`${who}: returnState and stateful are not exported`);
  const reverse = !(layer instanceof Bidirectional) && cell.goBackwards;
  const names = [
    cell.activation.name,
    ...(cell instanceof LSTM || cell instanceof GRU ? [cell.recurrentActivation.name] : []),
  ];
  for (const n of names)
    if (!RNN_ACTIVATIONS[n])
      throw new ValueError(
        `${who}: activation '${n}' has no ONNX recurrent form; supported: ${Object.keys(RNN_ACTIVATIONS).join(', ')}`,
      );
  const act = RNN_ACTIVATIONS[cell.activation.name];
  const perDirection =
    cell instanceof LSTM
      ? [RNN_ACTIVATIONS[cell.recurrentActivation.name], act, act]
      : cell instanceof GRU
        ? [RNN_ACTIVATIONS[cell.recurrentActivation.name], act]
        : [act];
  const all = directions.flatMap(() => perDirection);
  // alpha and beta are consumed in order by the activations that take them.
  const scaled = all.filter((a) => a.alpha !== undefined);
  const u = cell.units,
    order = GATE_ORDER[cls];
  const stack = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const inputDim = (cell.kernel as Tensor).shape[0];
  const W = stack(directions.map((l) => gateMatrix(l.kernel as Tensor, order, u)));
  const R = stack(directions.map((l) => gateMatrix(l.recurrentKernel as Tensor, order, u)));
  const B = stack(directions.map((l) => recurrentBias(l, order, u)));
  const nd = directions.length,
    g = order.length;
  const inputs = [
    b.op('Transpose', [x], layer.name, { perm: { ints: [1, 0, 2] } }), // [batch, time, features] → [time, batch, features]
    b.constant(`${layer.name}/W`, W, [nd, g * u, inputDim]),
    b.constant(`${layer.name}/R`, R, [nd, g * u, u]),
    b.constant(`${layer.name}/B`, B, [nd, 2 * g * u]),
  ];
  const attrs = {
    hidden_size: { int: u },
    direction: nd === 2 ? 'bidirectional' : reverse ? 'reverse' : 'forward',
    activations: { strings: all.map((a) => a.op) },
    ...(scaled.length
      ? {
          activation_alpha: { floats: scaled.map((a) => a.alpha as number) },
          activation_beta: { floats: scaled.map((a) => a.beta as number) },
        }
      : {}),
    ...(cell instanceof GRU ? { linear_before_reset: { int: cell.resetAfter ? 1 : 0 } } : {}),
  };
  const op = cls === 'SimpleRNN' ? 'RNN' : cls;
  const [y0, yh] = b.opMulti(op, inputs, layer.name, 2, attrs);
  if (cell.returnSequences) {
    // ONNX indexes a reversed run's outputs by input step; Keras lists them in processing order.
    const y = reverse
      ? b.op(
          'Slice',
          [
            y0,
            b.int64(`${layer.name}/rev_start`, [-1]),
            b.int64(`${layer.name}/rev_end`, [Number.MIN_SAFE_INTEGER]),
            b.int64(`${layer.name}/rev_axis`, [0]),
            b.int64(`${layer.name}/rev_step`, [-1]),
          ],
          layer.name,
        )
      : y0;
    // Y: [time, directions, batch, units] → [batch, time, directions·units]
    const t = b.op('Transpose', [y], layer.name, { perm: { ints: [2, 0, 1, 3] } });
    return b.op('Reshape', [t, b.int64(`${layer.name}/seq_shape`, [0, 0, nd * u])], layer.name);
  }
  // Y_h: [directions, batch, units] → [batch, directions·units]
  const t = b.op('Transpose', [yh], layer.name, { perm: { ints: [1, 0, 2] } });
  return b.op('Reshape', [t, b.int64(`${layer.name}/last_shape`, [0, nd * u])], layer.name);
}

/** Keras [rows, gates·u] with gate blocks in Keras order → ONNX [gates·u, rows] in ONNX order. */
function gateMatrix(kernel: Tensor, order: number[], u: number): Float32Array {
  const [rows] = kernel.shape;
  const cols = kernel.shape[1];
  const v = kernel.dataSync();
  const out = new Float32Array(order.length * u * rows);
  order.forEach((src, k) => {
    for (let j = 0; j < u; j++) for (let r = 0; r < rows; r++) out[(k * u + j) * rows + r] = v[r * cols + src * u + j];
  });
  return out;
}

/** ONNX's bias is [input bias, recurrent bias], each in ONNX gate order. */
function recurrentBias(layer: RecurrentLayer, order: number[], u: number): Float32Array {
  const g = order.length;
  const out = new Float32Array(2 * g * u);
  if (!layer.bias) return out;
  const v = layer.bias.dataSync();
  const rows = layer.bias.shape.length === 2 ? 2 : 1; // GRU with resetAfter: [input row, recurrent row]
  for (let row = 0; row < rows; row++)
    order.forEach((src, k) => {
      for (let j = 0; j < u; j++) out[row * g * u + k * u + j] = v[row * g * u + src * u + j];
    });
  return out;
}

/**
 * A tensor's values with its axes in the order `perm`, as float32 (kernels in ONNX's layout).
 * @example transposed(kernel, [3, 2, 0, 1]) // [kH, kW, in, out] → [out, in, kH, kW]
 */
export function transposed(t: Tensor, perm: number[]): Float32Array {
  const shape = t.shape,
    v = t.dataSync();
  const outShape = perm.map((p) => shape[p]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(v.length);
  const idx = new Array(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < perm.length; k++) src += idx[k] * strides[perm[k]];
    out[o] = v[src];
    for (let k = outShape.length - 1; k >= 0; k--) {
      if (++idx[k] < outShape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** The layer classes `exportOnnx` translates, by class. */
export const ONNX_EMITTERS: [abstract new (...args: never[]) => Layer, Emitter][] = [
  [Dense, dense],
  [Activation, (b, l, x) => activation(b, (l as Activation).activation.name, x, l)],
  [Dropout, identity],
  [SpatialDropout2D, identity],
  [GaussianNoise, identity],
  [Flatten, flatten],
  [Reshape, reshape],
  [Conv2D, conv2d],
  [MaxPooling2D, pool('MaxPool')],
  [AveragePooling2D, pool('AveragePool')],
  [GlobalAveragePooling2D, globalPool('ReduceMean')],
  [GlobalMaxPooling2D, globalPool('ReduceMax')],
  [BatchNormalization, batchNorm],
  [LayerNormalization, layerNorm],
  [Embedding, embedding],
  [ReversibleEmbedding, reversibleEmbedding],
  [SimpleRNN, recurrent],
  [LSTM, recurrent],
  [GRU, recurrent],
  [Bidirectional, recurrent],
];
