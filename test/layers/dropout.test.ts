import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad, mul, ones, setSeed, sum, tensor, type Tensor } from '../../src/index.js';
import { Dropout, deserializeLayer, layers, serializeLayer } from '../../src/layers/index.js';

describe('Dropout', () => {
  it('is the identity at inference (the default)', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const d = layers.dropout({ rate: 0.5 });
    assert.equal(d.apply(x), x);
    assert.equal(d.apply(x, { training: false }), x);
  });

  it('drops about `rate` of the inputs when training and scales the rest by 1/(1-rate)', () => {
    const d = layers.dropout({ rate: 0.3, seed: 1 });
    const y = (d.apply(ones([100, 100]), { training: true }) as Tensor).dataSync();
    let zeros = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else assert.ok(Math.abs(v - 1 / 0.7) < 1e-6, `kept value ${v}`);
    }
    assert.ok(Math.abs(zeros / y.length - 0.3) < 0.02, `dropped fraction ${zeros / y.length}`);
    const mean = Array.from(y).reduce((a, b) => a + b, 0) / y.length;
    assert.ok(Math.abs(mean - 1) < 0.03, `expected value preserved, mean ${mean}`);
  });

  it('is reproducible: with setSeed, and with its own seed', () => {
    const d = layers.dropout({ rate: 0.5 });
    setSeed(3);
    const a = (d.apply(ones([20]), { training: true }) as Tensor).arraySync();
    setSeed(3);
    assert.deepEqual((d.apply(ones([20]), { training: true }) as Tensor).arraySync(), a);
    const s1 = layers.dropout({ rate: 0.5, seed: 9 });
    const s2 = layers.dropout({ rate: 0.5, seed: 9 });
    const first = (s1.apply(ones([20]), { training: true }) as Tensor).arraySync();
    assert.deepEqual((s2.apply(ones([20]), { training: true }) as Tensor).arraySync(), first);
    assert.notDeepEqual(
      (s1.apply(ones([20]), { training: true }) as Tensor).arraySync(),
      first,
      'a fresh mask each step',
    );
  });

  it('shares the mask along noiseShape dimensions of size 1', () => {
    const d = layers.dropout({ rate: 0.5, noiseShape: [null, 1], seed: 2 });
    const y = (d.apply(ones([50, 4]), { training: true }) as Tensor).arraySync() as number[][];
    for (const row of y)
      assert.ok(
        row.every((v) => v === row[0]),
        `row ${row}`,
      );
    assert.throws(
      () => layers.dropout({ rate: 0.5, noiseShape: [3] }).apply(ones([2, 2]), { training: true }),
      /noiseShape \[3\] must have the input's rank 2/,
    );
  });

  it('passes the gradient through kept units only, scaled', () => {
    const d = layers.dropout({ rate: 0.5, seed: 5 });
    const x = ones([10]);
    const g = grad((xi) => sum(mul(d.apply(xi, { training: true }) as Tensor, 1)))(x).dataSync();
    assert.ok(g.every((v) => v === 0 || v === 2));
  });

  it('validates rate and round-trips its config', () => {
    assert.throws(() => layers.dropout({ rate: 1.5 }), /'rate' must be a number in \[0, 1\], got 1.5/);
    const d = layers.dropout({ rate: 0.25, noiseShape: [null, 1], seed: 4, name: 'drop' });
    const copy = deserializeLayer(JSON.parse(JSON.stringify(serializeLayer(d))));
    assert.ok(copy instanceof Dropout);
    assert.deepEqual(copy.getConfig(), d.getConfig());
  });
});
