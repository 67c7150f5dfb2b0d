// The inference pass of `predict`, captured at the backend-call level and replayed: the same
// mechanism as the training step's (replay_step.ts), for the forward pass alone.
import { recordCalls } from '../backend/capture.js';
import { backend } from '../backend/registry.js';
import type { Backend, DataHandle, TensorInfo } from '../backend/backend.js';
import { type ReplayProgram, compileReplay } from '../backend/replay.js';
import { type ResolvedTrace, resolveTrace, unreplayable } from '../backend/trace.js';
import { keepCount } from '../core/memory.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { wrap } from '../ops/convert.js';
// The same limits as the training step's: traces compared before a pass that differs from one
// call to the next is given up on, and input shapes captured per model.
import { MAX_SHAPES, MAX_TRACES, replayUnsupported } from './replay_step.js';
import type { TrainableModel } from './trainable_model.js';

/** The captured pass of one input signature: traces until two agree, then a program, or why not. */
interface Capture {
  readonly weights: readonly Variable[];
  readonly layers: readonly unknown[];
  traces: number;
  last: ResolvedTrace | null;
  program: ReplayProgram | null;
  refused: string | null;
  outputs: readonly { readonly shape: readonly number[]; readonly dtype: Tensor['dtype'] }[];
}

const captures = new WeakMap<TrainableModel, Map<string, Capture>>();

const sameList = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** The model's layers where it has a list of them (a layer added or removed changes the pass). */
function layersOf(model: TrainableModel): readonly unknown[] {
  const layers = (model as { layers?: unknown }).layers;
  return Array.isArray(layers) ? layers : [];
}

function signature(be: Backend, xs: readonly Tensor[]): string {
  return `${be.name}|${xs.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(' ')}`;
}

/**
 * The model's outputs for `xs` in inference mode: `model.forward(xs, false).outputs`, replayed
 * where captured. Per input signature (backend, shapes and dtypes), the ordinary pass runs
 * while its kernel calls are recorded until two consecutive calls ran the same kernels on the
 * same kinds of buffers; from then on the recorded kernels run directly on the inputs' and
 * weights' current buffers (so new weight values, from `setWeights` or training, are used as
 * they are), without tensors, shape checks or per-layer dispatch. The results are those of the
 * ordinary pass bit for bit: the same kernels on the same values in the same order. A pass that
 * reads values back, draws random numbers, keeps tensors past its return (a stateful layer's
 * carried states) or differs between calls always runs the ordinary way, as does any call whose
 * model has other weights or layers than when captured, a model compiled with
 * `jitCompile: false`, and a backend that reads memory asynchronously. Call inside a scope
 * without gradient recording (as `predict` does).
 * @example const [y] = inferenceOutputs(model, [x]);
 */
export function inferenceOutputs(model: TrainableModel, xs: Tensor[]): Tensor[] {
  const ordinary = () => model.forward(xs, false).outputs;
  const be = backend();
  if (model.compiled?.jitCompile === false || replayUnsupported(be) || xs.some((t) => t.backend !== be))
    return ordinary();
  const weights = model.weights;
  if (weights.some((v) => v.backend !== be)) return ordinary();
  const capture = captureFor(model, signature(be, xs), weights);
  if (capture.refused) return ordinary();
  const inputs: DataHandle[] = xs.map((t) => t.handle);
  for (const v of weights) inputs.push(v.handle);
  if (capture.program) {
    const out = capture.program.run(inputs);
    if (!out) return ordinary();
    return out.map((h, i) => wrap(h, capture.outputs[i].shape, capture.outputs[i].dtype));
  }
  return trace(be, capture, inputs, ordinary);
}

/**
 * Lets go of the model's captured inference passes and the constants they hold (a disposed model).
 * @example releaseInferenceCaptures(model);
 */
export function releaseInferenceCaptures(model: TrainableModel): void {
  for (const c of captures.get(model)?.values() ?? []) c.program?.release();
  captures.delete(model);
}

function captureFor(model: TrainableModel, key: string, weights: readonly Variable[]): Capture {
  let byShape = captures.get(model);
  if (!byShape) captures.set(model, (byShape = new Map()));
  const layers = layersOf(model);
  let c = byShape.get(key);
  if (c && (!sameList(c.weights, weights) || !sameList(c.layers, layers))) {
    c.program?.release();
    byShape.delete(key);
    c = undefined;
  }
  if (!c) {
    c = { weights, layers: [...layers], traces: 0, last: null, program: null, refused: null, outputs: [] };
    if (byShape.size >= MAX_SHAPES) {
      const [oldest, dropped] = byShape.entries().next().value as [string, Capture];
      dropped.program?.release();
      byShape.delete(oldest);
    }
    byShape.set(key, c);
  }
  return c;
}

/** Runs the ordinary pass while recording it; compiles once two traces agree. */
function trace(be: Backend, c: Capture, inputs: DataHandle[], run: () => Tensor[]): Tensor[] {
  const kept = keepCount();
  const { result, recording } = recordCalls(be, run);
  c.traces++;
  const outputs: TensorInfo[] = result;
  c.outputs = result.map((t) => ({ shape: [...t.shape], dtype: t.dtype }));
  const why = unreplayable(recording);
  if (why) return refuse(c, why, result);
  if (keepCount() !== kept) {
    // Held state (or a cache made on a first call): never replayed unless a later call holds none.
    c.last = null;
    return c.traces >= MAX_TRACES ? refuse(c, 'it keeps tensors past the call', result) : result;
  }
  const resolved = resolveTrace({ recording, inputs, outputs });
  if (c.last) {
    const program = compileReplay(be, c.last, resolved);
    if (typeof program !== 'string' && program.outputsAreFresh) {
      c.program = program;
      c.last = null;
      return result;
    }
    if (typeof program !== 'string') program.release();
    if (c.traces >= MAX_TRACES)
      return refuse(c, typeof program === 'string' ? program : 'an output is not computed by the pass', result);
  }
  c.last = resolved;
  return result;
}

function refuse(c: Capture, why: string, result: Tensor[]): Tensor[] {
  c.refused = why;
  c.last = null;
  return result;
}
