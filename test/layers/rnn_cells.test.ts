import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setSeed, tensor, type Tensor } from '../../src/index.js';
import { layers, type Layer } from '../../src/layers/index.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';

const x = () => tensor(Array.from(rand64([2, 5, 3], 9).dataSync()), [2, 5, 3]);
const mask = tensor(
  [
    [true, true, true, false, false],
    [true, true, true, true, true],
  ],
  undefined,
  'bool',
);

/** The outputs of `layer` (built on x) and of `generic` given the same weights, with and without a mask. */
function sameAs(layer: Layer, generic: Layer): void {
  const input = x();
  const want = layer.apply(input) as Tensor | Tensor[];
  generic.apply(input);
  generic.setWeights(layer.getWeights());
  const got = generic.apply(input) as Tensor | Tensor[];
  const list = (t: Tensor | Tensor[]) => (Array.isArray(t) ? t : [t]);
  list(got).forEach((g, i) => assertClose(g, list(want)[i], 1e-6, `output ${i}`));
  list(generic.apply(input, { mask }) as Tensor).forEach((g, i) =>
    assertClose(g, list(layer.apply(input, { mask }) as Tensor)[i], 1e-6, `masked output ${i}`),
  );
}

describe('RNN with cells computes what the recurrent layers compute', () => {
  it('SimpleRNNCell, LSTMCell and GRUCell (both reset modes), with masks, states and direction', () => {
    setSeed(1);
    sameAs(
      layers.simpleRNN({ units: 3, returnSequences: true }),
      layers.rnn({ cell: layers.simpleRNNCell({ units: 3 }), returnSequences: true }),
    );
    sameAs(
      layers.lstm({ units: 2, returnState: true, goBackwards: true }),
      layers.rnn({ cell: layers.lstmCell({ units: 2 }), returnState: true, goBackwards: true }),
    );
    sameAs(
      layers.gru({ units: 2, returnSequences: true }),
      layers.rnn({ cell: layers.gruCell({ units: 2 }), returnSequences: true }),
    );
    sameAs(
      layers.gru({ units: 2, resetAfter: false }),
      layers.rnn({ cell: layers.gruCell({ units: 2, resetAfter: false }) }),
    );
  });

  it('stacked cells equal the layers stacked', () => {
    setSeed(2);
    const first = layers.lstm({ units: 3, returnSequences: true });
    const second = layers.gru({ units: 2, returnSequences: true });
    const input = x();
    const want = second.apply(first.apply(input) as Tensor) as Tensor;
    const stacked = layers.rnn({
      cell: [layers.lstmCell({ units: 3 }), layers.gruCell({ units: 2 })],
      returnSequences: true,
    });
    stacked.apply(input);
    stacked.setWeights([...first.getWeights(), ...second.getWeights()]);
    assertClose(stacked.apply(input) as Tensor, want, 1e-6);
    assert.equal(stacked.cell.getClassName(), 'StackedRNNCells');
  });

  it('a cell called on [input, ...states] returns [output, ...states]', () => {
    setSeed(3);
    const cell = layers.lstmCell({ units: 2 });
    const [out, h, c] = cell.apply(
      [rand64([1, 3]), rand64([1, 2], 2), rand64([1, 2], 3)].map((t) => tensor(Array.from(t.dataSync()), t.shape)),
    ) as Tensor[];
    assert.deepEqual(
      [out.shape, h.shape, c.shape],
      [
        [1, 2],
        [1, 2],
        [1, 2],
      ],
    );
    assertClose(out, h);
    assert.throws(
      () => cell.apply(tensor([[1, 2, 3]])),
      /call a cell on \[input, \.\.\.states\] with 2 state\(s\) of 2, 2 units/,
    );
  });

  it('cell dropout is drawn once per sequence and only while training', () => {
    const rnn = layers.rnn({ cell: layers.simpleRNNCell({ units: 4, dropout: 0.5, recurrentDropout: 0.5, seed: 4 }) });
    const input = x();
    const a = rnn.apply(input) as Tensor;
    assert.deepEqual(a.dataSync(), (rnn.apply(input) as Tensor).dataSync());
    const t1 = (rnn.apply(input, { training: true }) as Tensor).dataSync();
    const t2 = (rnn.apply(input, { training: true }) as Tensor).dataSync();
    assert.notDeepEqual(Array.from(t1), Array.from(t2));
  });
});
