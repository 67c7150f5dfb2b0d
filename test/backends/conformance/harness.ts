// The machinery of the conformance suite: seeded inputs uploaded to every backend, each case run
// on the reference backend once (the oracle) and on every target, results compared element by
// element under the target profile's tolerances. No test framework: the same code runs in Node
// and in a browser page, and every read is asynchronous, as a GPU requires.
import type { Backend, DataHandle, TensorInfo } from '../../../src/backend/backend.js';
import { allocArray, type DType, type TypedArray } from '../../../src/core/dtype.js';
import { type Profile, type ToleranceKey, toleranceOf } from './profiles.js';

/** A backend under test, with the name its results are reported under. */
export interface Target {
  readonly name: string;
  readonly backend: Backend;
}

export interface CaseResult {
  readonly section: string;
  readonly name: string;
  readonly target: string;
  readonly ok: boolean;
  readonly message?: string;
}

/** An output of a case: its shape and dtype. */
export interface Out {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A tensor of the case's inputs; `Check#input` uploads it to each backend on first use. */
export class Input {
  readonly #uploads = new Map<Backend, TensorInfo>();
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly values: TypedArray,
  ) {}

  on(b: Backend): TensorInfo {
    let info = this.#uploads.get(b);
    if (!info) {
      info = { handle: b.upload(this.values, this.dtype), shape: this.shape, dtype: this.dtype };
      this.#uploads.set(b, info);
    }
    return info;
  }

  release(): void {
    for (const [b, info] of this.#uploads) b.dispose(info.handle);
    this.#uploads.clear();
  }
}

/** How a case computes its output(s) on a backend; `i` gives an input's tensor on that backend. */
export type Kernel = (b: Backend, i: (x: Input) => TensorInfo) => DataHandle | readonly DataHandle[];

export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

const BASE_EDGE = [NaN, Infinity, -Infinity, -0, 0, 3.4e38, -3.4e38, 0.5, -0.5, 1.5, 2.5, 1, -1, 88.8, -104];

/**
 * One section's cases against every target. Inputs come from a seeded generator, so a section
 * draws the same values on every backend and in every run.
 */
export class Check {
  readonly results: CaseResult[] = [];
  readonly #inputs: Input[] = [];
  readonly #edge: number[];
  #seed: number;

  constructor(
    readonly section: string,
    readonly ref: Backend,
    readonly targets: readonly Target[],
    readonly profile: Profile,
    seed: number,
  ) {
    this.#seed = seed;
    // Subnormals (1e-40) where the profile keeps them, a small normal number otherwise.
    this.#edge = [...BASE_EDGE, profile.subnormals ? 1e-40 : 1e-30, profile.subnormals ? -1e-41 : -1e-30];
  }

  /** Uniform in [0, 1), from a linear congruential generator. */
  rand(): number {
    this.#seed = (this.#seed * 1103515245 + 12345) % 2147483648;
    return this.#seed / 2147483648;
  }

  /**
   * Random values of `dtype`: bools, integers in [-10, 10], floats in [-scale, scale]; with
   * `edge`, one float in four is an edge value (NaN, ±Infinity, ±0, huge, subnormal, halves, ...).
   */
  values(n: number, dtype: DType = 'float32', { edge = false, scale = 2 } = {}): TypedArray {
    const out = allocArray(dtype, n);
    for (let i = 0; i < n; i++) {
      if (dtype === 'bool') out[i] = this.rand() < 0.5 ? 1 : 0;
      else if (dtype === 'int32') out[i] = Math.floor(this.rand() * 21) - 10;
      else
        out[i] =
          edge && this.rand() < 0.25
            ? this.#edge[Math.floor(this.rand() * this.#edge.length)]
            : (this.rand() * 2 - 1) * scale;
    }
    return out;
  }

  /** An input tensor: `values`, or random values of `dtype` (see `values`). */
  input(
    shape: readonly number[],
    dtype: DType = 'float32',
    values: TypedArray | { edge?: boolean; scale?: number } = {},
  ): Input {
    const v = ArrayBuffer.isView(values) ? values : this.values(size(shape), dtype, values);
    const x = new Input(shape, dtype, v);
    this.#inputs.push(x);
    return x;
  }

  /**
   * Runs `kernel` on the reference backend and on every target, reads each output back and
   * compares it under the tolerance of `key`, plus `extra(i)` for element i (an allowance that
   * grows with the terms of a sum or product).
   */
  async run(
    name: string,
    key: ToleranceKey,
    out: Out | readonly Out[],
    kernel: Kernel,
    extra?: (i: number) => number,
  ): Promise<void> {
    const outs = Array.isArray(out) ? (out as readonly Out[]) : [out as Out];
    const handles = (b: Backend) => {
      const h = kernel(b, (x) => x.on(b));
      return Array.isArray(h) ? (h as readonly DataHandle[]) : [h as DataHandle];
    };
    const want = handles(this.ref).map((h, k) => this.ref.read({ handle: h, ...outs[k] }));
    const { rel, abs } = toleranceOf(this.profile, key);
    for (const target of this.targets) {
      const b = target.backend;
      let message: string | null = null;
      try {
        const hs = handles(b);
        for (let k = 0; k < outs.length && message === null; k++) {
          const got = await b.readAsync({ handle: hs[k], ...outs[k] });
          const what = outs.length > 1 ? `${name} output ${k}` : name;
          message = compare(what, want[k], got, (i, w) => abs + rel * Math.abs(w) + (extra ? extra(i) : 0));
        }
        for (const h of hs) b.dispose(h);
      } catch (e) {
        message = `${name}: threw ${(e as Error).message}`;
      }
      this.results.push({
        section: this.section,
        name,
        target: target.name,
        ok: message === null,
        ...(message === null ? {} : { message: `[${target.name}] ${message}` }),
      });
    }
  }

  /** Frees every input of the section on every backend. */
  release(): void {
    for (const x of this.#inputs) x.release();
    this.#inputs.length = 0;
  }
}

/**
 * Null when `got` matches `want`, else what differs (the first bad element and how many there are).
 * NaN matches NaN, infinities must be equal, -0 matches 0.
 */
export function compare(
  what: string,
  want: TypedArray,
  got: TypedArray,
  tolerance: (i: number, want: number) => number,
): string | null {
  if (got.length !== want.length) return `${what}: length ${got.length}, expected ${want.length}`;
  if (got.constructor !== want.constructor)
    return `${what}: ${got.constructor.name}, expected ${want.constructor.name}`;
  let first = -1,
    bad = 0,
    allowed = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i],
      g = got[i];
    if (w === g) continue;
    let ok: boolean;
    if (w !== w || g !== g) ok = w !== w && g !== g;
    else if (!Number.isFinite(w) || !Number.isFinite(g)) ok = false;
    else {
      const t = tolerance(i, w);
      ok = Math.abs(w - g) <= t;
      if (!ok && first < 0) allowed = t;
    }
    if (ok) continue;
    bad++;
    if (first < 0) first = i;
  }
  if (bad === 0) return null;
  const tol = allowed > 0 ? ` (tolerance ${allowed})` : '';
  return `${what}[${first}]: expected ${want[first]}, got ${got[first]}${tol}; ${bad} of ${want.length} elements differ`;
}
