import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError } from '../../src/core/errors.js';
import type { Tensor } from '../../src/core/tensor.js';
import { deserializeLayer, input, layers, ones, serializeLayer, tensor } from '../../src/index.js';
import { toCamelKeys } from '../../src/io/config_case.js';
import type { RotaryCallArgs } from '../../src/layers/rotary_embedding.js';
import { inverseFrequencies } from '../../src/layers/rotary_frequencies.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';
import { reader } from './attention_reference.js';
import { checkVariableGradients, inputVariable } from './layer_gradcheck.js';

const f64 = { dtype: 'float64' as const };

/**
 * The rotary formula written out for an input [batch, sequence, heads, dim]: feature f < dim/2
 * becomes `x_f cos θ - x_{f+dim/2} sin θ`, feature f >= dim/2 `x_f cos θ + x_{f-dim/2} sin θ`,
 * θ = position(b, s) · inverse[f mod dim/2], both terms times `factor`.
 */
function byHand(x: Tensor, inverse: number[], position: (b: number, s: number) => number, factor = 1): number[] {
  const [B, S, H, D] = x.shape;
  const X = reader(x);
  const half = D / 2;
  const out: number[] = [];
  for (let b = 0; b < B; b++)
    for (let s = 0; s < S; s++)
      for (let h = 0; h < H; h++)
        for (let f = 0; f < D; f++) {
          const angle = position(b, s) * inverse[f % half];
          const other = f < half ? -X(b, s, h, f + half) : X(b, s, h, f - half);
          out.push(factor * (X(b, s, h, f) * Math.cos(angle) + other * Math.sin(angle)));
        }
  return out;
}

// YaRN with base 100 on 8 features (4 pairs), trained on 64 positions, stretched 4 times.
const yarnArgs = {
  ropeType: 'yarn' as const,
  maxWavelength: 100,
  scalingFactor: 4,
  originalMaxPositionEmbeddings: 64,
  betaFast: 2,
  betaSlow: 0.5,
};
/** Pair i of `dim` turns L / (2π · base^(2i/dim)) times over L positions; the pair turning r times: */
const correctionDim = (rotations: number) => (8 * Math.log(64 / (rotations * 2 * Math.PI))) / (2 * Math.log(100));
/** base^(-2i/8) for i = 0..3: the unscaled frequencies. */
const plain = [1, 100 ** -0.25, 0.1, 100 ** -0.75];
const yarnFactor = 0.1 * Math.log(4) + 1;

