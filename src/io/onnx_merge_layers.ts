import type { Config } from '../core/config.js';
import { ValueError } from '../core/errors.js';
import type { Layer } from '../layers/layer.js';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from '../layers/merging.js';
import { Dot } from '../layers/merging_dot.js';
import type { Shape } from '../layers/symbolic.js';
import type { OnnxGraphBuilder } from './onnx_builder.js';

/** Translates a layer with several inputs: their ONNX names and symbolic shapes in, the output's name out. */
export type MergeEmitter = (
  b: OnnxGraphBuilder,
  layer: Layer,
  xs: string[],
  shapes: Shape[],
  /** The call's recorded flags (e.g. `useCausalMask`). */
  callArgs?: Config,
) => string;

/** Keras gives lower-rank inputs axes after the batch axis; ONNX would add them in front. */
function aligned(b: OnnxGraphBuilder, layer: Layer, xs: string[], shapes: Shape[]): string[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return xs.map((x, i) => {
    const missing = rank - shapes[i].length;
    if (missing === 0) return x;
    const axes = Array.from({ length: missing }, (_, k) => k + 1);
    return b.op('Unsqueeze', [x, b.int64(`${layer.name}/axes`, axes)], layer.name);
  });
}

function variadic(opType: 'Sum' | 'Mul' | 'Max' | 'Min' | 'Mean'): MergeEmitter {
  return (b, layer, xs, shapes) => {
    const inputs = aligned(b, layer, xs, shapes);
    // Sum, Max, Min and Mean take any number of inputs; Mul takes two.
    if (opType !== 'Mul') return b.op(opType, inputs, layer.name);
    return inputs.slice(1).reduce((acc, x) => b.op('Mul', [acc, x], layer.name), inputs[0]);
  };
}

const subtract: MergeEmitter = (b, layer, xs, shapes) => b.op('Sub', aligned(b, layer, xs, shapes), layer.name);

const concatenate: MergeEmitter = (b, layer, xs, shapes) => {
  const c = layer as Concatenate;
  const rank = shapes[0].length;
  return b.op('Concat', xs, c.name, { axis: { int: c.axis < 0 ? c.axis + rank : c.axis } });
};

/** Keras' epsilon: the smallest norm `normalize` divides by. */
const EPSILON = 1e-7;

/**
 * batch_dot as one batched MatMul: x to [batch, rest, k], y to [batch, k, rest], the product
 * back to [batch, x rest..., y rest...] ([batch, 1] for two vectors).
 */
const dot: MergeEmitter = (b, layer, xs, shapes) => {
  const d = layer as Dot;
  const [sx, sy] = shapes;
  const pair = Array.isArray(d.axes) ? d.axes : [d.axes, d.axes];
  const i = pair[0] < 0 ? pair[0] + sx.length : pair[0];
  const j = pair[1] < 0 ? pair[1] + sy.length : pair[1];
  const known = (s: Shape) => s.slice(1).every((v) => v !== null);
  if (!known(sx) || !known(sy))
    throw new ValueError(
      `exportOnnx: Dot '${d.name}' has inputs with unknown dimensions besides the batch; only known sizes are exported`,
    );
  const others = (s: Shape, skip: number) => s.map((_, k) => k).filter((k) => k !== 0 && k !== skip);
  const size = (s: Shape, axes: number[]) => axes.reduce((n, k) => n * (s[k] as number), 1);
  const normalized = (x: string, axis: number) => {
    if (!d.normalize) return x;
    const norm = b.op(
      'Sqrt',
      [b.op('ReduceSumSquare', [x], d.name, { axes: { ints: [axis] }, keepdims: { int: 1 } })],
      d.name,
    );
    return b.op('Div', [x, b.op('Max', [norm, b.constant(`${d.name}/epsilon`, [EPSILON], [])], d.name)], d.name);
  };
  const xo = others(sx, i),
    yo = others(sy, j);
  const xm = b.op(
    'Reshape',
    [
      b.op('Transpose', [normalized(xs[0], i)], d.name, { perm: { ints: [0, ...xo, i] } }),
      b.int64(`${d.name}/x_shape`, [0, size(sx, xo), sx[i] as number]),
    ],
    d.name,
  );
  const ym = b.op(
    'Reshape',
    [
      b.op('Transpose', [normalized(xs[1], j)], d.name, { perm: { ints: [0, j, ...yo] } }),
      b.int64(`${d.name}/y_shape`, [0, sy[j] as number, size(sy, yo)]),
    ],
    d.name,
  );
  const out = [...xo.map((k) => sx[k] as number), ...yo.map((k) => sy[k] as number)];
  return b.op(
    'Reshape',
    [b.op('MatMul', [xm, ym], d.name), b.int64(`${d.name}/out_shape`, [0, ...(out.length ? out : [1])])],
    d.name,
  );
};

/** The merge layers `exportOnnx` translates (masks are not exported). */
export const ONNX_MERGE_EMITTERS: [abstract new (...args: never[]) => Layer, MergeEmitter][] = [
  [Add, variadic('Sum')],
  [Subtract, subtract],
  [Multiply, variadic('Mul')],
  [Average, variadic('Mean')],
  [Maximum, variadic('Max')],
  [Minimum, variadic('Min')],
  [Concatenate, concatenate],
  [Dot, dot],
];
