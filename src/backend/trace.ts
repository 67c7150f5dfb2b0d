// Recorded backend calls (see capture.ts) traced back to the sources of their buffers, and two
// such traces of the same code compared: what replay.ts compiles once they agree.
import type { DType, TypedArray } from '../core/dtype.js';
import type { DataHandle, TensorInfo } from './backend.js';
import type { ArgTensor, RecordedCall, Recording } from './capture.js';

/** One recorded run: its calls, and the buffers the caller names as its inputs and outputs. */
export interface Trace {
  readonly recording: Recording;
  readonly inputs: readonly DataHandle[];
  readonly outputs: readonly TensorInfo[];
}

/**
 * Where a buffer of a trace comes from: an input, a call's result, or outside (a constant).
 * @example const ref: Ref = { kind: 'input', index: 0 };
 */
export type Ref =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'result'; readonly call: number; readonly k: number }
  | { readonly kind: 'external'; readonly handle: DataHandle; readonly info: ArgTensor };

/**
 * A trace with every tensor argument and output traced back to its source, holding no buffer
 * but the constants' (what `compileReplay` compares and compiles; `resolveTrace` makes it).
 */
export interface ResolvedTrace {
  readonly calls: RecordedCall[];
  /** Per call, per tensor argument (in `tensorArgs` order), its source. */
  readonly argRefs: Ref[][];
  /** Per call, per result: a new buffer (true) or one that already existed (false: the kernel returned an input). */
  readonly fresh: boolean[][];
  readonly outputs: Ref[];
  readonly outputInfo: readonly { readonly shape: readonly number[]; readonly dtype: DType }[];
  readonly inputCount: number;
  /** Pairs of inputs that were one buffer (a run needs them to be one again). */
  readonly sameInputs: readonly (readonly [number, number])[];
}

/**
 * Whether a recorded argument is a tensor (a buffer, its shape and dtype).
 * @example isArgTensor({ handle: h, shape: [2], dtype: 'float32' }) // true
 */
export function isArgTensor(x: unknown): x is ArgTensor {
  return typeof x === 'object' && x !== null && !ArrayBuffer.isView(x) && 'handle' in x && 'dtype' in x;
}

/**
 * The tensor arguments of a call, depth first, in a fixed order.
 * @example tensorArgs(call.args).length // 2 for a binary kernel
 */
export function tensorArgs(x: unknown, into: ArgTensor[] = []): ArgTensor[] {
  if (isArgTensor(x)) into.push(x);
  else if (Array.isArray(x)) for (const item of x) tensorArgs(item, into);
  else if (x && typeof x === 'object' && !ArrayBuffer.isView(x)) for (const v of Object.values(x)) tensorArgs(v, into);
  return into;
}

/**
 * Traces every buffer of `trace` back to its source, then lets go of the buffers themselves (a
 * step's intermediates stay collectable while the next trace is awaited).
 * @example const first = resolveTrace({ recording, inputs, outputs });
 */
export function resolveTrace(trace: Trace): ResolvedTrace {
  const source = new Map<DataHandle, Ref>();
  trace.inputs.forEach((h, index) => {
    if (!source.has(h)) source.set(h, { kind: 'input', index });
  });
  const calls = trace.recording.calls.filter((c) => c.kind !== 'dispose');
  const refOf = (t: ArgTensor | TensorInfo): Ref => {
    const known = source.get(t.handle);
    if (known) return known;
    const ref: Ref = {
      kind: 'external',
      handle: t.handle,
      info: { handle: t.handle, shape: [...t.shape], dtype: t.dtype },
    };
    source.set(t.handle, ref);
    return ref;
  };
  const argRefs: Ref[][] = [];
  const fresh: boolean[][] = [];
  calls.forEach((c, call) => {
    argRefs.push(tensorArgs(c.args).map(refOf));
    fresh.push(
      c.results.map((h, k) => {
        if (source.has(h)) return false;
        source.set(h, { kind: 'result', call, k });
        return true;
      }),
    );
  });
  const outputs = trace.outputs.map(refOf);
  const sameInputs: [number, number][] = [];
  trace.inputs.forEach((h, j) => {
    const i = trace.inputs.indexOf(h);
    if (i !== j) sameInputs.push([i, j]);
  });
  const forget = (x: unknown): void => {
    if (isArgTensor(x)) (x as { handle: DataHandle | null }).handle = null;
    else if (Array.isArray(x)) x.forEach(forget);
    else if (x && typeof x === 'object' && !ArrayBuffer.isView(x)) Object.values(x).forEach(forget);
  };
  const scrubbed = calls.map((c) => {
    forget(c.args);
    return { ...c, results: c.results.map(() => null as unknown as DataHandle) };
  });
  return {
    calls: scrubbed,
    argRefs,
    fresh,
    outputs,
    outputInfo: trace.outputs.map((t) => ({ shape: [...t.shape], dtype: t.dtype })),
    inputCount: trace.inputs.length,
    sameInputs,
  };
}

