import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { Conv2DTranspose } from '../layers/convolutional.js';
import { Conv1D } from '../layers/convolutional_1d.js';
import { DepthwiseConv2D, SeparableConv2D } from '../layers/convolutional_depthwise.js';
import type { Layer } from '../layers/layer.js';
import type { Shape } from '../layers/symbolic.js';
import { geometry2d } from '../ops/conv_geometry.js';
import type { OnnxGraphBuilder } from './onnx_builder.js';
import type { OnnxAttribute } from './onnx_proto.js';
import { activation, convPadding, transposed, type Emitter } from './onnx_layers.js';

const toChannelsFirst = { perm: { ints: [0, 2, 1] } };

/** [batch, steps, channels] → ONNX's [batch, channels, steps], a Conv with a length-1 window, and back. */
const conv1d: Emitter = (b, layer, x, shape) => {
  const c = layer as Conv1D;
  const k = c.kernel as Tensor; // [k, in, out] → ONNX [out, in, k]
  const w = b.constant(`${c.name}/kernel`, transposed(k, [2, 1, 0]), [k.shape[2], k.shape[1], k.shape[0]]);
  const inputs = [
    b.op('Transpose', [x], c.name, toChannelsFirst),
    w,
    ...(c.bias ? [b.constant(`${c.name}/bias`, c.bias)] : []),
  ];
  // 'causal' pads only the start, by the dilated window's reach.
  const padding: Record<string, OnnxAttribute> =
    c.padding === 'causal'
      ? { pads: { ints: [(c.kernelSize - 1) * c.dilationRate, 0] } }
      : convPadding(c, [shape[1]], [c.kernelSize], [c.strides], [c.dilationRate], c.padding);
  const y = b.op('Conv', inputs, c.name, {
    kernel_shape: { ints: [c.kernelSize] },
    strides: { ints: [c.strides] },
    dilations: { ints: [c.dilationRate] },
    ...padding,
  });
  return activation(b, c.activation.name, b.op('Transpose', [y], c.name, toChannelsFirst), c);
};

/**
 * A depthwise convolution as ONNX's grouped Conv (one group per input channel) in NCHW: Keras'
 * kernel [kH, kW, in, multiplier] becomes [in·multiplier, 1, kH, kW], output channel i·multiplier + j.
 */
function depthwise(
  b: OnnxGraphBuilder,
  layer: DepthwiseConv2D | SeparableConv2D,
  x: string,
  shape: Shape,
  bias: boolean,
): string {
  const k = layer.depthwiseKernel as Tensor;
  const [kh, kw, c, m] = k.shape;
  const w = b.constant(`${layer.name}/depthwise_kernel`, transposed(k, [2, 3, 0, 1]), [c * m, 1, kh, kw]);
  const inputs = [x, w, ...(bias && layer.bias ? [b.constant(`${layer.name}/bias`, layer.bias)] : [])];
  return b.op('Conv', inputs, layer.name, {
    kernel_shape: { ints: [kh, kw] },
    strides: { ints: [...layer.strides] },
    dilations: { ints: [...layer.dilationRate] },
    group: { int: c },
    ...convPadding(layer, shape.slice(1, 3), layer.kernelSize, layer.strides, layer.dilationRate, layer.padding),
  });
}

const depthwiseConv2d: Emitter = (b, layer, x, shape) => {
  const d = layer as DepthwiseConv2D;
  return activation(b, d.activation.name, b.toNhwc(depthwise(b, d, b.toNchw(x, d.name), shape, true), d.name), d);
};

/** The depthwise step, then the 1x1 pointwise Conv with the bias. */
const separableConv2d: Emitter = (b, layer, x, shape) => {
  const s = layer as SeparableConv2D;
  const p = s.pointwiseKernel as Tensor; // [1, 1, in·multiplier, filters] → ONNX [filters, in·multiplier, 1, 1]
  const w = b.constant(`${s.name}/pointwise_kernel`, transposed(p, [3, 2, 0, 1]), [p.shape[3], p.shape[2], 1, 1]);
  const inputs = [
    depthwise(b, s, b.toNchw(x, s.name), shape, false),
    w,
    ...(s.bias ? [b.constant(`${s.name}/bias`, s.bias)] : []),
  ];
  const y = b.op('Conv', inputs, s.name, { kernel_shape: { ints: [1, 1] } });
  return activation(b, s.activation.name, b.toNhwc(y, s.name), s);
};

/**
 * ConvTranspose with explicit pads: the layer's output size (Keras' rule, with outputPadding)
 * fixes the forward convolution it inverts, whose leading padding is cropped from the start;
 * the end is cropped (pads) or extended with zeros (output_padding) to reach that size.
 */
const conv2dTranspose: Emitter = (b, layer, x, shape) => {
  const t = layer as Conv2DTranspose;
  const [, h, w] = shape;
  if (h === null || w === null)
    throw new ValueError(
      `exportOnnx: Conv2DTranspose '${t.name}' needs a known input height and width, got input shape [${shape.join(', ')}]`,
    );
  const [, outH, outW] = t.computeOutputShape(shape) as number[];
  const fwd = geometry2d(outH, outW, t.kernelSize, t.strides, t.dilationRate, t.padding, `Conv2DTranspose '${t.name}'`);
  const k = t.kernel as Tensor; // [kH, kW, filters, in] → ONNX [in, filters, kH, kW]
  const [kh, kw, filters, c] = k.shape;
  const begin = [fwd.padTop, fwd.padLeft];
  const end: number[] = [],
    extra: number[] = [];
  [h, w].forEach((size, i) => {
    const span = (size - 1) * t.strides[i] + ((t.kernelSize[i] - 1) * t.dilationRate[i] + 1) - begin[i];
    const over = span - [outH, outW][i];
    end.push(Math.max(over, 0));
    extra.push(Math.max(-over, 0));
  });
  const inputs = [
    b.toNchw(x, t.name),
    b.constant(`${t.name}/kernel`, transposed(k, [3, 2, 0, 1]), [c, filters, kh, kw]),
    ...(t.bias ? [b.constant(`${t.name}/bias`, t.bias)] : []),
  ];
  const y = b.op('ConvTranspose', inputs, t.name, {
    kernel_shape: { ints: [kh, kw] },
    strides: { ints: [...t.strides] },
    dilations: { ints: [...t.dilationRate] },
    pads: { ints: [...begin, ...end] },
    output_padding: { ints: extra },
  });
  return activation(b, t.activation.name, b.toNhwc(y, t.name), t);
};

/** Convolutions beside Conv2D and Conv3D that `exportOnnx` translates. */
export const ONNX_CONV_EMITTERS: [abstract new (...args: never[]) => Layer, Emitter][] = [
  [Conv1D, conv1d],
  [DepthwiseConv2D, depthwiseConv2d],
  [SeparableConv2D, separableConv2d],
  [Conv2DTranspose, conv2dTranspose],
];
