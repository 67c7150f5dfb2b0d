import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  abs,
  add,
  clipByValue,
  elu,
  erf,
  gelu,
  grad,
  grads,
  hardSigmoid,
  hardSigmoidTfjs,
  hardSilu,
  leakyRelu,
  logSoftmax,
  maximum,
  min,
  minimum,
  mish,
  moments,
  mul,
  prelu,
  prod,
  relu,
  relu6,
  round,
  selu,
  silu,
  softmax,
  softsign,
  stopGradient,
  sum,
  swish,
  tensor,
} from '../../src/index.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

const f64 = (v: number[] | number[][]) => tensor(v, undefined, 'float64');

describe('forward values against hand-computed numbers', () => {
  it('erf matches reference values to 1e-12, and is odd', () => {
    const ref: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182848922],
      [0.25, 0.2763263901682369],
      [0.5, 0.5204998778130465377],
      [1, 0.8427007929497148693],
      [1.5, 0.9661051464753107271],
      [2, 0.9953222650189527342],
      [3, 0.9999779095030014146],
      [4, 0.9999999845827420997],
      [5, 0.9999999999984625402],
    ];
    const xs = ref.map(([x]) => x);
    const got = erf(f64([...xs, ...xs.map((x) => -x)])).dataSync();
    ref.forEach(([x, v], i) => {
      assert.ok(Math.abs(got[i] - v) < 1e-12, `erf(${x}) = ${got[i]}, expected ${v}`);
      assert.ok(Math.abs(got[i + ref.length] + v) < 1e-12, `erf(${-x})`);
    });
  });
  it("round is banker's rounding (half to even)", () => {
    assert.deepEqual(
      Array.from(round(f64([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6])).dataSync()),
      [0, 2, 2, -0, -2, -2, 2, 3, -3],
    );
  });
  it('activation composites', () => {
    assertClose(gelu(f64([1, -1, 0])), [0.8413447460685429, -0.15865525393145707, 0], 1e-14);
    assertClose(gelu(f64([1, -1])), [0.8413447460685429, -0.15865525393145707], 1e-14, 'exact is the default');
    assertClose(gelu(f64([1, -1]), true), [0.8411919906082768, -0.15880800939172324], 1e-14);
    assertClose(swish(f64([1, -2])), [1 / (1 + Math.exp(-1)), -2 / (1 + Math.exp(2))], 1e-15);
    assertClose(silu(f64([1])), swish(f64([1])), 0);
    assertClose(hardSigmoid(f64([-4, -3, 0, 1, 3, 4])), [0, 0, 0.5, 4 / 6, 1, 1], 1e-15);
    // TF.js' and Keras 2's: 0 below -2.5, 1 above 2.5, 0.2x + 0.5 between.
    assertClose(hardSigmoidTfjs(f64([-4, -2.5, -1, 0, 1, 2.5, 4])), [0, 0, 0.3, 0.5, 0.7, 1, 1], 1e-15);
    assertClose(hardSilu(f64([-4, 1, 4])), [-0, 4 / 6, 4], 1e-15);
    assertClose(softsign(f64([1, -3])), [0.5, -0.75], 1e-15);
    assertClose(mish(f64([1, 0])), [0.8650983882673103, 0], 1e-14);
    assertClose(leakyRelu(f64([-1, 2])), [-0.2, 2], 1e-15);
    assertClose(leakyRelu(f64([-1, 2]), 0.01), [-0.01, 2], 1e-15);
    assertClose(elu(f64([-1, 2]), 0.5), [0.5 * (Math.exp(-1) - 1), 2], 1e-15);
    assertClose(elu(f64([-1, 2])), [Math.exp(-1) - 1, 2], 1e-15);
    assertClose(
      selu(f64([-1, 1])),
      [1.0507009873554805 * 1.6732632423543772 * (Math.exp(-1) - 1), 1.0507009873554805],
      1e-15,
    );
    assertClose(
      prelu(
        f64([
          [-1, 2],
          [-3, 4],
        ]),
        f64([0.1, 0.5]),
      ),
      [-0.1, 2, -0.3, 4],
      1e-15,
    );
    assertClose(clipByValue(f64([-2, 0.5, 3]), 0, 1), [0, 0.5, 1], 0);
  });
  it('elu with alpha does not produce NaN gradients for large inputs', () => {
    const g = grad((x) => elu(x, 0.5))(f64([1000, -1000]));
    assert.deepEqual(Array.from(g.dataSync()), [1, 0]);
  });
  it('moments gives the mean and biased variance', () => {
    const { mean, variance } = moments(
      f64([
        [1, 2],
        [3, 6],
      ]),
      0,
    );
    assertClose(mean, [2, 4], 0);
    assertClose(variance, [1, 4], 0);
    const all = moments(
      f64([
        [1, 2],
        [3, 6],
      ]),
      undefined,
      true,
    );
    assert.deepEqual(all.mean.shape, [1, 1]);
    assertClose(all.variance, [3.5], 1e-15);
  });
});

