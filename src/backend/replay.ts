// Replaying recorded backend calls (see capture.ts): two recordings of the same code are checked
// against each other, then compiled into a list of kernel calls over numbered buffers that runs
// without the code that made them (no tensors, no tape, no shape checks, no dispatch).
import type { DType, TypedArray } from '../core/dtype.js';
import { keep } from '../core/memory.js';
import { Tensor } from '../core/tensor.js';
import type { Backend, DataHandle, TensorInfo } from './backend.js';
import type { ArgTensor, RecordedCall, Recording } from './capture.js';

/** One recorded run: its calls, and the buffers the caller names as its inputs and outputs. */
export interface Trace {
  readonly recording: Recording;
  readonly inputs: readonly DataHandle[];
  readonly outputs: readonly TensorInfo[];
}

/** Where a buffer of a trace comes from: an input, a call's result, or outside (a constant). */
type Ref =
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

function isArgTensor(x: unknown): x is ArgTensor {
  return typeof x === 'object' && x !== null && !ArrayBuffer.isView(x) && 'handle' in x && 'dtype' in x;
}

/** The tensor arguments of a call, depth first, in a fixed order. */
function tensorArgs(x: unknown, into: ArgTensor[] = []): ArgTensor[] {
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

/** Why two traces of the same code differ, or null when they ran the same kernels on the same kinds of buffers. */
function difference(a: ResolvedTrace, b: ResolvedTrace): string | null {
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

/** One call of the compiled program. */
interface Step {
  readonly fn: (...args: unknown[]) => unknown;
  readonly args: unknown[];
  /** Tensor arguments whose buffer changes from run to run, and the slot each takes it from. */
  readonly bind: ArgTensor[];
  readonly bindSlot: number[];
  /** Slot per result; UNUSED: freed at once; ALIAS: an existing buffer, nothing to keep. */
  readonly out: number[];
  readonly tuple: boolean;
  readonly redraw: (() => TypedArray) | undefined;
  readonly uploadDtype: DType | undefined;
  /** A check of the values read (a `checkedRead`), run on this run's values. */
  readonly check: ((values: TypedArray) => void) | undefined;
  /** Slots whose last reader this step is (freed after it). */
  readonly frees: number[];
}

const UNUSED = -1;
const ALIAS = -2;

/** Deep copy of recorded arguments, with tensor arguments as fresh objects the program owns. */
function cloneArgs(x: unknown, into: ArgTensor[]): unknown {
  if (isArgTensor(x)) {
    const t: ArgTensor = { handle: x.handle, shape: x.shape, dtype: x.dtype };
    into.push(t);
    return t;
  }
  if (Array.isArray(x)) return x.map((v) => cloneArgs(v, into));
  if (x && typeof x === 'object' && !ArrayBuffer.isView(x))
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, cloneArgs(v, into)]));
  return x;
}

/**
 * A compiled recording: `run` calls the recorded kernels on new input buffers and returns the
 * output buffers; constants (buffers made outside the step, and everything computed from them
 * alone) are made once and held until `release`. Results come out bit for bit as the recorded
 * code would compute them, since the same kernels run on the same values in the same order.
 * @example const program = compileReplay(be, first, second); if (typeof program !== 'string') program.run(inputs);
 */
export class ReplayProgram {
  private readonly slots: (DataHandle | undefined)[];
  private released = false;

  constructor(
    private readonly be: Backend,
    private readonly steps: readonly Step[],
    slotCount: number,
    private readonly firstProduced: number,
    private readonly inputCount: number,
    private readonly outputSlots: readonly number[],
    /** Pairs of inputs that were one buffer when recorded (a run needs them to be one again). */
    private readonly sameInputs: readonly (readonly [number, number])[],
    constants: readonly [number, DataHandle][],
    /** Tensors holding the constants' buffers, so nothing frees them while the program lives. */
    private readonly pins: readonly Tensor[],
  ) {
    this.slots = new Array(slotCount).fill(undefined);
    for (const [slot, h] of constants) this.slots[slot] = h;
  }

  /** Kernel calls a run makes. */
  get length(): number {
    return this.steps.length;
  }

