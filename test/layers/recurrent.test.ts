import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import { backend } from '../../src/backend/registry.js';
import { setFloatX, tensor, withBackend } from '../../src/index.js';
import { GRU, LSTM, SimpleRNN, type RecurrentLayer } from '../../src/layers/index.js';
import type { CallArgs } from '../../src/layers/layer.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';
import { checkVariableGradients, inputVariable } from './layer_gradcheck.js';

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** Plain-number reference of one recurrence: `cell(x_t, state) -> [output, ...state]`. */
function reference(
  x: Tensor,
  mask: number[][] | null,
  goBackwards: boolean,
  stateSizes: number,
  units: number,
  cell: (xt: number[], state: number[][]) => number[][],
): { outputs: number[][][]; state: number[][][] } {
  const [batch, steps, features] = x.shape;
  const v = x.dataSync();
  const outputs: number[][][] = [];
  const finals: number[][][] = [];
  for (let b = 0; b < batch; b++) {
    let state = Array.from({ length: stateSizes }, () => new Array<number>(units).fill(0));
    let previous = new Array<number>(units).fill(0);
    const seq: number[][] = [];
    for (let k = 0; k < steps; k++) {
      const t = goBackwards ? steps - 1 - k : k;
      const xt = Array.from({ length: features }, (_, f) => v[(b * steps + t) * features + f]);
      if (mask && !mask[b][t]) {
        seq.push(previous);
        continue;
      }
      const [out, ...next] = cell(xt, state);
      state = next;
      previous = out;
      seq.push(out);
    }
    outputs.push(seq);
    finals.push(state);
  }
  return { outputs, state: finals };
}

const matVec = (xt: number[], w: Float64Array, cols: number, col: number): number =>
  xt.reduce((acc, xi, i) => acc + xi * w[i * cols + col], 0);

function weightsOf(layer: RecurrentLayer): Float64Array[] {
  return layer.getWeights().map((w) => w.dataSync() as Float64Array);
}

describe('recurrent layers: forward values against a hand-written step', () => {
  beforeEach(() => setFloatX('float64'));
  afterEach(() => setFloatX('float32'));
  const x = rand64([2, 4, 3], 3);

  it('SimpleRNN', () => {
    const layer = new SimpleRNN({ units: 2, returnSequences: true, biasInitializer: 'glorotUniform' });
    const y = layer.apply(x) as Tensor;
    const [k, rk, bias] = weightsOf(layer);
    const ref = reference(x, null, false, 1, 2, (xt, [h]) => {
      const out = [0, 1].map((j) => Math.tanh(matVec(xt, k, 2, j) + bias[j] + matVec(h, rk, 2, j)));
      return [out, out];
    });
    assert.deepEqual(y.shape, [2, 4, 2]);
    assertClose(y, ref.outputs.flat(2), 1e-12);
  });

  it('LSTM with gates in the order i, f, c, o and unit forget bias', () => {
    const layer = new LSTM({ units: 2, returnState: true });
    const [out, h, c] = layer.apply(x) as Tensor[];
    const [k, rk, bias] = weightsOf(layer);
    assert.deepEqual(Array.from(bias), [0, 0, 1, 1, 0, 0, 0, 0]);
    assert.deepEqual(
      layer.getWeights().map((w) => w.shape),
      [[3, 8], [2, 8], [8]],
    );
    const ref = reference(x, null, false, 2, 2, (xt, [hp, cp]) => {
      const z = (g: number, j: number) => matVec(xt, k, 8, g * 2 + j) + matVec(hp, rk, 8, g * 2 + j) + bias[g * 2 + j];
      const cn = [0, 1].map((j) => sigmoid(z(1, j)) * cp[j] + sigmoid(z(0, j)) * Math.tanh(z(2, j)));
      const hn = [0, 1].map((j) => sigmoid(z(3, j)) * Math.tanh(cn[j]));
      return [hn, hn, cn];
    });
    assertClose(out, ref.outputs.map((s) => s[3]).flat(), 1e-12);
    assertClose(h, ref.state.map((s) => s[0]).flat(), 1e-12);
    assertClose(c, ref.state.map((s) => s[1]).flat(), 1e-12);
  });

  for (const resetAfter of [true, false]) {
    it(`GRU resetAfter=${resetAfter}, gates z, r, h`, () => {
      const layer = new GRU({ units: 2, resetAfter, biasInitializer: 'glorotUniform', goBackwards: true });
      const y = layer.apply(x) as Tensor;
      const [k, rk, bias] = weightsOf(layer);
      assert.deepEqual(layer.getWeights()[2].shape, resetAfter ? [2, 6] : [6]);
      const ib = (i: number) => bias[i];
      const rb = (i: number) => (resetAfter ? bias[6 + i] : 0);
      const ref = reference(x, null, true, 1, 2, (xt, [hp]) => {
        const xg = (g: number, j: number) => matVec(xt, k, 6, g * 2 + j) + ib(g * 2 + j);
        const hg = (g: number, j: number, h: number[]) => matVec(h, rk, 6, g * 2 + j) + rb(g * 2 + j);
        const z = [0, 1].map((j) => sigmoid(xg(0, j) + hg(0, j, hp)));
        const r = [0, 1].map((j) => sigmoid(xg(1, j) + hg(1, j, hp)));
        const hh = [0, 1].map((j) =>
          Math.tanh(
            xg(2, j) +
              (resetAfter
                ? r[j] * hg(2, j, hp)
                : hg(
                    2,
                    j,
                    hp.map((v, i) => v * r[i]),
                  )),
          ),
        );
        const hn = [0, 1].map((j) => z[j] * hp[j] + (1 - z[j]) * hh[j]);
        return [hn, hn];
      });
      assertClose(y, ref.outputs.map((s) => s[3]).flat(), 1e-12);
    });
  }

  it('masked steps carry the state over and repeat the previous output (Keras)', () => {
    const mask = [
      [1, 1, 0, 0],
      [1, 0, 1, 1],
    ];
    const layer = new LSTM({ units: 2, returnSequences: true });
    const y = layer.apply(x, { mask: tensor(mask.flat().map(Boolean), [2, 4], 'bool') }) as Tensor;
    const [k, rk, bias] = weightsOf(layer);
    const ref = reference(x, mask, false, 2, 2, (xt, [hp, cp]) => {
      const z = (g: number, j: number) => matVec(xt, k, 8, g * 2 + j) + matVec(hp, rk, 8, g * 2 + j) + bias[g * 2 + j];
      const cn = [0, 1].map((j) => sigmoid(z(1, j)) * cp[j] + sigmoid(z(0, j)) * Math.tanh(z(2, j)));
      const hn = [0, 1].map((j) => sigmoid(z(3, j)) * Math.tanh(cn[j]));
      return [hn, hn, cn];
    });
    assertClose(y, ref.outputs.flat(2), 1e-12);
  });
});

