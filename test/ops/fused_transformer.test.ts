// The Transformer's fused kernels seen from the ops: gelu, layer normalization, the masked
// softmax and the softmax gradient give the values and gradients of the composites they replace.
// 'ref' has the kernels; 'ref-unfused' is the same backend without them, so the ops build the
// composites. Gradients are checked in float64 by finite differences on both, second
// derivatives (where the backward pass is itself differentiated) compared between them.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { registerBackend } from '../../src/backend/registry.js';
import { RefBackend } from '../../src/backends/ref/index.js';
import type { Tensor } from '../../src/core/tensor.js';
import { Variable } from '../../src/core/variable.js';
import { gelu, getBackend, grad, layers, logSoftmax, mul, setBackend, softmax, sum, tensor } from '../../src/index.js';
import { maskedSoftmax } from '../../src/layers/attention_masks.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';
import { checkVariableGradients } from '../layers/layer_gradcheck.js';

const FUSED = ['gelu', 'geluWithDerivative', 'layerNorm', 'layerNormGrad', 'maskedSoftmax', 'softmaxGrad'] as const;
registerBackend('ref-unfused', () =>
  Object.assign(new RefBackend(), Object.fromEntries(FUSED.map((k) => [k, undefined]))),
);
const initial = getBackend();
after(() => setBackend(initial));

/** `f()` on the fused and on the unfused backend, as plain arrays. */
function onBoth(f: () => Tensor): [Float64Array, Float64Array] {
  const run = (name: string) => {
    setBackend(name);
    return Float64Array.from(f().dataSync());
  };
  const out: [Float64Array, Float64Array] = [run('ref'), run('ref-unfused')];
  setBackend('ref');
  return out;
}

const f64 = (v: number[], shape?: number[]) => tensor(v, shape, 'float64');
const grid = Array.from({ length: 49 }, (_, i) => -6 + i * 0.25);

describe('fused gelu', () => {
  for (const approximate of [false, true]) {
    const form = approximate ? 'tanh form' : 'exact';
    it(`${form}: the composite's values, and gradients checked on both backends`, () => {
      const [fused, composite] = onBoth(() => gelu(f64(grid), approximate));
      assertClose(fused, composite, 1e-14);
      for (const be of ['ref', 'ref-unfused']) {
        setBackend(be);
        checkGradients((t) => gelu(t, approximate), [rand64([3, 5], 7, -4, 4)]);
      }
      setBackend('ref');
    });

    it(`${form}: second derivatives equal the composite's`, () => {
      const second = () => grad((t: Tensor) => sum(grad((u: Tensor) => sum(gelu(u, approximate)))(t)))(f64(grid));
      const [fused, composite] = onBoth(second);
      assertClose(fused, composite, 1e-12);
    });
  }

  it('keeps its precision in the lower tail, where 1 + erf(x/√2) cancels', () => {
    setBackend('ref');
    // Φ(-9) = 1.1285884059538e-19 (published tables).
    const y = gelu(f64([-9])).dataSync()[0];
    assert.ok(Math.abs(y / (-9 * 1.1285884059538e-19) - 1) < 1e-12, `gelu(-9) = ${y}`);
    // The tanh form: x·σ(2u) with u = √(2/π)(x + 0.044715x³), not 0.5x(1 + tanh(u)).
    const u = Math.sqrt(2 / Math.PI) * (-9 + 0.044715 * -729);
    const z = gelu(f64([-9]), true).dataSync()[0];
    assert.ok(Math.abs(z / (-9 / (1 + Math.exp(-2 * u))) - 1) < 1e-12, `tanh-form gelu(-9) = ${z}`);
  });

  it('has the limits 1 and 0 as its slope at ±Infinity', () => {
    setBackend('ref');
    for (const approximate of [false, true])
      assert.deepEqual(
        Array.from(grad((t: Tensor) => sum(gelu(t, approximate)))(f64([Infinity, -Infinity])).dataSync()),
        [1, 0],
      );
  });
});

