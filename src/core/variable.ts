import { ValueError, fmtShape } from './errors.js';
import { shapesEqual } from './shape.js';
import { Tensor } from './tensor.js';

let nextVariableId = 0;

/** Every variable made and not yet collected: what `minimize` without a `varList` updates (as TF.js). */
const live = new Set<WeakRef<Variable>>();
// A collected variable's entry goes with it, so the set never outgrows the variables alive.
const forget = new FinalizationRegistry<WeakRef<Variable>>((ref) => live.delete(ref));

/**
 * A mutable tensor that holds model state (weights, optimizer slots). `assign` swaps in new
 * values; gradients are taken with respect to trainable variables by `variableGrads`.
 *
 * @example
 * const w = variable(zeros([3]));
 * w.assign(ones([3]));
 */
export class Variable extends Tensor {
  readonly name: string;
  trainable: boolean;
  /** Projection applied after each optimizer update (Keras `kernel_constraint` and friends). */
  constraint?: (value: Tensor) => Tensor;

  constructor(initial: Tensor, trainable = true, name?: string) {
    super(initial.backend.upload(initial.dataSync(), initial.dtype), initial.shape, initial.dtype, initial.backend);
    this.kept = true;
    this.trainable = trainable;
    this.name = name ?? `variable_${nextVariableId++}`;
    const ref = new WeakRef(this);
    live.add(ref);
    forget.register(this, ref);
  }

  /** Replaces the value. The new value must have the same shape and dtype. */
  assign(value: Tensor): void {
    this.assertAlive();
    if (!shapesEqual(value.shape, this.shape)) {
      throw new ValueError(
        `Variable '${this.name}': assign expected shape ${fmtShape(this.shape)}, got ${fmtShape(value.shape)}`,
      );
    }
    if (value.dtype !== this.dtype) {
      throw new ValueError(`Variable '${this.name}': assign expected dtype ${this.dtype}, got ${value.dtype}`);
    }
    // Tensors are immutable, so sharing the handle is safe: nobody writes into it.
    this.handle = value.backend === this.backend ? value.handle : this.backend.upload(value.dataSync(), value.dtype);
  }
}

/**
 * Creates a variable from a tensor.
 * @example const w = variable(randomNormal([3, 1]), true, 'w');
 */
export function variable(initial: Tensor, trainable = true, name?: string): Variable {
  return new Variable(initial, trainable, name);
}

/**
 * The trainable variables still alive (not disposed, not collected), in creation order: TF.js'
 * registered variables, which `optimizer.minimize(f)` and `variableGrads(f)` use when no
 * `varList` is given.
 * @example const w = variable(zeros([2])); trainableVariables().includes(w); // true
 */
export function trainableVariables(): Variable[] {
  const out: Variable[] = [];
  for (const ref of live) {
    const v = ref.deref();
    if (v === undefined || v.isDisposed) live.delete(ref);
    else if (v.trainable) out.push(v);
  }
  return out;
}