describe('RotaryEmbedding: YaRN scaling and KerasHub options', () => {
  it('yarn keeps the fast pairs, divides the slow ones by scalingFactor, ramps between, scales cos and sin', () => {
    const low = correctionDim(2),
      high = correctionDim(0.5);
    // 8 · ln(64 / 4π) / (2 ln 100) and 8 · ln(64 / π) / (2 ln 100).
    assert.ok(Math.abs(low - 1.41394022) < 1e-7 && Math.abs(high - 2.6180602) < 1e-7);
    // Pairs 0 and 1 lie below low (kept), pair 3 above high (divided by 4), pair 2 on the ramp.
    const ramp = (2 - low) / (high - low);
    const inverse = [plain[0], plain[1], plain[2] * (1 - ramp) + (plain[2] / 4) * ramp, plain[3] / 4];
    assertClose(inverseFrequencies(layers.rotaryEmbedding(yarnArgs), 8), inverse, 1e-14);
    assertClose(inverse, [1, 0.31622777, 0.06349659, 0.00790569], 1e-7);
    const x = rand64([2, 5, 2, 8], 11);
    const rope = layers.rotaryEmbedding({ ...yarnArgs, ...f64 });
    const y = rope.apply(x, { startIndex: 3 } as RotaryCallArgs) as Tensor;
    assertClose(
      y,
      byHand(x, inverse, (_, s) => s + 3, yarnFactor),
      1e-13,
    );
  });

  it('yarn with truncate: correction dims rounded outwards, positions capped at the original length', () => {
    // low = floor(1.41) = 1, high = ceil(2.62) = 3: pair 2 is half-way along the ramp.
    const inverse = [plain[0], plain[1], 0.5 * plain[2] + 0.5 * (plain[2] / 4), plain[3] / 4];
    const rope = layers.rotaryEmbedding({ ...yarnArgs, truncate: true, ...f64 });
    assertClose(inverseFrequencies(rope, 8), [1, 0.31622777, 0.0625, 0.00790569], 1e-8);
    const x = rand64([1, 5, 1, 8], 12);
    const y = rope.apply(x, { startIndex: 61 } as RotaryCallArgs) as Tensor;
    // Positions 61, 62, 63, 64, 65 become 61, 62, 63, 64, 64.
    assertClose(
      y,
      byHand(x, inverse, (_, s) => Math.min(61 + s, 64), yarnFactor),
      1e-13,
    );
    const untruncated = layers.rotaryEmbedding({ ...yarnArgs, ...f64 });
    const z = untruncated.apply(x, { startIndex: 61 } as RotaryCallArgs) as Tensor;
    assert.ok(Math.abs(z.dataSync()[4 * 8] - y.dataSync()[4 * 8]) > 1e-3);
  });

  it("yarn accepts betaFast < betaSlow as KerasHub does: the ramp's width is clamped to 0.001", () => {
    // low = 2.62, high = 1.41: pairs 0..2 lie below low, pair 3 beyond it by ~380 widths.
    const rope = layers.rotaryEmbedding({ ...yarnArgs, betaFast: 0.5, betaSlow: 2 });
    assertClose(inverseFrequencies(rope, 8), [1, plain[1], 0.1, plain[3] / 4], 1e-14);
    // With the defaults (betaFast 32, betaSlow 1, 4096 positions) on 8 features of base 10000.
    const low = (8 * Math.log(4096 / (64 * Math.PI))) / (2 * Math.log(10000)),
      high = (8 * Math.log(4096 / (2 * Math.PI))) / (2 * Math.log(10000));
    const base = [0, 1, 2, 3].map((i) => 10000 ** (-i / 4));
    const ramp = (i: number) => Math.min(1, Math.max(0, (i - low) / (high - low)));
    assertClose(
      inverseFrequencies(layers.rotaryEmbedding({ ropeType: 'yarn', scalingFactor: 2 }), 8),
      base.map((w, i) => (w / 2) * ramp(i) + w * (1 - ramp(i))),
      1e-14,
    );
  });

  it('denominatorDim sets the exponent 2i/denominatorDim of linear and dynamic, and is unused by yarn', () => {
    const x = rand64([1, 3, 2, 8], 13);
    const linear = layers.rotaryEmbedding({ denominatorDim: 4, scalingFactor: 2, ...f64 });
    const inverse = [0, 1, 2, 3].map((i) => 10000 ** (-(2 * i) / 4) / 2);
    assertClose(
      linear.apply(x, { startIndex: 1 } as RotaryCallArgs) as Tensor,
      byHand(x, inverse, (_, s) => s + 1),
      1e-13,
    );
    const dynamic = layers.rotaryEmbedding({ ropeType: 'dynamic', scalingFactor: 3, ...f64 });
    assertClose(
      dynamic.apply(x) as Tensor,
      byHand(
        x,
        [0, 1, 2, 3].map((i) => 10000 ** (-(2 * i) / 8) / 3 ** (8 / 6)),
        (_, s) => s,
      ),
      1e-13,
    );
    const yarn = layers.rotaryEmbedding({ ...yarnArgs, ...f64 });
    const yarnDenominator = layers.rotaryEmbedding({ ...yarnArgs, denominatorDim: 4, ...f64 });
    assertClose(yarnDenominator.apply(x) as Tensor, yarn.apply(x) as Tensor, 0);
  });

  it("KerasHub's published values: defaults, linear scaling (HF Llama), a cached step, flax positions", () => {
    const out = layers.rotaryEmbedding().apply(ones([1, 4, 6])) as Tensor;
    assertClose(out.dataSync().slice(0, 6), [1, 1, 1, 1, 1, 1], 1e-6);
    assertClose(out.dataSync().slice(18), [-1.1311, 0.8515, 0.9935, -0.8489, 1.1291, 1.0064], 1e-4);
    const rows = (a: number[]) => [a, a];
    assertClose(
      layers.rotaryEmbedding({ scalingFactor: 2 }).apply(ones([1, 3, 2, 4])) as Tensor,
      [
        ...rows([1, 1, 1, 1]),
        ...rows([0.398157001, 0.994987488, 1.3570081, 1.004987478]),
        ...rows([-0.301168621, 0.98995018, 1.381773233, 1.009949803]),
      ].flat(),
      1e-6,
    );
    assertClose(
      layers
        .rotaryEmbedding({ scalingFactor: 5 })
        .apply(ones([1, 1, 2, 4]), { startIndex: 12 } as RotaryCallArgs) as Tensor,
      rows([-1.412856817, 0.975714266, -0.061930716, 1.023709655]).flat(),
      1e-6,
    );
    // numpy's default_rng(0).standard_normal((2, 2, 1, 16)) in float32, and flax's RoPE of it.
    const x = tensor(FLAX_INPUT, [2, 2, 1, 16]);
    const first = tensor(FLAX_INPUT.slice(0, 32), [1, 2, 1, 16]);
    const rope = layers.rotaryEmbedding();
    assertClose(
      rope.apply(first, { positions: tensor([0, 0]) } as RotaryCallArgs) as Tensor,
      FLAX_INPUT.slice(0, 32),
      1e-6,
    );
    assertClose(
      rope.apply(x, {
        positions: [
          [0, 0],
          [0, 1],
        ],
      } as RotaryCallArgs) as Tensor,
      FLAX_2D,
      1e-5,
    );
  });

  it('positions: [sequence] or one row per example, startIndex then ignored, on moved axes too', () => {
    const x = rand64([2, 3, 2, 8], 14);
    const rope = layers.rotaryEmbedding({ ...yarnArgs, truncate: true, ...f64 });
    const rowsOf = [
      [70, 2, 5.5],
      [0, 66, 1],
    ];
    const inverse = inverseFrequencies(rope, 8);
    const want = byHand(x, [...inverse], (b, s) => Math.min(rowsOf[b][s], 64), yarnFactor);
    assertClose(rope.apply(x, { positions: rowsOf, startIndex: 9 } as RotaryCallArgs) as Tensor, want, 1e-13);
    assertClose(rope.apply(x, { positions: tensor(rowsOf) } as RotaryCallArgs) as Tensor, want, 1e-13);
    assertClose(
      rope.apply(x, { positions: [4, 5, 6] } as RotaryCallArgs) as Tensor,
      rope.apply(x, { startIndex: 4 } as RotaryCallArgs) as Tensor,
      0,
    );
    // A start index may be a one-element integer tensor, as in KerasHub.
    assertClose(
      rope.apply(x, { startIndex: tensor([4], [], 'int32') } as RotaryCallArgs) as Tensor,
      rope.apply(x, { startIndex: 4 } as RotaryCallArgs) as Tensor,
      0,
    );
    // Sequence on axis 3, features on axis 1, examples still on axis 0: [batch, dim, heads, sequence].
    const moved = layers.rotaryEmbedding({ ...yarnArgs, truncate: true, sequenceAxis: 3, featureAxis: 1, ...f64 });
    const y = moved.apply(x.transpose([0, 3, 2, 1]), { positions: rowsOf } as RotaryCallArgs) as Tensor;
    assertClose(y.transpose([0, 3, 2, 1]), want, 1e-13);
  });

  it('float64 gradients through yarn (with truncate, per-example positions and a start index)', () => {
    const x = inputVariable([2, 3, 2, 8]);
    const rope = layers.rotaryEmbedding({ ...yarnArgs, ...f64 });
    checkVariableGradients(() => rope.apply(x, { startIndex: 2 } as RotaryCallArgs) as Tensor, [x]);
    const truncated = layers.rotaryEmbedding({ ...yarnArgs, truncate: true, denominatorDim: 6, ...f64 });
    const positions = [
      [63, 64, 90],
      [1, 0, 7],
    ];
    checkVariableGradients(() => truncated.apply(x, { positions } as RotaryCallArgs) as Tensor, [x]);
  });

  it("getConfig has KerasHub's keys; a KerasHub config, camel-cased, builds the same layer", () => {
    const kerasHub = {
      name: 'rope',
      trainable: true,
      dtype: 'float64',
      max_wavelength: 100,
      scaling_factor: 4.0,
      rope_type: 'yarn',
      beta_fast: 2.0,
      beta_slow: 0.5,
      original_max_position_embeddings: 64,
      truncate: true,
      sequence_axis: 1,
      feature_axis: -1,
      denominator_dim: null,
    };
    const camel = toCamelKeys(kerasHub) as Record<string, unknown>;
    const built = deserializeLayer({ className: 'RotaryEmbedding', config: camel });
    const config = built.getConfig();
    for (const key of Object.keys(camel)) assert.deepEqual(config[key], camel[key], key);
    const direct = layers.rotaryEmbedding({ ...yarnArgs, truncate: true, ...f64 });
    const x = rand64([1, 4, 1, 8], 15);
    assertClose(
      built.apply(x, { startIndex: 62 } as RotaryCallArgs) as Tensor,
      direct.apply(x, { startIndex: 62 } as RotaryCallArgs) as Tensor,
      0,
    );
    // The defaults, KerasHub's.
    const defaults = layers.rotaryEmbedding().getConfig();
    assert.deepEqual(
      [
        defaults.maxWavelength,
        defaults.scalingFactor,
        defaults.ropeType,
        defaults.betaFast,
        defaults.betaSlow,
        defaults.originalMaxPositionEmbeddings,
        defaults.truncate,
        defaults.sequenceAxis,
        defaults.featureAxis,
        defaults.denominatorDim,
      ],
      [10000, 1, 'linear', 32, 1, 4096, false, 1, -1, null],
    );
    const round = deserializeLayer(serializeLayer(built));
    assert.deepEqual(serializeLayer(round), serializeLayer(built));
  });

  it('bad options and positions: clear errors naming the layer, the argument and the value', () => {
    const rejects = (f: () => unknown, pattern: RegExp) =>
      assert.throws(f, (e: Error) => {
        assert.ok(e instanceof ValueError, `expected a ValueError, got ${e}`);
        assert.match(e.message, pattern);
        return true;
      });
    rejects(
      () => layers.rotaryEmbedding({ ropeType: 'ntk' as 'yarn', name: 'r' }),
      /RotaryEmbedding 'r': 'ropeType' must be one of 'linear', 'dynamic', 'yarn', got "ntk"/,
    );
    rejects(
      () => layers.rotaryEmbedding({ ropeType: 'yarn', originalMaxPositionEmbeddings: 0, name: 'r' }),
      /RotaryEmbedding 'r': 'originalMaxPositionEmbeddings' must be a positive number \(ropeType 'yarn' takes its logarithm\), got 0/,
    );
    rejects(
      () => layers.rotaryEmbedding({ ropeType: 'yarn', originalMaxPositionEmbeddings: null, name: 'r' }),
      /'originalMaxPositionEmbeddings' must be a positive number .*got null/,
    );
    rejects(
      () => layers.rotaryEmbedding({ ropeType: 'yarn', betaFast: -32 }),
      /'betaFast' must be a positive number .*got -32/,
    );
    rejects(
      () => layers.rotaryEmbedding({ ropeType: 'yarn', betaSlow: 0 }),
      /'betaSlow' must be a positive number .*got 0/,
    );
    rejects(
      () => layers.rotaryEmbedding({ ropeType: 'yarn', scalingFactor: -2 }),
      /'scalingFactor' must be a positive number, got -2/,
    );
    rejects(
      () => layers.rotaryEmbedding({ truncate: 'yes' as unknown as boolean }),
      /'truncate' must be true or false, got "yes"/,
    );
    rejects(
      () => layers.rotaryEmbedding({ denominatorDim: 0 }),
      /'denominatorDim' must be a positive number or null, got 0/,
    );
    // The YaRN options are not used (so not checked) by the other rope types, as in KerasHub.
    assert.equal(layers.rotaryEmbedding({ originalMaxPositionEmbeddings: null }).originalMaxPositionEmbeddings, null);

    const rope = layers.rotaryEmbedding({ ...yarnArgs, name: 'r' });
    const x = ones([2, 3, 4]);
    rejects(
      () => rope.apply(x, { positions: [0, 1] } as RotaryCallArgs),
      /RotaryEmbedding 'r': 'positions' must have shape \[3\] or \[batch, 3\] for an input of sequence length 3, got \[2\]/,
    );
    rejects(
      () =>
        rope.apply(x, {
          positions: [
            [0, 1, 2],
            [0, 1, 2],
            [0, 1, 2],
          ],
        } as RotaryCallArgs),
      /'positions' has 3 rows but the input has a batch of 2/,
    );
    rejects(
      () =>
        layers.rotaryEmbedding({ sequenceAxis: 0, name: 'r' }).apply(ones([3, 4]), {
          positions: [
            [0, 1, 2],
            [0, 1, 2],
          ],
        } as RotaryCallArgs),
      /'positions' has 2 rows but the input has no batch axis/,
    );
    rejects(
      () => rope.apply(x, { positions: [[0, 1], [2]] } as unknown as RotaryCallArgs),
      /'positions' must be a Tensor or a \(nested\) array of numbers/,
    );
    rejects(
      () => rope.apply(input({ shape: [3, 4] }), { positions: input({ shape: [3] }) } as unknown as RotaryCallArgs),
      /'positions' must be a Tensor or an array of numbers; a symbolic tensor is not supported/,
    );
    rejects(
      () => rope.apply(x, { startIndex: -1 } as RotaryCallArgs),
      /'startIndex' must be a non-negative integer, got -1/,
    );
    rejects(
      () => rope.apply(x, { startIndex: tensor([1, 2], undefined, 'int32') } as RotaryCallArgs),
      /RotaryEmbedding 'r': 'startIndex' must be a number or a tensor of one element, got a tensor of shape \[2\]/,
    );
    rejects(
      () => rope.apply(x, { startIndex: tensor([1.5]) } as RotaryCallArgs),
      /'startIndex' must be a non-negative integer, got 1.5/,
    );
  });
});

