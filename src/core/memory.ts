import type { Backend, DataHandle } from '../backend/backend.js';
import type { DType } from './dtype.js';
import { ValueError } from './errors.js';
import { Tensor } from './tensor.js';

/**
 * Memory bookkeeping. Tensors are reclaimed by the garbage collector; a FinalizationRegistry
 * notices when one is collected so `memory()` reports what is really live. Several tensors can
 * share one buffer (reshape views, a variable assigned another tensor's value), so buffers are
 * reference-counted: bytes are counted once, and an explicit dispose frees a buffer only when
 * no other tensor uses it. A backend whose memory the garbage collector cannot see (GPU)
 * registers its own finalizer on its handles.
 */

const BYTES_PER_ELEMENT: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** One backend buffer and how many live tensors use it. */
interface BufferRecord {
  refs: number;
  readonly bytes: number;
  /** Set for backends with `freesOnCollect`: disposed here when the last user is collected. */
  readonly owner: Backend | undefined;
  readonly handle: DataHandle | undefined;
}

/**
 * A tensor's claim on a buffer; `live` turns false once the claim is given back. `registered`
 * says whether the finalization registry watches the tensor (see trackTensor).
 */
export interface Ticket {
  live: boolean;
  registered: boolean;
  readonly buffer: BufferRecord;
}

// The record rides on the handle itself (a symbol property): a WeakMap entry, a WeakRef or an
// unregister token would each cost more than the op that made the tensor.
const RECORD = Symbol('myelin.buffer');
type Tagged = { [RECORD]?: BufferRecord };
const untaggable = new WeakMap<DataHandle, BufferRecord>();

let numTensors = 0;
let numDataBuffers = 0;
let numBytes = 0;

const collected = new FinalizationRegistry<Ticket>((ticket) => {
  if (ticket.live && release(ticket)) ticket.buffer.owner?.dispose(ticket.buffer.handle!);
});

function recordOf(handle: DataHandle): BufferRecord | undefined {
  return (handle as Tagged)[RECORD] ?? untaggable.get(handle);
}

function acquireBuffer(handle: DataHandle, size: number, dtype: DType, be: Backend): BufferRecord {
  let record = recordOf(handle);
  if (!record) {
    const owned = be.freesOnCollect === true;
    record = {
      refs: 0,
      bytes: size * BYTES_PER_ELEMENT[dtype],
      owner: owned ? be : undefined,
      handle: owned ? handle : undefined,
    };
    if (Object.isExtensible(handle)) (handle as Tagged)[RECORD] = record;
    else untaggable.set(handle, record);
    numDataBuffers++;
    numBytes += record.bytes;
  }
  record.refs++;
  return record;
}

/** Gives a ticket back; returns true when its buffer has no other user (and may be freed). */
function release(ticket: Ticket): boolean {
  ticket.live = false;
  numTensors--;
  if (--ticket.buffer.refs > 0) return false;
  numDataBuffers--;
  numBytes -= ticket.buffer.bytes;
  return true;
}

/** Has the garbage collector watch `t`, so its memory is reclaimed if nobody disposes it. */
function watch(t: Tensor, ticket: Ticket): void {
  if (ticket.registered || !ticket.live) return;
  ticket.registered = true;
  collected.register(t, ticket, ticket);
}

/**
 * Called by the Tensor constructor (and when a Variable's handle changes): counts the tensor
 * until it is disposed or garbage collected. A tensor made inside a scope is only listed there:
 * the scope disposes it or, if it survives, hands it on or has the garbage collector watch it
 * then. Registering costs about as much as a small op, and a training step makes dozens of
 * intermediates that its scope frees anyway. @internal
 */
export function trackTensor(t: Tensor): Ticket {
  numTensors++;
  const ticket: Ticket = { live: true, registered: false, buffer: acquireBuffer(t.handle, t.size, t.dtype, t.backend) };
  if (scopes.length > 0) {
    const scope = scopes[scopes.length - 1];
    scope.tensors.push(t);
    scope.tickets.push(ticket);
  } else watch(t, ticket);
  return ticket;
}

/** The tensors (and their tickets, in step) created while a scope was open. */
interface Scope {
  tensors: Tensor[];
  tickets: Ticket[];
}

/**
 * Open scopes, innermost last. `tidy` and the trainer's per-batch scope dispose their tensors at
 * the end, so backends whose memory the garbage collector cannot see (WebAssembly, GPU) stay
 * flat without user action.
 */
const scopes: Scope[] = [];

function collect(container: unknown, into: Set<Tensor>, depth = 0): void {
  if (depth > 32 || container === null || typeof container !== 'object') return;
  if (container instanceof Tensor) {
    into.add(container);
    return;
  }
  if (Array.isArray(container)) {
    for (const item of container) collect(item, into, depth + 1);
    return;
  }
  const proto = Object.getPrototypeOf(container);
  if (proto === Object.prototype || proto === null)
    for (const item of Object.values(container)) collect(item, into, depth + 1);
}

/** Whether a gradient tape is recording; installed by the tape (core does not import autograd). */
let recording: () => boolean = () => false;

/**
 * Tells scopes how to see whether a gradient tape is recording: while one is, a closing scope
 * cannot know which of its tensors the tape's backward rules still need. @internal
 */
export function setRecordingProbe(probe: () => boolean): void {
  recording = probe;
}

