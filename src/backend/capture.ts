// Recording the calls a piece of code makes on a backend (tinygrad's TinyJit capture), so that
// backend/replay.ts can run the same kernels again without the code that chose them.
import type { DType, TypedArray } from '../core/dtype.js';
import { rngDraws } from '../core/rng.js';
import { type Backend, type DataHandle, type TensorInfo, kernelNames } from './backend.js';

/**
 * What a backend call is to a replay: a kernel (computes new buffers from its arguments), an
 * upload of host values, a read back to the host, a dispose, or another method of the backend
 * that is not part of the contract.
 */
export type CallKind = 'kernel' | 'upload' | 'read' | 'dispose' | 'other';

/** A tensor argument as it was at the call (a replay swaps in the buffer of its own run). */
export interface ArgTensor {
  handle: DataHandle;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** One call on the recorded backend, made from outside it (calls a kernel makes on its own backend are its business). */
export interface RecordedCall {
  readonly method: string;
  readonly kind: CallKind;
  /** The arguments as they were: tensors as `ArgTensor`s, typed arrays copied. */
  readonly args: unknown[];
  /** The buffers it returned (several for a kernel that returns a tuple). */
  readonly results: DataHandle[];
  readonly tuple: boolean;
  /** For an upload of values host code draws afresh at every call: how to draw them again. */
  redraw?: () => TypedArray;
  /** For a read whose values are only checked: the check (it throws on a value it refuses). */
  check?: (values: TypedArray) => void;
}

/** The calls, in order, and the random numbers drawn while they were recorded. */
export class Recording {
  readonly calls: RecordedCall[] = [];
  /** 32-bit random draws made in all while recording, and those made for `uploadDrawn` values. */
  draws = 0;
  drawsForUploads = 0;
}

const KERNELS = new Set(kernelNames);

function kindOf(method: string): CallKind {
  if (KERNELS.has(method)) return 'kernel';
  if (method === 'upload') return 'upload';
  if (method === 'read' || method === 'readAsync') return 'read';
  if (method === 'dispose') return 'dispose';
  return 'other';
}

function isTensorInfo(x: object): x is TensorInfo {
  return 'handle' in x && 'shape' in x && 'dtype' in x;
}

/** The argument as it is now: tensors reduced to their current buffer, typed arrays copied. */
function snapshot(x: unknown): unknown {
  if (x === null || typeof x !== 'object') return x;
  if (ArrayBuffer.isView(x)) return (x as TypedArray).slice();
  if (Array.isArray(x)) return x.map(snapshot);
  if (isTensorInfo(x)) return { handle: x.handle, shape: [...x.shape], dtype: x.dtype } satisfies ArgTensor;
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) return x;
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, snapshot(v)]));
}

function methodNames(be: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = be; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(o)))
      if (name !== 'constructor' && typeof d.value === 'function') names.add(name);
  }
  return [...names];
}

let active: { readonly be: Backend; readonly recording: Recording } | null = null;
/** Above 0 inside a recorded call: the calls a backend makes on itself are not recorded. */
let depth = 0;

/** Wraps every method of `be` to append its calls to `recording`; returns what undoes it. */
function tap(be: Backend, recording: Recording): () => void {
  const target = be as unknown as Record<string, unknown>;
  const undo: (() => void)[] = [];
  for (const method of methodNames(be)) {
    const original = target[method] as (...args: unknown[]) => unknown;
    const own = Object.hasOwn(target, method);
    const kind = kindOf(method);
    target[method] = function (this: unknown, ...args: unknown[]): unknown {
      if (depth > 0) return original.apply(this, args);
      depth++;
      let result: unknown;
      try {
        result = original.apply(this, args);
      } finally {
        depth--;
      }
      const tuple = Array.isArray(result);
      recording.calls.push({
        method,
        kind,
        args: kind === 'dispose' ? [] : args.map(snapshot),
        results:
          kind === 'kernel' || kind === 'upload'
            ? tuple
              ? [...(result as DataHandle[])]
              : [result as DataHandle]
            : [],
        tuple,
      });
      return result;
    };
    undo.push(() => {
      if (own) target[method] = original;
      else delete target[method];
    });
  }
  return () => {
    for (const u of undo) u();
  };
}

/**
 * Runs `fn`, recording every call it makes on backend `be` (and the random numbers drawn
 * meanwhile). Recordings do not nest.
 * @example const { result, recording } = recordCalls(backend(), () => add(x, y)); recording.calls[0].method; // 'binary'
 */
export function recordCalls<T>(be: Backend, fn: () => T): { result: T; recording: Recording } {
  if (active) throw new Error('internal: a backend recording is already running');
  const recording = new Recording();
  const untap = tap(be, recording);
  active = { be, recording };
  const before = rngDraws();
  try {
    const result = fn();
    recording.draws = rngDraws() - before;
    return { result, recording };
  } finally {
    active = null;
    untap();
  }
}

/**
 * Reads `t` only to check its values (`check` throws on one it refuses). While a recording runs,
 * the read is marked so that a replay reads that run's values and checks them again, so a
 * replayed step refuses bad input as the recorded code does; any other read makes a recording
 * unreplayable (what the code did next may depend on the values).
 * @example checkedRead(be, ids, (v) => { if (v.some((x) => x < 0)) throw new Error('negative id'); });
 */
export function checkedRead(be: Backend, t: TensorInfo, check: (values: TypedArray) => void): void {
  const recording = active?.be === be ? active.recording : null;
  const values = be.read(t);
  const last = recording?.calls.at(-1);
  if (last?.method === 'read') last.check = check;
  check(values);
}

/**
 * Uploads values that host code draws afresh at every call (random masks, noise): `produce`
 * makes them. While a recording runs, the upload is marked so that a replay calls `produce`
 * again instead of reusing the recorded values, and the generator advances as it would.
 * @example const h = uploadDrawn(be, 'float32', () => Float32Array.from([Math.random()]));
 */
export function uploadDrawn(be: Backend, dtype: DType, produce: () => TypedArray): DataHandle {
  const recording = active?.be === be ? active.recording : null;
  const before = rngDraws();
  const values = produce();
  if (recording) recording.drawsForUploads += rngDraws() - before;
  const handle = be.upload(values, dtype);
  const last = recording?.calls.at(-1);
  if (last?.kind === 'upload' && last.results[0] === handle) last.redraw = produce;
  return handle;
}
