import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { minimum, mul } from '../ops/prims/binary.js';
import { matMul } from '../ops/prims/matmul.js';
import { sum } from '../ops/prims/reduce.js';
import { reshape, transpose } from '../ops/prims/shape_ops.js';
import { rsqrt, square } from '../ops/prims/unary.js';
import type { LayerArgs } from './layer.js';
import { Merge } from './merging.js';
import { registerLayer } from './registry.js';
import type { Shape } from './symbolic.js';

export interface DotArgs extends LayerArgs {
  /** The axis of each input to contract: one for both, or [axis of the first, axis of the second]. */
  axes: number | [number, number];
  /** L2-normalise both inputs along their axis first, giving cosine similarities (default false). */
  normalize?: boolean;
}

/** Keras' epsilon: a norm below it is taken as this, so zero vectors stay zero. */
const EPSILON = 1e-7;

/**
 * Dot products of two inputs along one axis of each, per sample (Keras `Dot`, `batch_dot`):
 * [batch, n] · [batch, n] → [batch, 1]; [batch, t, n] · [batch, s, n] with axes 2 → [batch, t, s].
 * With `normalize` the result is the cosine similarity.
 * @example layers.dot({ axes: -1, normalize: true }).apply([a, b]) // cosine similarity, [batch, 1]
 */
export class Dot extends Merge {
  static override readonly className: string = 'Dot';
  readonly axes: number | [number, number];
  readonly normalize: boolean;

  constructor(args: DotArgs) {
    super(args);
    const axes = args?.axes;
    const isInt = (a: unknown) => Number.isInteger(a);
    if (!(isInt(axes) || (Array.isArray(axes) && axes.length === 2 && axes.every(isInt))))
      throw new ValueError(
        `Dot '${this.name}': 'axes' must be an integer or a pair of integers, got ${JSON.stringify(axes)}`,
      );
    this.axes = Array.isArray(axes) ? [axes[0], axes[1]] : axes;
    this.normalize = args.normalize ?? false;
  }

  /** The contracted axis of each input, non-negative. */
  private resolvedAxes(ranks: [number, number]): [number, number] {
    const pair = Array.isArray(this.axes) ? this.axes : [this.axes, this.axes];
    const out = pair.map((a, i) => (a < 0 ? a + ranks[i] : a)) as [number, number];
    out.forEach((a, i) => {
      if (a <= 0 || a >= ranks[i])
        throw new ValueError(
          `Dot '${this.name}': axis ${pair[i]} is not a feature axis of input ${i} (rank ${ranks[i]}); the batch axis 0 cannot be contracted`,
        );
    });
    return out;
  }

  protected override shapes(inputShape: Shape | Shape[]): Shape[] {
    const shapes = super.shapes(inputShape);
    if (shapes.length !== 2) throw new ValueError(`Dot '${this.name}' takes exactly 2 inputs, got ${shapes.length}`);
    if (shapes.some((s) => s.length < 2))
      throw new ValueError(
        `Dot '${this.name}' needs inputs of rank 2 or more, got ${shapes.map(fmtShape).join(' and ')}`,
      );
    return shapes;
  }

  override build(inputShape: Shape | Shape[]): void {
    this.computeOutputShape(inputShape);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [a, b] = this.shapes(inputShape);
    const [i, j] = this.resolvedAxes([a.length, b.length]);
    if (a[i] !== null && b[j] !== null && a[i] !== b[j])
      throw new ValueError(
        `Dot '${this.name}': axis ${i} of ${fmtShape(a)} (size ${a[i]}) and axis ${j} of ${fmtShape(b)} (size ${b[j]}) must have the same size`,
      );
    const out = [a[0] ?? b[0], ...a.filter((_, k) => k !== 0 && k !== i), ...b.filter((_, k) => k !== 0 && k !== j)];
    return out.length === 1 ? [...out, 1] : out;
  }

  protected merge(inputs: Tensor[]): Tensor {
    const [x0, y0] = inputs;
    const [i, j] = this.resolvedAxes([x0.rank, y0.rank]);
    const x = this.normalize ? l2Normalize(x0, i) : x0;
    const y = this.normalize ? l2Normalize(y0, j) : y0;
    // [batch, ...x rest, k] · [batch, k, ...y rest] as one batched matrix product.
    const xRest = x.shape.filter((_, k) => k !== 0 && k !== i);
    const yRest = y.shape.filter((_, k) => k !== 0 && k !== j);
    const batch = x.shape[0];
    const size = (dims: number[]) => dims.reduce((p, q) => p * q, 1);
    const xm = reshape(transpose(x, [0, ...range(x.rank).filter((k) => k !== 0 && k !== i), i]), [
      batch,
      size(xRest),
      x.shape[i],
    ]);
    const ym = reshape(transpose(y, [0, j, ...range(y.rank).filter((k) => k !== 0 && k !== j)]), [
      batch,
      y.shape[j],
      size(yRest),
    ]);
    const out = [...xRest, ...yRest];
    return reshape(matMul(xm, ym), [batch, ...(out.length === 0 ? [1] : out)]);
  }

  /** Dot products carry no mask (Keras). */
  override computeMask(): null {
    return null;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      axes: Array.isArray(this.axes) ? [...this.axes] : this.axes,
      normalize: this.normalize,
    };
  }
}

/** x / max(‖x‖, ε) along `axis`, as Keras computes it: x · min(1/√Σx², 1/ε). */
function l2Normalize(x: Tensor, axis: number): Tensor {
  return mul(x, minimum(rsqrt(sum(square(x), axis, true)), 1 / EPSILON));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k);
}

registerLayer(Dot.className, (config) => new Dot(config as unknown as DotArgs));
