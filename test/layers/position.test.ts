import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import { deserializeLayer, gelu, getActivation, layers, serializeLayer, tensor } from '../../src/index.js';
import type { PositionCallArgs } from '../../src/layers/position.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';
import { reader } from './attention_reference.js';

const roundTrip = (layer: Parameters<typeof serializeLayer>[0]) =>
  assert.deepEqual(serializeLayer(deserializeLayer(serializeLayer(layer))), serializeLayer(layer));

describe('gelu', () => {
  it('exact (erf) and tanh-approximate values, as an op and as activations', () => {
    const x = tensor([1, -0.5, 2], undefined, 'float64');
    const exact = [0.8413447460685429, -0.15426876936299344, 1.9544997361036416];
    const approx = [0.8411919906082768, -0.15428599017485606, 1.954597694087775];
    assertClose(gelu(x), exact, 1e-14);
    assertClose(gelu(x, true), approx, 1e-14);
    assertClose(getActivation('gelu').apply(x), exact, 1e-14);
    assertClose(getActivation('gelu_approximate').apply(x), approx, 1e-14);
    assert.equal(getActivation('geluApproximate').name, 'gelu_approximate');
  });
});

describe('LayerNormalization rmsScaling (Keras 3)', () => {
  it('x · rsqrt(variance + epsilon) · gamma, with gamma only', () => {
    const ln = layers.layerNormalization({
      rmsScaling: true,
      epsilon: 0.01,
      center: true,
      scale: false,
      dtype: 'float64',
    });
    const x = tensor(
      [
        [1, 2, 4],
        [-1, 0, 3],
      ],
      undefined,
      'float64',
    );
    ln.apply(x);
    assert.deepEqual(
      ln.weights.map((w) => w.name.split('/')[1]),
      ['gamma'],
    );
    ln.setWeights([tensor([1, 2, 0.5], undefined, 'float64')]);
    const want: number[] = [];
    for (const row of [
      [1, 2, 4],
      [-1, 0, 3],
    ]) {
      const m = row.reduce((a, b) => a + b) / 3;
      const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / 3;
      row.forEach((r, i) => want.push((r / Math.sqrt(v + 0.01)) * [1, 2, 0.5][i]));
    }
    assertClose(ln.apply(x) as Tensor, want, 1e-14);
    assert.equal(ln.getConfig().rmsScaling, true);
    roundTrip(ln);
  });
});

