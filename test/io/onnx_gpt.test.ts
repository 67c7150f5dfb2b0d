import { describe, it } from 'node:test';
import {
  input,
  layers,
  models,
  model as functionalModel,
  setSeed,
  tensor,
  type SymbolicTensor,
} from '../../src/index.js';
import { checkAgainstOrt } from '../helpers/onnx_runtime.js';

describe('ONNX export of models.gpt, run in ONNX Runtime', () => {
  for (const tieEmbeddings of [true, false])
    it(`any sequence length up to blockSize, ${tieEmbeddings ? 'tied' : 'untied'} output layer`, async () => {
      setSeed(5);
      const m = models.gpt({ vocabSize: 13, blockSize: 8, numLayers: 2, numHeads: 2, embedDim: 8, tieEmbeddings });
      // Random weights of a useful size, so a wrong mask or position row shows in the logits.
      m.setWeights(
        m.getWeights().map((w, i) =>
          w.add(
            tensor(
              Array.from({ length: w.size }, (_, k) => Math.sin(k * 1.3 + i) * 0.3),
              [...w.shape],
            ),
          ),
        ),
      );
      // One exported graph: the length is a dynamic dimension (the causal mask and the position rows follow it).
      await checkAgainstOrt(m, tensor([[1, 5, 2, 12, 0, 7, 3, 9]], undefined, 'int32'));
      await checkAgainstOrt(
        m,
        tensor(
          [
            [4, 4, 11],
            [0, 2, 6],
          ],
          undefined,
          'int32',
        ),
      );
    });

  it('a causal, sliding-window attention over a free length builds its mask from the input shape', async () => {
    setSeed(6);
    const free = input({ shape: [null, 4] });
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 3, slidingWindow: 2 });
    const m = functionalModel({ inputs: free, outputs: mha.apply(free, { useCausalMask: true }) as SymbolicTensor });
    for (const length of [1, 3, 6])
      await checkAgainstOrt(
        m,
        tensor(
          Array.from({ length: 2 * length * 4 }, (_, k) => Math.cos(k * 0.7)),
          [2, length, 4],
        ),
      );
  });
});
