import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { add, div, logicalAnd, logicalOr, maximum, minimum, mul, sub, where } from '../ops/prims/binary.js';
import { concat } from '../ops/prims/concat.js';
import { ones } from '../ops/creation.js';
import { expandDims } from '../ops/dims.js';
import { any } from '../ops/prims/reduce.js';
import { Layer, isShapeList, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './symbolic.js';

/** The masks that came with a merge layer's inputs, one per input (null where an input has none). */
function maskList(mask: CallArgs['mask'], count: number): (Tensor | null)[] {
  if (mask === null || mask === undefined) return new Array(count).fill(null);
  const list = Array.isArray(mask) ? mask : [mask];
  return Array.from({ length: count }, (_, i) => list[i] ?? null);
}

/** A [batch, steps] mask widened to the [batch, steps, features] value it masks. */
function widen(mask: Tensor, x: Tensor): Tensor {
  return mask.rank < x.rank ? expandDims(mask, -1) : mask;
}

/**
 * The base of the element-wise merge layers (Keras `Merge`): a list of tensors in, one out.
 * Shapes broadcast per sample (a size 1 stretches), inputs of lower rank get axes added after
 * the batch axis, and the output mask is the OR of the input masks when every input has one.
 */
export abstract class Merge extends Layer {
  /** Whether inputs of different ranks are aligned by adding axes (set by `build`). */
  private reshapeRequired = false;

  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  /** Merges inputs of equal rank. */
  protected abstract merge(inputs: Tensor[], masks: (Tensor | null)[]): Tensor;

  /** The fewest inputs this layer takes. */
  protected get minInputs(): number {
    return 1;
  }

  protected shapes(inputShape: Shape | Shape[]): Shape[] {
    if (!isShapeList(inputShape))
      throw new ValueError(
        `${this.getClassName()} '${this.name}' must be called on a list of tensors, got one of shape ${fmtShape(inputShape)}`,
      );
    if (inputShape.length < this.minInputs)
      throw new ValueError(
        `${this.getClassName()} '${this.name}' needs at least ${this.minInputs} inputs, got ${inputShape.length}`,
      );
    const batches = new Set(inputShape.map((s) => s[0]).filter((d) => d !== null));
    if (batches.size > 1)
      throw new ValueError(
        `${this.getClassName()} '${this.name}': cannot merge tensors with different batch sizes; got shapes ${inputShape.map(fmtShape).join(', ')}`,
      );
    return inputShape;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shapes = this.shapes(inputShape);
    this.computeOutputShape(shapes);
    this.reshapeRequired = new Set(shapes.map((s) => s.length)).size > 1;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = this.shapes(inputShape);
    let out = shapes[0].slice(1);
    for (const s of shapes.slice(1)) out = this.broadcast(out, s.slice(1), shapes);
    const batch = shapes.map((s) => s[0]).find((d) => d !== null) ?? null;
    return [batch, ...out];
  }

  /** Keras' per-sample broadcasting of two shapes (aligned at the right). */
  private broadcast(a: Shape, b: Shape, all: Shape[]): Shape {
    if (a.length < b.length) return this.broadcast(b, a, all);
    const out = a.slice(0, a.length - b.length);
    a.slice(a.length - b.length).forEach((i, k) => {
      const j = b[k];
      if (i === null || j === null) out.push(null);
      else if (i === 1) out.push(j);
      else if (j === 1 || i === j) out.push(i);
      else
        throw new ValueError(
          `${this.getClassName()} '${this.name}': inputs have incompatible shapes ${all.map(fmtShape).join(', ')}`,
        );
    });
    return out;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    if (!Array.isArray(inputs))
      throw new ValueError(
        `${this.getClassName()} '${this.name}' must be called on a list of tensors, got one of shape ${fmtShape(inputs.shape)}`,
      );
    const masks = maskList(kwargs.mask, inputs.length);
    if (!this.reshapeRequired) return this.merge(inputs, masks);
    // Lower-rank inputs get axes after the batch axis until every rank matches (masks then no longer fit).
    const rank = Math.max(...inputs.map((x) => x.rank));
    const aligned = inputs.map((x) => {
      let y = x;
      while (y.rank < rank) y = expandDims(y, 1);
      return y;
    });
    return this.merge(aligned, new Array(inputs.length).fill(null));
  }

  override computeMask(inputs: Tensor | Tensor[], mask: Tensor | Tensor[] | null | undefined): Tensor | null {
    const count = Array.isArray(inputs) ? inputs.length : 1;
    const masks = maskList(mask, count);
    if (masks.some((m) => m === null)) return null;
    return (masks as Tensor[]).reduce((a, b) => logicalOr(a, b));
  }
}

/**
 * Applies `op` pairwise where a masked-out value is replaced by the other operand (Keras'
 * rule for Maximum and Minimum, which have no neutral element); the OR of the masks is kept
 * only while every input so far has a mask.
 */
function mergeOrMasked(op: (a: Tensor, b: Tensor) => Tensor, inputs: Tensor[], masks: (Tensor | null)[]): Tensor {
  let output = inputs[0];
  let outMask = masks[0] ? widen(masks[0], inputs[0]) : null;
  for (let i = 1; i < inputs.length; i++) {
    let x = inputs[i];
    const m = masks[i] ? widen(masks[i] as Tensor, x) : null;
    if (m) x = where(m, x, output);
    if (outMask) output = where(outMask, output, x);
    outMask = m && outMask ? logicalOr(outMask, m) : null;
    output = op(output, x);
  }
  return output;
}

/**
 * Element-wise sum of the inputs (Keras `Add`), e.g. a residual connection.
 * @example layers.add().apply([a, b]) // a + b
 */
export class Add extends Merge {
  static override readonly className: string = 'Add';
  protected merge(inputs: Tensor[]): Tensor {
    return inputs.reduce((a, b) => add(a, b));
  }
}

/**
 * The first input minus the second (Keras `Subtract`); exactly two inputs.
 * @example layers.subtract().apply([a, b]) // a - b
 */
export class Subtract extends Merge {
  static override readonly className: string = 'Subtract';
  protected override get minInputs(): number {
    return 2;
  }
  protected override shapes(inputShape: Shape | Shape[]): Shape[] {
    const shapes = super.shapes(inputShape);
    if (shapes.length !== 2)
      throw new ValueError(`Subtract '${this.name}' takes exactly 2 inputs, got ${shapes.length}`);
    return shapes;
  }
  protected merge(inputs: Tensor[]): Tensor {
    return sub(inputs[0], inputs[1]);
  }
}

/**
 * Element-wise product (Keras `Multiply`). Masked-out values count as 1, and when every input
 * has a mask, positions masked in all of them are 0.
 * @example layers.multiply().apply([a, b]) // a * b
 */
export class Multiply extends Merge {
  static override readonly className: string = 'Multiply';
  protected merge(inputs: Tensor[], masks: (Tensor | null)[]): Tensor {
    const all = masks.every((m) => m !== null);
    let output: Tensor | null = null;
    let outMask: Tensor | null = null;
    inputs.forEach((x, i) => {
      const m = masks[i] ? widen(masks[i] as Tensor, x) : null;
      const v = m ? where(m, x, 1) : x;
      if (m && all) outMask = outMask ? logicalOr(outMask, m) : m;
      output = output ? mul(output, v) : v;
    });
    return outMask ? where(outMask, output as unknown as Tensor, 0) : (output as unknown as Tensor);
  }
}

/**
 * Element-wise mean of the inputs (Keras `Average`).
 * @example layers.average().apply([a, b]) // (a + b) / 2
 */
export class Average extends Merge {
  static override readonly className: string = 'Average';
  protected merge(inputs: Tensor[]): Tensor {
    return div(
      inputs.reduce((a, b) => add(a, b)),
      inputs.length,
    );
  }
}

/**
 * Element-wise maximum (Keras `Maximum`); a masked-out value yields to the other input's.
 * @example layers.maximum().apply([a, b])
 */
export class Maximum extends Merge {
  static override readonly className: string = 'Maximum';
  protected merge(inputs: Tensor[], masks: (Tensor | null)[]): Tensor {
    return mergeOrMasked(maximum, inputs, masks);
  }
}

/**
 * Element-wise minimum (Keras `Minimum`); a masked-out value yields to the other input's.
 * @example layers.minimum().apply([a, b])
 */
export class Minimum extends Merge {
  static override readonly className: string = 'Minimum';
  protected merge(inputs: Tensor[], masks: (Tensor | null)[]): Tensor {
    return mergeOrMasked(minimum, inputs, masks);
  }
}

export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along (default -1, the features). */
  axis?: number;
}

