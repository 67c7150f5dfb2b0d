import { noGrad } from '../autograd/tape.js';
import type { TypedArray } from '../core/dtype.js';
import { dispose, keep, scoped } from '../core/memory.js';
import { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { NamedWeight, Optimizer } from '../optimizers/optimizer.js';
import { mul } from '../ops/prims/binary.js';
import { sum } from '../ops/prims/reduce.js';
import { concat } from '../ops/prims/concat.js';
import { cast, reshape } from '../ops/prims/shape_ops.js';

/**
 * A tensor holding `t`'s value as it is now, without a copy: tensors are immutable and a
 * variable's `assign` swaps in a new buffer, so sharing the current one keeps this value.
 */
function pin(t: Tensor): Tensor {
  return keep(new Tensor(t.handle, t.shape, t.dtype, t.backend));
}

/**
 * The model's weights and the optimizer's state before one training step, held by sharing
 * their buffers, so a step that diverged (a NaN loss, or an update that left a weight infinite)
 * is undone and training stops with the last finite weights.
 * @example const undo = new StepUndo(model.weights, optimizer); ... if (await undo.firstNonFinite()) undo.undo(); undo.release();
 */
export class StepUndo {
  private readonly weights: [Variable, Tensor][];
  private readonly optimizerState: NamedWeight[];

  constructor(
    private readonly variables: readonly Variable[],
    private readonly optimizer: Optimizer,
  ) {
    this.weights = variables.map((v) => [v, pin(v)]);
    this.optimizerState = optimizer
      .getWeights()
      .map(({ name, tensor }) => ({ name, tensor: tensor.kept ? pin(tensor) : keep(tensor) }));
  }

  /** Puts every weight and the optimizer state back as they were. */
  undo(): void {
    for (const [v, before] of this.weights) v.handle = before.handle;
    this.optimizer.restoreWeights(this.optimizerState);
  }

  /** Frees what was held (the buffers stay with whoever still uses them). */
  release(): void {
    for (const [, t] of this.weights) t.dispose();
    dispose(this.optimizerState.map((w) => w.tensor));
  }

  /** The name of the first weight holding NaN or ±Infinity, or null when all are finite. */
  firstNonFinite(): Promise<string | null> {
    return firstNonFiniteWeight(this.variables);
  }
}

/**
 * The name of the first variable holding NaN or ±Infinity, or null when all are finite (read
 * at once on CPU backends, after the GPU finishes on others).
 * @example if (await firstNonFiniteWeight(model.weights)) console.log('diverged');
 */
export async function firstNonFiniteWeight(variables: readonly Variable[]): Promise<string | null> {
  if (variables.length === 0) return null;
  // A sum is NaN or infinite whenever one of its terms is, so one reduction per weight (the sums
  // in one vector, one read however many weights there are) clears the usual all-finite case.
  // A sum can also overflow with every term finite: only the weights whose sum is not finite are
  // checked exactly, with x·0 (0 for finite x, NaN otherwise).
  const sums = await probe(variables, (v) => v);
  const suspects = variables.filter((_, i) => !Number.isFinite(sums[i]));
  if (suspects.length === 0) return null;
  const exact = await probe(suspects, (v) => mul(v, 0));
  const bad = exact.findIndex((x) => !Number.isFinite(x));
  return bad < 0 ? null : suspects[bad].name;
}

/** sum(term(v)) for each variable, as float32, in one read. */
async function probe(variables: readonly Variable[], term: (v: Variable) => Tensor): Promise<TypedArray> {
  const probes = scoped(() =>
    noGrad(() =>
      keep(
        concat(
          variables.map((v) => reshape(cast(sum(term(v)), 'float32'), [1])),
          0,
        ),
      ),
    ),
  );
  try {
    return probes.backend.syncReads === false ? await probes.data() : probes.dataSync();
  } finally {
    probes.dispose();
  }
}