function sameRef(a: Ref, b: Ref): boolean {
  if (a.kind === 'input') return b.kind === 'input' && a.index === b.index;
  if (a.kind === 'result') return b.kind === 'result' && a.call === b.call && a.k === b.k;
  return b.kind === 'external' && a.handle === b.handle;
}

/** Equal arguments, tensors compared by shape and dtype only (their sources are compared apart). */
function sameArg(x: unknown, y: unknown): boolean {
  if (isArgTensor(x) || isArgTensor(y)) {
    if (!isArgTensor(x) || !isArgTensor(y)) return false;
    return x.dtype === y.dtype && x.shape.length === y.shape.length && x.shape.every((d, i) => d === y.shape[i]);
  }
  if (ArrayBuffer.isView(x) || ArrayBuffer.isView(y)) {
    const a = x as TypedArray,
      b = y as TypedArray;
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor || a.length !== b.length)
      return false;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    return x.every((v, i) => sameArg(v, y[i]));
  }
  if (x && y && typeof x === 'object' && typeof y === 'object') {
    const kx = Object.keys(x),
      ky = Object.keys(y);
    if (kx.length !== ky.length) return false;
    return kx.every((k) => sameArg((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
  }
  return Object.is(x, y);
}

/**
 * Why a recording cannot be replayed at all, or null: it read values back (what it did may
 * depend on them), called a backend method outside the kernel contract, or drew random numbers
 * other than for random tensors.
 * @example const why = unreplayable(recording);
 */
export function unreplayable(recording: Recording): string | null {
  for (const c of recording.calls) {
    if (c.kind === 'read' && !c.check)
      return `it reads tensor values back during the step (backend '${c.method}'), so what it does may depend on them`;
    if (c.kind === 'other')
      return `it calls backend method '${c.method}', which is not a kernel of the backend contract`;
  }
  if (recording.draws !== recording.drawsForUploads)
    return 'it draws random numbers outside random tensors (host code that may take another branch at every step)';
  return null;
}

/**
 * Why two traces of the same code differ, or null when they ran the same kernels on the same
 * kinds of buffers from the same sources.
 * @example const why = difference(resolveTrace(first), resolveTrace(second));
 */
export function difference(a: ResolvedTrace, b: ResolvedTrace): string | null {
  if (a.calls.length !== b.calls.length)
    return `it ran ${a.calls.length} backend calls in one step and ${b.calls.length} in the next`;
  for (let i = 0; i < a.calls.length; i++) {
    const ca = a.calls[i],
      cb = b.calls[i];
    const where = `backend call ${i + 1} (${cb.method})`;
    if (ca.method !== cb.method) return `${where} was ${ca.method} in the step before`;
    if (ca.results.length !== cb.results.length || a.fresh[i].some((f, k) => f !== b.fresh[i][k]))
      return `${where} returned other buffers than in the step before`;
    if (!!ca.redraw !== !!cb.redraw) return `${where} uploads random values in one step only`;
    if (!!ca.check !== !!cb.check) return `${where} checks values in one step only`;
    const values = ca.kind === 'upload' && !ca.redraw;
    if (values && !sameArg(ca.args, cb.args))
      return `${where} uploads host values that change from step to step (not random draws, which a replay repeats)`;
    if (!values && !ca.redraw && !sameArg(ca.args, cb.args))
      return `${where} has other arguments than in the step before`;
    const ra = a.argRefs[i],
      rb = b.argRefs[i];
    for (let j = 0; j < rb.length; j++) {
      if (sameRef(ra[j], rb[j])) continue;
      if (ra[j].kind === 'external' && rb[j].kind === 'external')
        return `${where} reads a tensor that is neither an input nor made in the step, and it changed between steps`;
      return `${where} reads its tensor argument ${j + 1} from another source than in the step before`;
    }
  }
  for (let j = 0; j < b.outputs.length; j++)
    if (!sameRef(a.outputs[j], b.outputs[j]))
      return `output ${j + 1} comes from another source than in the step before`;
  return null;
}
