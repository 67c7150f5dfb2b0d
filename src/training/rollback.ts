import { noGrad } from '../autograd/tape.js';
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
  // x·0 is 0 for finite x and NaN otherwise: one sum per weight tells whether it is finite, and
  // the sums in one vector are one read, however many weights there are.
  const probes = scoped(() =>
    noGrad(() =>
      keep(
        concat(
          variables.map((v) => reshape(cast(sum(mul(v, 0)), 'float32'), [1])),
          0,
        ),
      ),
    ),
  );
  try {
    const values = probes.backend.syncReads === false ? await probes.data() : probes.dataSync();
    const bad = values.findIndex((x) => !Number.isFinite(x));
    return bad < 0 ? null : variables[bad].name;
  } finally {
    probes.dispose();
  }
}