/**
 * Disposes the tensors of the innermost scope except `keep` (handed to the enclosing scope),
 * kept tensors and variables. Returns the tensors it created that survive through `keep`.
 * While a gradient tape is recording (a `tidy` inside a gradient function, as in TF.js code)
 * nothing is disposed: the backward pass may need any of them, so they are all handed to the
 * enclosing scope, which the gradient call closes once the gradients are computed.
 */
function closeScope(keepSet: Set<Tensor>): Tensor[] {
  const scope = scopes.pop() as Scope;
  const parent = scopes[scopes.length - 1];
  const hold = recording();
  const survivors: Tensor[] = [];
  for (let i = 0; i < scope.tensors.length; i++) {
    const t = scope.tensors[i],
      ticket = scope.tickets[i];
    // A stale entry: disposed, or a variable whose handle has changed since.
    if (!ticket.live || t.isDisposed) continue;
    if (t.kept) {
      watch(t, ticket);
    } else if (keepSet.has(t) || hold) {
      if (parent) {
        parent.tensors.push(t);
        parent.tickets.push(ticket);
      } else watch(t, ticket);
      if (keepSet.has(t)) survivors.push(t);
    } else t.dispose();
  }
  return survivors;
}

/**
 * Runs `fn` in a scope: every tensor created inside and not reachable from the result (a tensor,
 * or tensors in arrays and plain objects) is disposed when it returns. @internal
 */
export function scoped<T>(fn: () => T): T {
  return scopedWithSurvivors(fn).result;
}

/**
 * `scoped`, also returning the tensors created inside that survive as part of the result, so
 * the caller can dispose exactly those later (and never tensors it was given). @internal
 */
export function scopedWithSurvivors<T>(fn: () => T): { result: T; survivors: Tensor[] } {
  scopes.push({ tensors: [], tickets: [] });
  let result: T;
  try {
    result = fn();
  } catch (e) {
    closeScope(new Set());
    throw e;
  }
  const keepSet = new Set<Tensor>();
  collect(result, keepSet);
  return { result, survivors: closeScope(keepSet) };
}

/**
 * Called on dispose (and before a Variable's handle changes). Returns true when the buffer has
 * no other user, so the caller may free it. @internal
 */
export function releaseTicket(ticket: Ticket): boolean {
  if (!ticket.live) return false;
  // Dropping the registry's cell matters more than it looks: V8's young-generation collector
  // keeps a registered object alive, so a disposed tensor left registered is promoted to the
  // old generation and a training loop's heap climbs until a full collection.
  if (ticket.registered) collected.unregister(ticket);
  return release(ticket);
}

/** Live memory as TF.js reports it. */
export interface MemoryInfo {
  /** Tensors not yet disposed or garbage collected. */
  numTensors: number;
  /** Distinct backend buffers behind them (views share one). */
  numDataBuffers: number;
  /** Bytes held by those buffers. */
  numBytes: number;
}

/**
 * How many tensors and bytes are live. Tensors that are garbage but not yet collected still
 * count until the garbage collector runs.
 * @example console.log(memory().numTensors);
 */
export function memory(): MemoryInfo {
  return { numTensors, numDataBuffers, numBytes };
}

/**
 * Runs `fn` and disposes every tensor it created except those in its result (TF.js `tidy`).
 * Never needed for correctness: memory is also reclaimed by the garbage collector, and `fit`,
 * `evaluate` and `predict` scope each batch themselves. It frees memory sooner in custom loops
 * on the WebAssembly backend. A tensor created inside and used after it returns must be part of
 * the result or marked with `keep`. An optional name comes first, as in TF.js.
 * @example const loss = tidy(() => x.square().sum());
 */
export function tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T {
  const f = typeof nameOrFn === 'function' ? nameOrFn : fn;
  if (typeof f !== 'function') throw new ValueError('tidy: expected a function (or a name and a function)');
  return scoped(() => {
    const result = f();
    if (result instanceof Promise)
      throw new ValueError('tidy: the function must not return a Promise (tidy is synchronous)');
    return result;
  });
}

/** Anything `dispose` walks: tensors, possibly nested in arrays and plain objects. */
export type TensorContainer =
  | Tensor
  | null
  | undefined
  | number
  | string
  | boolean
  | readonly TensorContainer[]
  | { [key: string]: TensorContainer };

/**
 * Frees the memory of every tensor in `container` now instead of at garbage collection.
 * Using a disposed tensor afterwards throws.
 * @example dispose([a, b, { c }]);
 */
export function dispose(container: TensorContainer): void {
  if (container instanceof Tensor) container.dispose();
  else if (Array.isArray(container)) for (const item of container) dispose(item);
  else if (container && typeof container === 'object')
    for (const item of Object.values(container)) dispose(item as TensorContainer);
}

/**
 * Marks a tensor to survive every enclosing `tidy` and the trainer's per-batch scopes (for
 * caches and state carried across batches). It is still freed when garbage collected.
 * @example const w = keep(tensor([1]));
 */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  keptSoFar++;
  return t;
}

let keptSoFar = 0;

/**
 * How many times `keep` has been called: code that compares it before and after a call learns
 * whether the call held on to tensors past its return (a stateful layer's carried states). @internal
 * @example const before = keepCount(); run(); const heldState = keepCount() !== before;
 */
export function keepCount(): number {
  return keptSoFar;
}
