import { recordCalls } from '../backend/capture.js';
import { backend } from '../backend/registry.js';
import type { Backend, DataHandle, TensorInfo } from '../backend/backend.js';
import { type ReplayProgram, compileReplay } from '../backend/replay.js';
import { type ResolvedTrace, resolveTrace, unreplayable } from '../backend/trace.js';
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { wrap } from '../ops/convert.js';
import type { CompiledState } from './compile.js';
import { type StepTensors, forwardBackward } from './step.js';
import type { TrainableModel } from './trainable_model.js';

/** Traces compared before a step that differs from one to the next is given up on. */
export const MAX_TRACES = 3;
/**
 * Batch shapes captured per compiled model (full batches, the last partial one, a dataset's odd
 * ones); once that many have been dropped for new ones, shapes that keep changing run op by op.
 */
export const MAX_SHAPES = 4;

/** The captured step of one batch shape: traces until two agree, then a program, or why not. */
interface Capture {
  readonly weights: readonly Variable[];
  readonly trainable: readonly Variable[];
  traces: number;
  last: ResolvedTrace | null;
  program: ReplayProgram | null;
  refused: string | null;
  /** Shapes and dtypes of the outputs: loss, output losses, outputs, gradients, then weights. */
  outputs: readonly TensorInfo[];
  outputCount: number;
}

function signature(be: Backend, xs: Tensor[], ys: Tensor[], sampleWeight: Tensor | undefined): string {
  const part = (t: Tensor | undefined) => (t ? `${t.dtype}[${t.shape.join(',')}]` : '-');
  return `${be.name}|${xs.map(part).join(' ')}|${ys.map(part).join(' ')}|${part(sampleWeight)}`;
}

const sameList = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Why this model's training step cannot be captured on backend `be` before trying, or null.
 * @example const why = replayUnsupported(backend()); // null on 'ref' and 'wasm'
 */
export function replayUnsupported(be: Backend): string | null {
  if (be.syncReads === false) return `backend '${be.name}' reads memory asynchronously, so its steps run op by op`;
  return null;
}

/**
 * The forward and backward pass of the training step (`forwardBackward`: loss, outputs and
 * gradients), captured at the backend-call level and replayed (tinygrad's TinyJit). Per batch
 * shape, the ordinary pass runs while its kernel calls are recorded until two consecutive steps
 * ran the same kernels on the same kinds of buffers; from then on the recorded kernels run
 * directly on the batch's and the weights' current buffers, without tensors, tape, shape checks
 * or dispatch. The update, the loss read, the metrics and the divergence check stay the
 * ordinary ones (trainBatch), so learning-rate schedules, iteration counts, weight decay,
 * clipping, constraints and rollback need nothing here. Random tensors (dropout, noise) are
 * drawn afresh at every replay, in the recorded order. A step that reads values back, draws
 * random numbers otherwise, or differs between two steps is never replayed: it runs op by op,
 * and with `jitCompile: true` that is an error naming why.
 * @example const replay = new ReplayedPass(model, state, 'fit'); await trainBatch(model, state, tracker, makeBatch, replay.pass);
 */
export class ReplayedPass {
  /** Why the last capture was given up, if one was. */
  refusal: string | null = null;
  /** Passes replayed so far (the rest ran op by op). */
  replayed = 0;

  constructor(
    private readonly model: TrainableModel,
    private readonly state: CompiledState,
    private readonly call: string,
  ) {}

  /** `forwardBackward`, replayed where captured. */
  readonly pass = (
    model: TrainableModel,
    state: CompiledState,
    xs: Tensor[],
    ys: Tensor[],
    sampleWeight?: Tensor,
  ): StepTensors => {
    const be = backend();
    const all = sampleWeight ? [...xs, ...ys, sampleWeight] : [...xs, ...ys];
    if (model !== this.model || state !== this.state || replayUnsupported(be) || all.some((t) => t.backend !== be))
      return forwardBackward(model, state, xs, ys, sampleWeight);
    const capture = this.captureFor(signature(be, xs, ys, sampleWeight));
    if (capture.refused) return forwardBackward(model, state, xs, ys, sampleWeight);
    const weights = capture.weights;
    const inputs: DataHandle[] = all.map((t) => t.handle);
    for (const v of weights) {
      if (v.backend !== be) return forwardBackward(model, state, xs, ys, sampleWeight);
      inputs.push(v.handle);
    }
    if (capture.program) {
      const out = capture.program.run(inputs);
      if (out) {
        this.replayed++;
        return this.unpack(capture, out);
      }
      return forwardBackward(model, state, xs, ys, sampleWeight);
    }
    return this.trace(be, capture, inputs, () => forwardBackward(model, state, xs, ys, sampleWeight));
  };