describe('EinsumDense', () => {
  it("derives Keras' kernel, bias and output shapes from the equation", () => {
    const cases: [
      string,
      number | (number | null)[],
      string | null,
      (number | null)[],
      number[],
      number[] | null,
      (number | null)[],
    ][] = [
      ['ab,bc->ac', 64, 'c', [null, 32], [32, 64], [64], [null, 64]],
      ['abc,cd->abd', [null, 64], 'd', [null, 32, 128], [128, 64], [64], [null, 32, 64]],
      ['abc,cde->abde', [null, 2, 4], 'de', [null, 5, 8], [8, 2, 4], [2, 4], [null, 5, 2, 4]],
      ['abcd,cde->abe', [null, 8], 'e', [null, 5, 2, 4], [2, 4, 8], [8], [null, 5, 8]],
      ['...b,bc->...c', 64, 'c', [null, 32, 128], [128, 64], [64], [null, 32, 64]],
      ['abc,cd->abd', [null, 64], 'b', [null, 32, 128], [128, 64], [32, 1], [null, 32, 64]],
    ];
    for (const [equation, outputShape, biasAxes, inputShape, kernel, bias, output] of cases) {
      const layer = layers.einsumDense({ equation, outputShape, biasAxes });
      const x = rand64(
        inputShape.map((d) => d ?? 2),
        1,
      );
      const y = layer.apply(x) as Tensor;
      assert.deepEqual(layer.weights[0].shape, kernel, `${equation} kernel`);
      assert.deepEqual(layer.weights[1]?.shape ?? null, bias, `${equation} bias`);
      assert.deepEqual(layer.computeOutputShape(inputShape), output, `${equation} output`);
      assert.deepEqual(
        y.shape,
        output.map((d) => d ?? 2),
      );
      roundTrip(layer);
    }
  });

  it('computes einsum(x, kernel) + bias, then the activation', () => {
    const layer = layers.einsumDense({
      equation: 'abc,cde->abde',
      outputShape: [null, 2, 2],
      biasAxes: 'e',
      activation: 'relu',
      dtype: 'float64',
    });
    const x = rand64([2, 3, 4], 2);
    layer.apply(x);
    const k = rand64([4, 2, 2], 3),
      b = rand64([2], 4);
    layer.setWeights([k, b]);
    const X = reader(x),
      K = reader(k),
      B = reader(b);
    const want: number[] = [];
    for (let a = 0; a < 2; a++)
      for (let t = 0; t < 3; t++)
        for (let d = 0; d < 2; d++)
          for (let e = 0; e < 2; e++) {
            let s = B(e);
            for (let c = 0; c < 4; c++) s += X(a, t, c) * K(c, d, e);
            want.push(Math.max(0, s));
          }
    assertClose(layer.apply(x) as Tensor, want, 1e-14);
  });

  it("initializes like Keras 3: the kernel's fans come from its input and output axes", () => {
    // Kernel [64, 4, 16]: fan-in 64, fan-out 64 → glorot limit sqrt(6/128) ≈ 0.217 (convolution-style
    // fans, 256 and 1024, would give 0.068).
    const layer = layers.einsumDense({ equation: 'abc,cde->abde', outputShape: [null, 4, 16] });
    layer.apply(rand64([1, 2, 64]));
    const w = [...layer.weights[0].dataSync()].map(Math.abs);
    const max = Math.max(...w);
    assert.ok(max <= Math.sqrt(6 / 128) && max > 0.2, `max |w| ${max}`);
  });
});