describe('fused layer normalization', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['gamma and beta', {}],
    ['no gamma', { scale: false }],
    ['no beta', { center: false }],
  ];
  for (const [label, args] of cases) {
    it(`${label}: the composite's values; gradients of the input, gamma and beta on both backends`, () => {
      // Inputs are made inside each run, on the backend under test (ops run on their inputs' backend).
      const x = () => rand64([2, 3, 6], 3, -2, 2);
      const run = () => {
        const layer = layers.layerNormalization({ epsilon: 1e-3, dtype: 'float64', ...args });
        layer.apply(x());
        layer.setWeights(layer.weights.map((w, i) => rand64([...w.shape], 20 + i, -1.5, 1.5)));
        return { layer, y: layer.apply(x()) as Tensor };
      };
      const [fused, composite] = onBoth(() => run().y);
      assertClose(fused, composite, 1e-13);
      for (const be of ['ref', 'ref-unfused']) {
        setBackend(be);
        const { layer } = run();
        const input = new Variable(x(), true, 'x');
        checkVariableGradients(() => layer.apply(input) as Tensor, [...layer.weights, input]);
      }
      setBackend('ref');
    });
  }

  it("second derivatives equal the composite's", () => {
    const second = () => {
      const x = rand64([3, 5], 5, -2, 2);
      const layer = layers.layerNormalization({ dtype: 'float64' });
      layer.apply(x);
      layer.setWeights(layer.weights.map((w, i) => rand64([...w.shape], 40 + i, -1, 1)));
      const w = rand64([3, 5], 9, -1, 1);
      // d/dx of Σ (d/dx Σ w·LN(x))²: the backward pass differentiated again.
      return grad((t: Tensor) => {
        const g = grad((u: Tensor) => sum(mul(layer.apply(u) as Tensor, w)))(t);
        return sum(mul(g, g));
      })(x);
    };
    const [fused, composite] = onBoth(second);
    assertClose(fused, composite, 1e-10);
  });

  it('leaves other axes and rmsScaling to the composite', () => {
    setBackend('ref');
    const x = () => rand64([2, 3, 4], 6, -2, 2);
    for (const args of [{ axis: 1 }, { axis: [1, 2] }, { rmsScaling: true }]) {
      const [fused, composite] = onBoth(
        () => layers.layerNormalization({ dtype: 'float64', ...args }).apply(x()) as Tensor,
      );
      assertClose(fused, composite, 1e-13);
    }
  });
});

describe('fused masked softmax and softmax gradient', () => {
  // A causal mask with a padded key, so the first query's row is wholly masked.
  const mask = () => tensor([0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0], [1, 4, 4], 'bool');

  it("gives Keras' masked softmax: 0 where masked and across wholly masked rows", () => {
    const scores = () => rand64([2, 3, 4, 4], 8, -5, 5);
    const [fused, composite] = onBoth(() => maskedSoftmax(scores(), mask()));
    assertClose(fused, composite, 1e-14);
    assert.deepEqual(Array.from(fused.slice(0, 4)), [0, 0, 0, 0]);
    for (const be of ['ref', 'ref-unfused']) {
      setBackend(be);
      const m = mask();
      checkGradients((t) => maskedSoftmax(t, m), [scores()]);
    }
    setBackend('ref');
  });

  it('softmax and logSoftmax gradients, first and second order, equal the composite ones', () => {
    const x = () => rand64([3, 7], 12, -4, 4);
    const w = () => rand64([3, 7], 13, -1, 1);
    for (const f of [(t: Tensor) => softmax(t), (t: Tensor) => logSoftmax(t)]) {
      const first = () => grad((t: Tensor) => sum(mul(f(t), w())))(x());
      const [a, b] = onBoth(first);
      assertClose(a, b, 1e-14);
      const second = () => grad((t: Tensor) => sum(mul(grad((u: Tensor) => sum(mul(f(u), w())))(t), w())))(x());
      const [c, d] = onBoth(second);
      assertClose(c, d, 1e-12);
    }
  });
});
