// Replaying recorded backend calls (see capture.ts): two traces of the same code (trace.ts) that
// agree are compiled into a list of kernel calls over numbered buffers that runs without the
// code that made them (no tensors, no tape, no shape checks, no dispatch).
import type { DType, TypedArray } from '../core/dtype.js';
import { keep } from '../core/memory.js';
import { Tensor } from '../core/tensor.js';
import type { Backend, DataHandle, TensorInfo } from './backend.js';
import type { ArgTensor, RecordedCall } from './capture.js';
import {
  type Ref,
  type ResolvedTrace,
  type Trace,
  difference,
  isArgTensor,
  resolveTrace,
  tensorArgs,
  unreplayable,
} from './trace.js';

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

  /**
   * Whether every output is a buffer the run makes afresh (not an input, not a constant, no two
   * outputs one buffer), so the caller may own and free each output.
   */
  get outputsAreFresh(): boolean {
    const slots = this.outputSlots;
    return slots.every((k, i) => k >= this.firstProduced && slots.indexOf(k) === i);
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