describe('position layers', () => {
  it('PositionEmbedding returns table rows from startIndex, broadcast over the batch', () => {
    const pos = layers.positionEmbedding({ sequenceLength: 5, dtype: 'float64' });
    const x = rand64([2, 3, 2]);
    pos.apply(x);
    const table = rand64([5, 2], 5);
    pos.setWeights([table]);
    const T = table.dataSync();
    const args: PositionCallArgs = { startIndex: 2 };
    const y = pos.apply(x, args) as Tensor;
    const rows = [...T.slice(4, 10)];
    assertClose(y, [...rows, ...rows], 0);
    assert.deepEqual(pos.weights[0].name.endsWith('/embeddings'), true);
    roundTrip(pos);
  });

  it('SinePositionEncoding: sin at even features, cos at odd ones (hand values)', () => {
    const y = layers.sinePositionEncoding({ dtype: 'float64' }).apply(rand64([1, 2, 4])) as Tensor;
    assertClose(
      y,
      [0, 1, 0, 1, 0.8414709848078965, 0.5403023058681398, 0.009999833334166664, 0.9999500004166653],
      1e-14,
    );
    const shifted = layers.sinePositionEncoding({ maxWavelength: 100, dtype: 'float64' });
    const z = shifted.apply(rand64([1, 1, 2]), { startIndex: 3 } as PositionCallArgs) as Tensor;
    assertClose(z, [Math.sin(3), Math.cos(3)], 1e-14);
    roundTrip(shifted);
  });

  it('RotaryEmbedding rotates feature pairs (i, i + d/2) by p · w^(-2i/d), on any axes', () => {
    const x = rand64([2, 3, 2, 4], 6);
    const check = (y: Tensor, at: (b: number, s: number, h: number, f: number) => number, start = 0) => {
      const X = reader(x);
      const want: number[] = [];
      for (let b = 0; b < 2; b++)
        for (let s = 0; s < 3; s++)
          for (let h = 0; h < 2; h++)
            for (let f = 0; f < 4; f++) {
              const i = f % 2,
                angle = (s + start) * 10000 ** (-(2 * i) / 4);
              const other = f < 2 ? -X(b, s, h, f + 2) : X(b, s, h, f - 2);
              want.push(X(b, s, h, f) * Math.cos(angle) + other * Math.sin(angle));
            }
      const Y = reader(y);
      const got: number[] = [];
      for (let b = 0; b < 2; b++)
        for (let s = 0; s < 3; s++)
          for (let h = 0; h < 2; h++) for (let f = 0; f < 4; f++) got.push(at(b, s, h, f) ?? Y(b, s, h, f));
      assertClose(got, want, 1e-13);
    };
    const rope = layers.rotaryEmbedding({ dtype: 'float64' });
    const y = rope.apply(x, { startIndex: 2 } as PositionCallArgs) as Tensor;
    const Y = reader(y);
    check(y, (b, s, h, f) => Y(b, s, h, f), 2);
    // The same with the sequence on axis 2 and the features on axis 1.
    const moved = x.transpose([0, 3, 1, 2]);
    const rope2 = layers.rotaryEmbedding({ sequenceAxis: 2, featureAxis: 1, dtype: 'float64' });
    const M = reader(rope2.apply(moved) as Tensor);
    check(y, (b, s, h, f) => M(b, f, s, h));
    roundTrip(rope2);
  });

  it('RotaryEmbedding makes q·k depend on relative position only', () => {
    const rope = layers.rotaryEmbedding({ dtype: 'float64' });
    const q = rand64([1, 1, 1, 6], 7),
      k = rand64([1, 1, 1, 6], 8);
    const dot = (pq: number, pk: number) => {
      const a = [...(rope.apply(q, { startIndex: pq } as PositionCallArgs) as Tensor).dataSync()];
      const b = [...(rope.apply(k, { startIndex: pk } as PositionCallArgs) as Tensor).dataSync()];
      return a.reduce((s, v, i) => s + v * b[i], 0);
    };
    assert.ok(Math.abs(dot(5, 2) - dot(13, 10)) < 1e-12);
    assert.ok(Math.abs(dot(5, 2) - dot(5, 3)) > 1e-6);
  });

  it('TokenAndPositionEmbedding: token row plus position row, mask, reverse projection', () => {
    const emb = layers.tokenAndPositionEmbedding({
      vocabularySize: 6,
      sequenceLength: 4,
      embeddingDim: 2,
      maskZero: true,
      name: 'tpe',
      dtype: 'float64',
    });
    const ids = tensor(
      [
        [3, 1, 0],
        [5, 0, 0],
      ],
      undefined,
      'int32',
    );
    emb.apply(ids);
    assert.deepEqual(
      emb.weights.map((w) => `${w.name} ${w.shape}`),
      ['tpe/token_embedding/embeddings 6,2', 'tpe/position_embedding/embeddings 4,2'],
    );
    const [E, P] = [rand64([6, 2], 1), rand64([4, 2], 2)];
    emb.setWeights([E, P]);
    const e = reader(E),
      p = reader(P);
    const y = emb.apply(ids) as Tensor;
    const want = [
      [3, 1, 0],
      [5, 0, 0],
    ].flatMap((row) => row.flatMap((id, t) => [e(id, 0) + p(t, 0), e(id, 1) + p(t, 1)]));
    assertClose(y, want, 1e-15);
    assert.deepEqual([...(emb.computeMask(ids) as Tensor).dataSync()], [1, 1, 0, 1, 0, 0]);
    const logits = emb.reverse(y);
    const Y = reader(y);
    assertClose(
      logits,
      [0, 1, 2, 3, 4, 5].flatMap((row) =>
        Array.from(
          { length: 6 },
          (_, v) => Y(Math.floor(row / 3), row % 3, 0) * e(v, 0) + Y(Math.floor(row / 3), row % 3, 1) * e(v, 1),
        ),
      ),
      1e-14,
    );
    roundTrip(emb);
    const untied = layers.tokenAndPositionEmbedding({
      vocabularySize: 6,
      sequenceLength: 4,
      embeddingDim: 2,
      tieWeights: false,
      name: 'u',
    });
    untied.apply(ids);
    assert.deepEqual(
      untied.weights.map((w) => `${w.name} ${w.shape}`),
      [
        'u/token_embedding/embeddings 6,2',
        'u/token_embedding/reverse_embeddings 2,6',
        'u/position_embedding/embeddings 4,2',
      ],
    );
  });
});