  /**
   * Runs the program on `inputs` (buffers in the order the traces named them). Returns the output
   * buffers, which the caller owns, or null when the inputs share buffers otherwise than when
   * recorded (the program would read the wrong one).
   */
  run(inputs: readonly DataHandle[]): DataHandle[] | null {
    if (this.released) throw new Error('internal: a released replay program was run');
    if (inputs.length !== this.inputCount) throw new Error('internal: replay program run with the wrong inputs');
    for (const [i, j] of this.sameInputs) if (inputs[i] !== inputs[j]) return null;
    const s = this.slots,
      be = this.be,
      steps = this.steps;
    for (let i = 0; i < inputs.length; i++) s[i] = inputs[i];
    let at = 0;
    try {
      for (; at < steps.length; at++) {
        const st = steps[at];
        for (let b = 0; b < st.bind.length; b++) st.bind[b].handle = s[st.bindSlot[b]] as DataHandle;
        if (st.check) st.check(be.read(st.args[0] as TensorInfo));
        else this.keep(st, st.redraw ? be.upload(st.redraw(), st.uploadDtype as DType) : st.fn.apply(be, st.args));
        for (let f = 0; f < st.frees.length; f++) be.dispose(s[st.frees[f]] as DataHandle);
      }
      return this.outputSlots.map((k) => s[k] as DataHandle);
    } catch (e) {
      this.freeAfterFailure(at);
      throw e;
    } finally {
      for (let k = this.firstProduced; k < s.length; k++) s[k] = undefined;
      for (let i = 0; i < inputs.length; i++) s[i] = undefined;
    }
  }

  /** Puts a step's result buffers in their slots (and frees those nobody reads). */
  private keep(st: Step, result: unknown): void {
    const s = this.slots;
    if (!st.tuple) {
      if (st.out[0] >= 0) s[st.out[0]] = result as DataHandle;
      else if (st.out[0] === UNUSED) this.be.dispose(result as DataHandle);
      return;
    }
    const hs = result as DataHandle[];
    for (let k = 0; k < hs.length; k++) {
      const slot = st.out[k];
      if (slot >= 0) s[slot] = hs[k];
      else if (slot === UNUSED) this.be.dispose(hs[k]);
    }
  }

  /** Frees what the steps before `failed` made and had not freed yet. */
  private freeAfterFailure(failed: number): void {
    const freed = new Set<number>();
    for (let i = 0; i < failed; i++) for (const f of this.steps[i].frees) freed.add(f);
    for (let k = this.firstProduced; k < this.slots.length; k++) {
      const h = this.slots[k];
      if (h !== undefined && !freed.has(k)) this.be.dispose(h);
    }
  }

  /** Lets go of the constants (the program cannot run afterwards). */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const p of this.pins) p.dispose();
  }
}

/**
 * Checks two traces of the same code against each other and compiles the second into a
 * `ReplayProgram`, or says why it cannot be replayed: the code read values back, drew random
 * numbers outside random tensors, called something other than a kernel, or ran other kernels,
 * on other shapes or sources, or uploaded other host values in the two runs.
 * @example const program = compileReplay(backend(), traceOfStep2, traceOfStep3);
 */
export function compileReplay(
  be: Backend,
  first: Trace | ResolvedTrace,
  second: Trace | ResolvedTrace,
): ReplayProgram | string {
  for (const t of [first, second]) {
    const why = 'recording' in t ? unreplayable(t.recording) : null;
    if (why) return why;
  }
  const a = 'recording' in first ? resolveTrace(first) : first,
    b = 'recording' in second ? resolveTrace(second) : second;
  if (a.inputCount !== b.inputCount || a.outputs.length !== b.outputs.length)
    return 'the two traces name other inputs or outputs';
  return difference(a, b) ?? build(be, b);
}

const keyOf = (r: Ref): string | DataHandle =>
  r.kind === 'input' ? `i${r.index}` : r.kind === 'result' ? `r${r.call}:${r.k}` : r.handle;