describe('softmax and logSoftmax', () => {
  it('are stable at large inputs', () => {
    assertClose(softmax(tensor([1e4, 0, 1e4])), [0.5, 0, 0.5], 0);
    assertClose(softmax(tensor([-1e4, -1e4])), [0.5, 0.5], 0);
    assertClose(logSoftmax(tensor([1e4, 0])), [0, -1e4], 0);
    assertClose(logSoftmax(f64([1000, 1000])), [-Math.LN2, -Math.LN2], 1e-15);
    const g = grad((x) => sum(softmax(x)))(f64([1e4, 0, -1e4]));
    assert.ok(Array.from(g.dataSync()).every(Number.isFinite));
  });
  it('match the definition along any axis', () => {
    const x = f64([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const e = [1, 2, 3].map(Math.exp);
    const s = e[0] + e[1] + e[2];
    assertClose(softmax(x), [e[0] / s, e[1] / s, e[2] / s, 1 / 3, 1 / 3, 1 / 3], 1e-15);
    assertClose(
      softmax(x, 0),
      [
        Math.E / (1 + Math.E),
        Math.exp(2) / (1 + Math.exp(2)),
        Math.exp(3) / (1 + Math.exp(3)),
        1 / (1 + Math.E),
        1 / (1 + Math.exp(2)),
        1 / (1 + Math.exp(3)),
      ],
      1e-15,
    );
    assertClose(logSoftmax(x), softmax(x).log(), 1e-15);
  });
  it('reject scalars and bad axes naming the op', () => {
    assert.throws(() => softmax(tensor(1)), /softmax: axis -1 is out of range for a tensor of rank 0/);
    assert.throws(() => logSoftmax(tensor([1, 2]), 1), /logSoftmax: axis 1 is out of range for a tensor of rank 1/);
  });
});

describe('gradient checks of composites', () => {
  const x = rand64([3, 4], 1, -3, 3);
  const cases: [string, (t: ReturnType<typeof tensor>) => ReturnType<typeof tensor>][] = [
    ['leakyRelu', (t) => leakyRelu(t, 0.1)],
    ['elu(alpha)', (t) => elu(t, 0.7)],
    ['gelu exact', (t) => gelu(t)],
    ['gelu approximate', (t) => gelu(t, true)],
    ['swish', swish],
    ['hardSigmoid', hardSigmoid],
    ['hardSigmoidTfjs', hardSigmoidTfjs],
    ['hardSilu', hardSilu],
    ['softsign', softsign],
    ['mish', mish],
    ['clipByValue', (t) => clipByValue(t, -1, 1.5)],
    ['softmax', (t) => softmax(t)],
    ['softmax axis 0', (t) => softmax(t, 0)],
    ['logSoftmax', (t) => logSoftmax(t)],
    ['logSoftmax axis 0', (t) => logSoftmax(t, 0)],
    ['moments.mean', (t) => moments(t, 1).mean],
    ['moments.variance', (t) => moments(t, [0, 1]).variance],
  ];
  for (const [name, f] of cases) it(name, () => checkGradients(f, [x]));
  it('prelu with respect to x and alpha', () => {
    checkGradients((t, a) => prelu(t, a), [x, rand64([4], 2, 0, 0.5)]);
  });
});

describe('kinks and ties', () => {
  it('relu and abs have gradient 0 at 0; relu6 is 0 at 6', () => {
    assert.deepEqual(Array.from(grad(relu)(f64([0, -1, 1])).dataSync()), [0, 0, 1]);
    assert.deepEqual(Array.from(grad(abs)(f64([0, -2, 2])).dataSync()), [0, -1, 1]);
    assert.deepEqual(Array.from(grad(relu6)(f64([0, 6, 3])).dataSync()), [0, 0, 1]);
  });
  it('maximum and minimum send the whole gradient to the first operand on ties', () => {
    const [da, db] = grads((a, b) => maximum(a, b))([f64([2, 1, 3]), f64([2, 2, 2])]);
    assert.deepEqual(Array.from(da.dataSync()), [1, 0, 1]);
    assert.deepEqual(Array.from(db.dataSync()), [0, 1, 0]);
    const [ma, mb] = grads((a, b) => minimum(a, b))([f64([2]), f64([2])]);
    assert.deepEqual([ma.item(), mb.item()], [1, 0]);
  });
  it('min splits the gradient between tied minima', () => {
    assert.deepEqual(Array.from(grad((t) => min(t))(f64([1, 1, 3, 1])).dataSync()), [1 / 3, 1 / 3, 0, 1 / 3]);
  });
  it('clipByValue passes the gradient inside and on the boundary, blocks it outside', () => {
    assert.deepEqual(
      Array.from(grad((t) => clipByValue(t, 0, 1))(f64([-1, 0, 0.5, 1, 2])).dataSync()),
      [0, 1, 1, 1, 0],
    );
  });
  it('leakyRelu has gradient alpha at 0, as TensorFlow', () => {
    assert.deepEqual(Array.from(grad((t) => leakyRelu(t, 0.3))(f64([0, 1, -1])).dataSync()), [0.3, 1, 0.3]);
  });
  it('prod has the exact gradient with one zero, two zeros and none', () => {
    assert.deepEqual(Array.from(grad((t) => prod(t))(f64([0, 2, 3])).dataSync()), [6, 0, 0]);
    assert.deepEqual(Array.from(grad((t) => prod(t))(f64([0, 2, 0])).dataSync()), [0, 0, 0]);
    assert.deepEqual(
      Array.from(
        grad((t) => prod(t, 1))(
          f64([
            [2, 3],
            [0, 5],
          ]),
        ).dataSync(),
      ),
      [3, 2, 5, 0],
    );
  });
});

describe('stopGradient and scalar promotion', () => {
  it('stopGradient blocks the gradient through its branch only', () => {
    assert.deepEqual(Array.from(grad((t) => sum(mul(stopGradient(t), t)))(f64([2, -3])).dataSync()), [2, -3]);
  });
  it('a fractional number next to an integer tensor promotes instead of truncating', () => {
    const ints = tensor([1, 2], [2], 'int32');
    assert.equal(add(ints, 0.5).dtype, 'float32');
    assert.deepEqual(add(ints, 0.5).arraySync(), [1.5, 2.5]);
    assert.equal(add(ints, 2).dtype, 'int32');
    assert.equal(mul(tensor([true, false]), 3).dtype, 'float32', 'a number next to a bool tensor is floatX');
    assert.deepEqual(mul(tensor([true, false]), 3).arraySync(), [3, 0]);
  });
});

describe('clipByValue', () => {
  it('rejects min > max and keeps fractional bounds on integer tensors', () => {
    assert.throws(
      () => clipByValue(tensor([1]), 2, 1),
      /clipByValue: clipValueMin \(2\) must be <= clipValueMax \(1\)/,
    );
    assert.deepEqual(clipByValue(tensor([0, 2], [2], 'int32'), 0.5, 1.5).arraySync(), [0.5, 1.5]);
  });
});