/**
 * Joins the inputs along `axis` (Keras `Concatenate`); every other dimension must match.
 * @example layers.concatenate({ axis: -1 }).apply([a, b]) // [batch, 3] and [batch, 5] → [batch, 8]
 */
export class Concatenate extends Merge {
  static override readonly className: string = 'Concatenate';
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis))
      throw new ValueError(`Concatenate '${this.name}': 'axis' must be an integer, got ${JSON.stringify(args.axis)}`);
    this.axis = axis;
  }

  private axisFor(rank: number): number {
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a <= 0 || a >= rank)
      throw new ValueError(
        `Concatenate '${this.name}': axis ${this.axis} is not a feature axis of rank-${rank} inputs (the batch axis 0 cannot be joined)`,
      );
    return a;
  }

  override build(inputShape: Shape | Shape[]): void {
    this.computeOutputShape(inputShape);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = this.shapes(inputShape);
    const rank = shapes[0].length;
    const bad = () =>
      new ValueError(
        `Concatenate '${this.name}' needs inputs whose shapes match except along axis ${this.axis}; got ${shapes.map(fmtShape).join(', ')}`,
      );
    if (shapes.some((s) => s.length !== rank)) throw bad();
    const axis = this.axisFor(rank);
    const out = [...shapes[0]];
    for (const s of shapes.slice(1)) {
      s.forEach((d, i) => {
        if (i === axis) out[i] = out[i] === null || d === null ? null : (out[i] as number) + d;
        else if (d !== null && out[i] !== null && d !== out[i]) throw bad();
        else if (out[i] === null) out[i] = d;
      });
    }
    return out;
  }

  protected merge(inputs: Tensor[]): Tensor {
    return concat(inputs, this.axisFor(inputs[0].rank));
  }

  /** The input masks joined like the values (an unmasked input counts as all kept), reduced over the last axis. */
  override computeMask(inputs: Tensor | Tensor[], mask: Tensor | Tensor[] | null | undefined): Tensor | null {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const masks = maskList(mask, list.length);
    if (masks.every((m) => m === null)) return null;
    const full = list.map((x, i) => {
      const m = masks[i];
      const all = ones([...x.shape], 'bool');
      if (!m) return all;
      return m.rank < x.rank ? logicalAnd(expandDims(m, -1), all) : m;
    });
    return any(concat(full, this.axisFor(list[0].rank)), -1);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), axis: this.axis };
  }
}

registerLayer(Add.className, (config) => new Add(config as LayerArgs));
registerLayer(Subtract.className, (config) => new Subtract(config as LayerArgs));
registerLayer(Multiply.className, (config) => new Multiply(config as LayerArgs));
registerLayer(Average.className, (config) => new Average(config as LayerArgs));
registerLayer(Maximum.className, (config) => new Maximum(config as LayerArgs));
registerLayer(Minimum.className, (config) => new Minimum(config as LayerArgs));
registerLayer(Concatenate.className, (config) => new Concatenate(config as ConcatenateArgs));
