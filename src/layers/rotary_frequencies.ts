/** The ways `RotaryEmbedding` stretches its frequencies for longer contexts (KerasHub's `rope_type`). */
export const ROPE_TYPES = ['linear', 'dynamic', 'yarn'] as const;
export type RopeType = (typeof ROPE_TYPES)[number];

/** What the rotation angles depend on (a `RotaryEmbedding`'s options). */
export interface RopeScaling {
  readonly maxWavelength: number;
  readonly scalingFactor: number;
  readonly ropeType: RopeType;
  readonly betaFast: number;
  readonly betaSlow: number;
  readonly originalMaxPositionEmbeddings: number | null;
  readonly truncate: boolean;
  readonly denominatorDim: number | null;
}

/**
 * The `dim / 2` inverse frequencies of a rotary size `dim` (KerasHub's `_get_inverse_freq`):
 * `maxWavelength^(-2i / (denominatorDim ?? dim))`, divided by `scalingFactor` ('linear') or by
 * `scalingFactor^(dim / (dim - 2))` ('dynamic'); 'yarn' blends them as `yarnInverseFrequencies` says.
 *
 * @example inverseFrequencies({ ...rope, ropeType: 'linear', scalingFactor: 2 }, 4); // [0.5, 0.005]
 */
export function inverseFrequencies(s: RopeScaling, dim: number): Float64Array {
  if (s.ropeType === 'yarn') return yarnInverseFrequencies(s, dim);
  const denominator = s.denominatorDim ?? dim;
  const scale = s.ropeType === 'linear' ? s.scalingFactor : s.scalingFactor ** (dim / Math.max(1, dim - 2));
  return Float64Array.from(
    { length: Math.floor(dim / 2) },
    (_, i) => s.maxWavelength ** (-(2 * i) / denominator) / scale,
  );
}

/**
 * YaRN's inverse frequencies (Peng et al. 2023, KerasHub's `_get_yarn_inverse_freq`). Pair i
 * turns `L / (2π · maxWavelength^(2i/dim))` times over the original context L
 * (`originalMaxPositionEmbeddings`). Pairs below the "low" correction dim (which turn more than
 * `betaFast` times) keep their frequency, pairs above the "high" one (fewer than `betaSlow`
 * turns) are divided by `scalingFactor`, and a linear ramp blends the two in between. With
 * `truncate` the correction dims are rounded outwards. As in KerasHub, `denominatorDim` is not
 * used here.
 *
 * @example yarnInverseFrequencies({ ...rope, ropeType: 'yarn', scalingFactor: 4 }, 64);
 */
export function yarnInverseFrequencies(s: RopeScaling, dim: number): Float64Array {
  const base = s.maxWavelength;
  const original = s.originalMaxPositionEmbeddings as number;
  // The pair index whose wavelength fits `rotations` times into the original context.
  const correctionDim = (rotations: number) =>
    (dim * Math.log(original / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
  let low = correctionDim(s.betaFast),
    high = correctionDim(s.betaSlow);
  if (s.truncate) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  const half = Math.floor(dim / 2);
  low = Math.max(low, 0);
  high = Math.min(high, half - 1);
  // KerasHub keeps the ramp finite when the two dims meet (or cross, betaFast < betaSlow).
  const span = Math.max(high - low, 0.001);
  return Float64Array.from({ length: half }, (_, i) => {
    const extrapolation = 1 / base ** ((2 * i) / dim);
    const interpolation = extrapolation / s.scalingFactor;
    const ramp = Math.min(1, Math.max(0, (i - low) / span));
    return interpolation * ramp + extrapolation * (1 - ramp);
  });
}

/**
 * The factor YaRN multiplies cos and sin by, `0.1 · ln(scalingFactor) + 1`, so that attention
 * logits keep their temperature over the longer context; 1 for the other rope types.
 *
 * @example ropeAttentionFactor({ ...rope, ropeType: 'yarn', scalingFactor: Math.E }); // 1.1
 */
export function ropeAttentionFactor(s: RopeScaling): number {
  return s.ropeType === 'yarn' ? 0.1 * Math.log(s.scalingFactor) + 1 : 1;
}

/**
 * The cos and sin factors for each position in `positions` (row-major [positions, dim]); both
 * halves of a row hold the same frequencies, so feature i pairs with feature i + dim/2. YaRN
 * with `truncate` caps positions at `originalMaxPositionEmbeddings`, as KerasHub does.
 *
 * @example rotaryTables(rope, [0, 1, 2], 4); // { cos, sin }, 12 values each
 */
export function rotaryTables(
  s: RopeScaling,
  positions: ArrayLike<number>,
  dim: number,
): { cos: Float64Array; sin: Float64Array } {
  const inverse = inverseFrequencies(s, dim);
  const half = inverse.length;
  const factor = ropeAttentionFactor(s);
  const cap =
    s.ropeType === 'yarn' && s.truncate && s.originalMaxPositionEmbeddings !== null
      ? s.originalMaxPositionEmbeddings
      : Number.POSITIVE_INFINITY;
  const cos = new Float64Array(positions.length * dim),
    sin = new Float64Array(positions.length * dim);
  for (let r = 0; r < positions.length; r++) {
    const p = Math.min(positions[r], cap);
    for (let i = 0; i < half; i++) {
      const angle = p * inverse[i];
      for (const j of [i, i + half]) {
        cos[r * dim + j] = Math.cos(angle) * factor;
        sin[r * dim + j] = Math.sin(angle) * factor;
      }
    }
  }
  return { cos, sin };
}