// numpy.random.default_rng(0).standard_normal((2, 2, 1, 16)).astype(float32): KerasHub's test input.
const FLAX_INPUT = [
  0.1257302165031433, -0.13210485875606537, 0.6404226422309875, 0.10490011423826218, -0.5356693863868713,
  0.3615950644016266, 1.3040000200271606, 0.9470809698104858, -0.7037352323532104, -1.2654215097427368,
  -0.6232744455337524, 0.04132597893476486, -2.32503080368042, -0.218791663646698, -1.2459110021591187,
  -0.7322673797607422, -0.5442590117454529, -0.3163001537322998, 0.4116305410861969, 1.042513370513916,
  -0.12853465974330902, 1.3664634227752686, -0.6651946902275085, 0.35151007771492004, 0.9034701585769653,
  0.0940122976899147, -0.7434992790222168, -0.9217253923416138, -0.4577258229255676, 0.22019512951374054,
  -1.0096181631088257, -0.20917557179927826, -0.15922501683235168, 0.5408455729484558, 0.21465912461280823,
  0.35537269711494446, -0.6538286209106445, -0.12961363792419434, 0.7839754819869995, 1.4934310913085938,
  -1.2590655088424683, 1.5139237642288208, 1.3458753824234009, 0.7813113927841187, 0.2644556164741516,
  -0.31392282247543335, 1.4580206871032715, 1.9602583646774292, 1.8016349077224731, 1.3151037693023682,
  0.3573804199695587, -1.2083185911178589, -0.004454133100807667, 0.6564749479293823, -1.2883614301681519,
  0.39512205123901367, 0.42986369132995605, 0.6960427165031433, -1.1841179132461548, -0.661702573299408,
  -0.4364352524280548, -1.169801950454712, 1.7393678426742554, -0.49591073393821716,
];
// KerasHub's rotary_embedding_test.py, test_positions_2d_array (flax's RoPE at positions [[0, 0], [0, 1]]);
// the three steps at position 0 are unrotated, and KerasHub lists them as the input's values.
const FLAX_2D = [
  ...FLAX_INPUT.slice(0, 48),
  0.611709595,
  1.03343689,
  0.47380957,
  -1.18679309,
  -8.96309502e-5,
  0.660170913,
  -1.29010022,
  0.395278841,
  1.74827969,
  1.07050526,
  -1.14252377,
  -0.699575782,
  -0.436457992,
  -1.1677202,
  1.73807859,
  -0.495785743,
];