  private captureFor(key: string): Capture {
    const captures = capturesOf(this.state);
    const weights = this.model.weights,
      trainable = this.model.trainableWeights;
    let c = captures.get(key);
    // Weights added, removed, frozen or unfrozen since: the pass computes other gradients.
    if (c && (!sameList(c.weights, weights) || !sameList(c.trainable, trainable))) {
      c.program?.release();
      captures.delete(key);
      c = undefined;
    }
    if (!c) {
      c = { weights, trainable, traces: 0, last: null, program: null, refused: null, outputs: [], outputCount: 0 };
      if (captures.size >= MAX_SHAPES) {
        if (++captures.dropped > MAX_SHAPES) {
          c.refused = `its batch shapes keep changing (more than ${2 * MAX_SHAPES} so far)`;
          this.refusal = c.refused;
          if (this.state.jitCompile === true)
            throw new ValueError(
              `${this.call}: jitCompile is true but the training step cannot be captured: ${c.refused}`,
            );
          return c;
        }
        const [oldest, dropped] = captures.entries().next().value as [string, Capture];
        dropped.program?.release();
        captures.delete(oldest);
      }
      captures.set(key, c);
    }
    return c;
  }

  /** Runs the ordinary pass while recording it; compiles once two traces agree. */
  private trace(be: Backend, c: Capture, inputs: DataHandle[], run: () => StepTensors): StepTensors {
    const { result, recording } = recordCalls(be, run);
    const outputs: TensorInfo[] = [
      result.loss,
      ...result.outputLosses,
      ...result.outputs,
      ...result.grads,
      ...c.weights.map((v) => ({ handle: v.handle, shape: v.shape, dtype: v.dtype })),
    ];
    c.traces++;
    c.outputs = outputs.map((t) => ({ handle: t.handle, shape: [...t.shape], dtype: t.dtype }));
    c.outputCount = result.outputs.length;
    const why = unreplayable(recording);
    if (why) return this.refuse(c, why, result);
    const trace = resolveTrace({ recording, inputs, outputs });
    if (c.last) {
      const program = compileReplay(be, c.last, trace);
      if (typeof program !== 'string') {
        c.program = program;
        c.last = null;
        return result;
      }
      if (c.traces >= MAX_TRACES) return this.refuse(c, program, result);
    }
    c.last = trace;
    return result;
  }

  private refuse(c: Capture, why: string, result: StepTensors): StepTensors {
    c.refused = why;
    c.last = null;
    this.refusal = why;
    if (this.state.jitCompile === true)
      throw new ValueError(`${this.call}: jitCompile is true but the training step cannot be captured: ${why}`);
    return result;
  }

  /** The replay's output buffers as the pass's tensors; weights the pass changed take their new buffers. */
  private unpack(c: Capture, out: DataHandle[]): StepTensors {
    const info = c.outputs;
    const tensors = (from: number, to: number) => {
      const ts: Tensor[] = [];
      for (let i = from; i < to; i++) ts.push(wrap(out[i], info[i].shape, info[i].dtype));
      return ts;
    };
    const nOut = c.outputCount,
      nLosses = this.state.losses.length,
      nGrads = c.trainable.length;
    let at = 0;
    const [loss] = tensors(at, (at += 1));
    const outputLosses = tensors(at, (at += nLosses));
    const outputs = tensors(at, (at += nOut));
    const grads = tensors(at, (at += nGrads));
    c.weights.forEach((v, i) => {
      const h = out[at + i];
      if (h !== v.handle) v.handle = h;
    });
    return { loss, outputLosses, outputs, grads };
  }
}

/** The captures of one compiled model by batch signature, and how many were dropped for new ones. */
class Captures extends Map<string, Capture> {
  dropped = 0;
}

const captures = new WeakMap<CompiledState, Captures>();

/** Captures live with the compiled state, so later fits and trainOnBatch calls reuse them. */
function capturesOf(state: CompiledState): Captures {
  let m = captures.get(state);
  if (!m) captures.set(state, (m = new Captures()));
  return m;
}