function build(be: Backend, t: ResolvedTrace): ReplayProgram {
  const { calls, argRefs, fresh } = t;
  // Which calls the outputs need (a random upload always runs: the generators must advance).
  const needed = new Set<string | DataHandle>(t.outputs.map(keyOf));
  const keepCall = new Array<boolean>(calls.length).fill(false);
  for (let i = calls.length - 1; i >= 0; i--) {
    const c = calls[i];
    if (!c.redraw && !c.check && !c.results.some((_, k) => fresh[i][k] && needed.has(`r${i}:${k}`))) continue;
    keepCall[i] = true;
    for (const r of argRefs[i]) needed.add(keyOf(r));
  }
  // Constants: buffers from outside, and results of calls that read only constants.
  const constant = new Set<string | DataHandle>();
  const infoOf = new Map<string | DataHandle, { readonly shape: readonly number[]; readonly dtype: DType }>();
  argRefs.forEach((refs, i) =>
    tensorArgs(calls[i].args).forEach((arg, j) => {
      const key = keyOf(refs[j]);
      if (!infoOf.has(key)) infoOf.set(key, arg);
      if (refs[j].kind === 'external') constant.add(key);
    }),
  );
  t.outputs.forEach((r, j) => {
    const key = keyOf(r);
    if (!infoOf.has(key)) infoOf.set(key, t.outputInfo[j]);
    if (r.kind === 'external') constant.add(key);
  });
  const folded = new Array<boolean>(calls.length).fill(false);
  for (let i = 0; i < calls.length; i++) {
    if (!keepCall[i] || calls[i].redraw || calls[i].check || !argRefs[i].every((r) => constant.has(keyOf(r)))) continue;
    folded[i] = true;
    calls[i].results.forEach((_, k) => fresh[i][k] && constant.add(`r${i}:${k}`));
  }

  // Slots: inputs, then constants, then what each run makes.
  const slotOf = new Map<string | DataHandle, number>();
  const inputCount = t.inputCount;
  for (let i = 0; i < inputCount; i++) slotOf.set(`i${i}`, i);
  let next = inputCount;
  const constants: [number, DataHandle][] = [];
  const pins: Tensor[] = [];
  const pin = (key: string | DataHandle, h: DataHandle): void => {
    const info = infoOf.get(key);
    if (!info) {
      be.dispose(h); // a folded result nothing reads
      return;
    }
    slotOf.set(key, next);
    constants.push([next++, h]);
    pins.push(keep(new Tensor(h, info.shape, info.dtype, be)));
  };
  for (const key of constant) if (typeof key !== 'string') pin(key, key);
  const bound = (i: number): unknown[] => {
    const infos: ArgTensor[] = [];
    const args = cloneArgs(calls[i].args, infos) as unknown[];
    infos.forEach((info, j) => {
      info.handle = constants[(slotOf.get(keyOf(argRefs[i][j])) as number) - inputCount]?.[1] ?? info.handle;
    });
    return args;
  };
  const method = (c: RecordedCall) => (be as unknown as Record<string, (...args: unknown[]) => unknown>)[c.method];
  for (let i = 0; i < calls.length; i++) {
    if (!folded[i]) continue;
    const result = method(calls[i]).apply(be, bound(i));
    const hs = calls[i].tuple ? (result as DataHandle[]) : [result as DataHandle];
    hs.forEach((h, k) => (fresh[i][k] ? pin(`r${i}:${k}`, h) : undefined));
  }
  const firstProduced = next;

  // The steps, each fresh result in its own slot, freed after its last reader.
  const steps: Step[] = [];
  const producedBy = new Map<number, number>();
  for (let i = 0; i < calls.length; i++) {
    if (!keepCall[i] || folded[i]) continue;
    const c = calls[i];
    const out = c.results.map((_, k) => {
      if (!fresh[i][k]) return ALIAS;
      const key = `r${i}:${k}`;
      if (!needed.has(key)) return UNUSED;
      slotOf.set(key, next);
      producedBy.set(next, steps.length);
      return next++;
    });
    const infos: ArgTensor[] = [];
    const args = cloneArgs(c.args, infos) as unknown[];
    const bind: ArgTensor[] = [],
      bindSlot: number[] = [];
    infos.forEach((info, j) => {
      const slot = slotOf.get(keyOf(argRefs[i][j])) as number;
      if (slot >= inputCount && slot < firstProduced) info.handle = constants[slot - inputCount][1];
      else {
        bind.push(info);
        bindSlot.push(slot);
      }
    });
    steps.push({
      fn: method(c),
      args,
      bind,
      bindSlot,
      out,
      tuple: c.tuple,
      redraw: c.redraw,
      uploadDtype: c.redraw ? (c.args[1] as DType) : undefined,
      check: c.check,
      frees: [],
    });
  }
  const outputSlots = t.outputs.map((r) => slotOf.get(keyOf(r)) as number);
  const lastRead = new Map<number, number>();
  steps.forEach((st, s) => {
    for (const slot of st.bindSlot) if (slot >= firstProduced) lastRead.set(slot, s);
  });
  const outputs = new Set(outputSlots);
  for (const [slot, s] of lastRead) if (!outputs.has(slot)) steps[s].frees.push(slot);
  // A result only an output reads is kept; one nobody reads (and no output) is freed at once.
  for (const [slot, s] of producedBy) {
    if (!lastRead.has(slot) && !outputs.has(slot)) {
      const st = steps[s];
      st.out[st.out.indexOf(slot)] = UNUSED;
    }
  }
  return new ReplayProgram(be, steps, next, firstProduced, inputCount, outputSlots, t.sameInputs, constants, pins);
}
