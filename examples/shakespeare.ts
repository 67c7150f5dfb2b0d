/**
 * A character-level language model on Tiny Shakespeare: embedding → LSTM → dense logits,
 * trained on random 64-character windows, then sampled from a prompt with temperature and
 * top-k.
 *
 *   node dist/examples/shakespeare.js [epochs] [batches per epoch]     (defaults 5 and 100)
 */
import * as my from 'myelin';

const epochs = Number(process.argv[2] ?? 5);
const steps = Number(process.argv[3] ?? 100);
const T = 64,
  batchSize = 32;
my.setSeed(1);

const { trainText, validationText } = my.tinyShakespeare.load();
const chars = new my.text.TextVectorization({ split: 'character', standardize: null }).adapt([trainText]);
const trainIds = Int32Array.from(chars.encode(trainText));
const validationIds = Int32Array.from(chars.encode(validationText));
const vocab = chars.vocabularySize();

/** Inputs and next-character targets for windows starting at `starts`. */
function windows(ids: Int32Array, starts: number[]): [my.Tensor, my.Tensor] {
  const x = new Int32Array(starts.length * T),
    y = new Int32Array(starts.length * T);
  starts.forEach((s, i) => {
    x.set(ids.subarray(s, s + T), i * T);
    y.set(ids.subarray(s + 1, s + 1 + T), i * T);
  });
  return [my.tensor(x, [starts.length, T], 'int32'), my.tensor(y, [starts.length, T], 'int32')];
}

const model = my.sequential({
  layers: [
    my.layers.embedding({ inputDim: vocab, outputDim: 32, inputShape: [T] }),
    my.layers.lstm({ units: 256, returnSequences: true }),
    my.layers.dense({ units: vocab }),
  ],
});
model.compile({
  optimizer: my.optimizers.adam({ learningRate: 0.005, clipNorm: 5 }),
  loss: (yTrue: my.Tensor, yPred: my.Tensor) => my.losses.sparseCategoricalCrossentropy(yTrue, yPred, true),
});
const validation = windows(
  validationIds,
  Array.from({ length: 256 }, (_, i) => i * T),
);
const gc = (globalThis as { gc?: () => void }).gc;

for (let epoch = 0; epoch < epochs; epoch++) {
  const starts = my.randomUniform([steps * batchSize], 0, trainIds.length - T - 1, 'float32', epoch).dataSync();
  const [x, y] = windows(trainIds, Array.from(starts, Math.floor));
  const h = await model.fit(x, y, {
    epochs: epoch + 1,
    initialEpoch: epoch,
    batchSize,
    validationData: validation,
    callbacks: [{ onBatchEnd: () => gc?.() }],
  });
  console.log(`epoch ${epoch + 1}: validation loss ${h.history.val_loss[0].toFixed(3)} nats/char`);
}

// Generation: a copy of the LSTM that returns its state, fed one character at a time.
const [embedding, lstm, dense] = model.layers;
const stepper = my.layers.lstm({ units: 256, returnSequences: true, returnState: true });
let ids = chars.encode('ROMEO:\n');
let state: my.Tensor[] | null = null;
let out = 'ROMEO:\n';
for (let i = 0; i < 300; i++) {
  const x = embedding.apply(my.tensor(Int32Array.from(ids), [1, ids.length], 'int32')) as my.Tensor;
  if (!stepper.built) {
    stepper.apply(x);
    stepper.setWeights(lstm.getWeights());
  }
  const [y, h, c] = stepper.apply(x, { initialState: state } as my.CallArgs) as my.Tensor[];
  state = [h, c];
  const logits = (dense.apply(y) as my.Tensor).dataSync();
  const next = my.text.sampleFromLogits(logits.subarray((ids.length - 1) * vocab), { temperature: 0.7, topK: 20 });
  out += chars.decode([next]);
  ids = [next];
}
console.log(out);
