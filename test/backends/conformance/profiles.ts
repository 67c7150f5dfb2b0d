// What each backend is held to against the reference backend: every tolerance of the
// conformance suite, and the few input domains a backend is allowed to leave out, in one place.
import type { FusedKernelName } from '../../../src/backend/backend.js';
import type { BinaryOp, ReduceOp, UnaryOp } from '../../../src/backend/op_table.js';

/** An element passes when |want - got| <= abs + rel·|want| (NaN must meet NaN, infinities must be equal). */
export interface Tolerance {
  readonly rel: number;
  readonly abs: number;
}

/**
 * What a case is compared by: an op, a kernel, int32 inputs to the unary kernel, or `exact` for
 * kernels that move or select values without arithmetic (upload, fill, cast, where, movement,
 * gather, argMax/argMin).
 */
export type ToleranceKey =
  | UnaryOp
  | BinaryOp
  | ReduceOp
  | FusedKernelName
  | 'matmul'
  | 'scatterAdd'
  | 'int32 unary'
  | 'exact';

export interface Profile {
  readonly name: string;
  /** Tolerances by key; keys not listed use DEFAULTS, then FLOAT32. */
  readonly tolerance: Partial<Record<ToleranceKey, Tolerance>>;
  /**
   * Extra error allowed per accumulated term: a matmul element may be off by
   * `matmul · k · Σ|a||b|`, a float32 sum by `sum · terms` (inputs in [-2, 2]).
   */
  readonly perTerm: { readonly matmul: number; readonly sum: number };
  /** Whether subnormal inputs are kept (WGSL lets a GPU flush them to zero; SwiftShader does). */
  readonly subnormals: boolean;
  /**
   * Unary ops given random inputs in [-r, r] instead of edge values: where the reference is
   * defined but the backend's built-ins are not bounded (WGSL's sin/cos beyond [-pi, pi], ...).
   */
  readonly unaryRange: Partial<Record<UnaryOp, number>>;
  /**
   * Whether `mod` is exact on any operands. WGSL has no exact float32 fmod, only
   * a - b·trunc(a/b): without it, mod meets edge values only one pair at a time.
   */
  readonly exactMod: boolean;
  /** Length of the long 1-D cases (past the wasm backend's threshold for splitting across threads). */
  readonly large: number;
  /**
   * Whether to run the cases sized to reach the thread-splitting paths of the wasm kernels
   * (products of 10^8 multiply-adds, 1.5 M-element fused kernels): seconds on a GPU emulated by
   * the CPU, so SwiftShader skips them.
   */
  readonly bigCases: boolean;
}

/** Float32 rounding: the default of every key a profile does not list. */
export const FLOAT32: Tolerance = { rel: 1e-6, abs: 1e-37 };
/** Bit for bit. */
export const EXACT: Tolerance = { rel: 0, abs: 0 };

/** What every backend is held to unless its profile says otherwise. */
export const DEFAULTS: Partial<Record<ToleranceKey, Tolerance>> = { exact: EXACT };

/** `rel` and `abs` on top of float32 rounding. */
const loose = (rel: number, abs = 0): Tolerance => ({ rel: rel + FLOAT32.rel, abs: abs + FLOAT32.abs });

/**
 * The WebAssembly backend, every build (plain and relaxed-SIMD FMA, threaded and single):
 * transcendental functions are evaluated in float64 and rounded once, as in the reference, and
 * the Adam step and max pooling agree bit for bit.
 */
export const WASM: Profile = {
  name: 'wasm',
  tolerance: {
    adam: EXACT,
    maxPool: EXACT,
    softmax: loose(0, 1e-6),
    // Exponentials (and erfc) in float32 lanes: a few ulp of the argument, which grows with it.
    maskedSoftmax: loose(4e-6, 1e-9),
    softmaxGrad: loose(4e-6, 1e-7),
    gelu: loose(4e-6, 1e-9),
    geluWithDerivative: loose(4e-6, 1e-7),
    im2col: loose(0, 1e-6),
    col2im: loose(1e-5, 1e-5),
    maxPoolGrad: loose(1e-5, 1e-5),
    lstmCell: loose(0, 1e-6),
    lstmCellGrad: loose(0, 1e-6),
    // Steps feed each other through products summed in another order (and with FMA): a few ulps per step.
    lstmSequence: loose(1e-5, 1e-6),
    lstmSequenceGrad: loose(1e-5, 1e-6),
    biasActivation: EXACT,
    activationGrad: EXACT,
    scatterAdd: loose(0, 1e-6),
  },
  perTerm: { matmul: 1.2e-7, sum: 8e-7 },
  subnormals: true,
  unaryRange: {},
  exactMod: true,
  large: (1 << 20) + 3,
  bigCases: true,
};

/**
 * The WebGPU backend: WGSL bounds the error of its transcendental built-ins loosely (exp/log:
 * 3 + 2|x| ulp; sin/cos: 2^-11 absolute on [-pi, pi]), so those ops have their own tolerances,
 * and int32 inputs to float ops go through float32 (within 1 after truncation).
 */
export const WEBGPU: Profile = {
  name: 'webgpu',
  tolerance: {
    exp: loose(2e-5),
    expm1: loose(3e-5, 1e-6),
    log: loose(1e-5, 1e-6),
    log1p: loose(2e-5, 1e-6),
    sin: loose(0, 5e-4),
    cos: loose(0, 5e-4),
    tan: loose(1e-3, 1e-3),
    asin: loose(1e-5, 1e-4),
    acos: loose(1e-5, 1e-4),
    atan: loose(1e-5, 1e-6),
    sinh: loose(2e-5, 1e-6),
    cosh: loose(2e-5),
    tanh: loose(2e-5, 1e-6),
    asinh: loose(2e-5, 1e-6),
    acosh: loose(2e-5, 1e-6),
    atanh: loose(2e-5, 1e-6),
    sigmoid: loose(2e-5, 1e-7),
    softplus: loose(2e-5, 1e-6),
    elu: loose(3e-5, 1e-6),
    selu: loose(3e-5, 1e-6),
    erf: loose(0, 3e-7),
    rsqrt: loose(3e-7),
    sqrt: loose(3e-7),
    reciprocal: loose(3e-7),
    pow: loose(1e-4),
    atan2: loose(1e-5, 1e-6),
    div: loose(3e-7),
    mod: loose(1e-5, 1e-5),
    prod: loose(1e-6),
    'int32 unary': loose(0, 1),
    adam: loose(2e-6, 1e-9),
    softmax: loose(1e-5, 1e-6),
    col2im: loose(1e-6, 1e-6),
    maxPoolGrad: loose(1e-6, 1e-6),
    lstmCell: loose(2e-5, 2e-6),
    lstmCellGrad: loose(2e-5, 2e-6),
    scatterAdd: loose(0, 1e-6),
  },
  perTerm: { matmul: 1.2e-7, sum: 8e-7 },
  subnormals: false,
  unaryRange: { sin: 1000, cos: 1000, tan: 1.5, sinh: 80, cosh: 80 },
  exactMod: false,
  large: 70_003,
  bigCases: false,
};

/** The tolerance of `key` under `profile`. */
export function toleranceOf(profile: Profile, key: ToleranceKey): Tolerance {
  return profile.tolerance[key] ?? DEFAULTS[key] ?? FLOAT32;
}