describe('recurrent layers: float64 gradients against finite differences', () => {
  beforeEach(() => setFloatX('float64'));
  afterEach(() => setFloatX('float32'));
  const mask = tensor([true, true, true, false, true, false, true, true], [2, 4], 'bool');
  const cases: { name: string; make: () => RecurrentLayer; mask?: boolean }[] = [
    {
      name: 'SimpleRNN, returnSequences',
      make: () => new SimpleRNN({ units: 2, returnSequences: true, biasInitializer: 'glorotUniform' }),
    },
    { name: 'LSTM, last output', make: () => new LSTM({ units: 2, biasInitializer: 'glorotUniform' }) },
    {
      name: 'LSTM, returnSequences + returnState + mask',
      make: () => new LSTM({ units: 2, returnSequences: true, returnState: true }),
      mask: true,
    },
    { name: 'LSTM, goBackwards + mask', make: () => new LSTM({ units: 2, goBackwards: true }), mask: true },
    {
      name: 'LSTM, whole sequence in one kernel: returnSequences + returnState',
      make: () => new LSTM({ units: 3, returnSequences: true, returnState: true, biasInitializer: 'glorotUniform' }),
    },
    {
      name: 'LSTM, whole sequence in one kernel: goBackwards + returnSequences',
      make: () => new LSTM({ units: 2, goBackwards: true, returnSequences: true }),
    },
    {
      name: 'GRU resetAfter, returnSequences + mask',
      make: () => new GRU({ units: 2, returnSequences: true, biasInitializer: 'glorotUniform' }),
      mask: true,
    },
    {
      name: 'GRU resetAfter=false, goBackwards',
      make: () => new GRU({ units: 2, resetAfter: false, goBackwards: true, biasInitializer: 'glorotUniform' }),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const layer = c.make();
      const x = inputVariable([2, 4, 3]);
      const f = () => layer.apply(x, c.mask ? { mask } : {}) as Tensor | Tensor[];
      f();
      checkVariableGradients(f, [...layer.weights, x]);
    });
  }

  it('LSTM, whole sequence in one kernel: gradients reach the initial states', () => {
    const layer = new LSTM({ units: 2, returnSequences: true, returnState: true });
    const x = inputVariable([2, 4, 3]);
    const h0 = inputVariable([2, 2], 11, 'h0'),
      c0 = inputVariable([2, 2], 12, 'c0');
    const f = () => layer.apply(x, { initialState: [h0, c0] } as CallArgs) as Tensor[];
    f();
    checkVariableGradients(f, [...layer.weights, x, h0, c0]);
  });
});

describe('recurrent layers: the fused LSTM recurrence computes what the step loop computes', () => {
  // A mask that keeps every step takes the step-by-step loop; no mask takes the fused kernel.
  for (const backendName of ['ref', 'wasm']) {
    it(`on ${backendName}`, () =>
      withBackend(backendName, () => {
        assert.ok(backend().lstmSequence, `${backendName} has the fused recurrence`);
        const layer = new LSTM({ units: 5, returnSequences: true, returnState: true, goBackwards: true });
        const x = tensor(rand64([3, 6, 4], 5).dataSync(), [3, 6, 4], 'float32');
        const all = tensor(new Array(18).fill(true), [3, 6], 'bool');
        const fused = layer.apply(x) as Tensor[];
        const looped = layer.apply(x, { mask: all }) as Tensor[];
        fused.forEach((t, i) => assertClose(t, Array.from(looped[i].dataSync()), 1e-6));
      }));
  }
});
