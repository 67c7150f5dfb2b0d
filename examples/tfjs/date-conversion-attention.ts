/**
 * Date conversion with attention: a sequence-to-sequence model reads a date in one of 20
 * formats ("20JAN2019", "1/20/19", "JAN 20, 2019", ...) and writes it as "2019-01-20". The
 * encoder LSTM's last state (taken by a custom layer) starts the decoder LSTM (a symbolic
 * `initialState`), and dot-product attention over the encoder's outputs picks what to copy.
 *
 * A port of the TensorFlow.js example "date-conversion-attention" (tensorflow/tfjs-examples),
 * Copyright 2019 Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh from the behaviour of its Node
 * trainer (train.js): flags are positional arguments; the data is generated, as in the original.
 * It defines its custom layer with `tf.layers.Layer` and registers it with
 * `tf.serialization.registerClass`, as TF.js programs do. Only `import * as tf` and TF.js' API: it
 * runs unchanged on TensorFlow.js with that import pointed at '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/date-conversion-attention.js [epochs] [batchSize] [trainSplit] [valSplit] [savePath] [numTests]
 */
import * as tf from 'myelin';

const epochs = Number(process.argv[2] ?? 2);
const batchSize = Number(process.argv[3] ?? 128);
const trainSplit = Number(process.argv[4] ?? 0.25);
const valSplit = Number(process.argv[5] ?? 0.15);
const savePath = process.argv[6] && process.argv[6] !== '-' ? process.argv[6] : null;
const numTests = Number(process.argv[7] ?? 10);

// ---- date formats ----
type DateTuple = [number, number, number];
const MONTH_NAMES_3LETTER = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
].map((name) => name.slice(0, 3).toUpperCase());
const INPUT_LENGTH = 12;
const OUTPUT_LENGTH = 10;
const INPUT_VOCAB = `\n0123456789/-., ${[...new Set(MONTH_NAMES_3LETTER.join(''))].join('')}`;
const OUTPUT_VOCAB = '\n\t0123456789-';
const START_CODE = 1;

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const mmm = (t: DateTuple) => MONTH_NAMES_3LETTER[t[1] - 1];
const yy = (t: DateTuple) => `${t[0]}`.slice(2);
const toIso = (t: DateTuple) => `${t[0]}-${two(t[1])}-${two(t[2])}`;
const INPUT_FNS: ((t: DateTuple) => string)[] = [
  (t) => `${two(t[2])}${mmm(t)}${t[0]}`,
  (t) => `${two(t[1])}${two(t[2])}${yy(t)}`,
  (t) => `${two(t[1])}/${two(t[2])}/${yy(t)}`,
  (t) => `${two(t[1])}/${two(t[2])}/${t[0]}`,
  (t) => `${t[1]}/${t[2]}/${t[0]}`,
  (t) => `${two(t[2])}-${two(t[1])}-${t[0]}`,
  (t) => `${t[2]}-${t[1]}-${t[0]}`,
  (t) => `${mmm(t)} ${two(t[2])} ${yy(t)}`,
  (t) => `${t[1]}/${t[2]}/${yy(t)}`,
  (t) => `${mmm(t)} ${two(t[2])} ${t[0]}`,
  (t) => `${mmm(t)} ${two(t[2])}, ${yy(t)}`,
  (t) => `${mmm(t)} ${two(t[2])}, ${t[0]}`,
  (t) => `${two(t[2])}.${two(t[1])}.${t[0]}`,
  (t) => `${t[2]}.${t[1]}.${t[0]}`,
  (t) => `${t[0]}.${two(t[1])}.${two(t[2])}`,
  (t) => `${t[0]}.${t[1]}.${t[2]}`,
  (t) => `${t[0]}${two(t[1])}${two(t[2])}`,
  (t) => `${t[0]}-${t[1]}-${t[2]}`,
  (t) => `${t[2]} ${mmm(t)} ${t[0]}`,
  toIso,
];

function encodeInputDateStrings(dateStrings: string[]): tf.Tensor {
  const x = tf.buffer([dateStrings.length, INPUT_LENGTH], 'float32');
  dateStrings.forEach((s, i) => {
    for (let j = 0; j < Math.min(INPUT_LENGTH, s.length); ++j) {
      const index = INPUT_VOCAB.indexOf(s[j]);
      if (index === -1) throw new Error(`Unknown char: ${s[j]}`);
      x.set(index, i, j);
    }
  });
  return x.toTensor();
}

function encodeOutputDateStrings(dateStrings: string[]): tf.Tensor {
  const x = tf.buffer([dateStrings.length, OUTPUT_LENGTH], 'int32');
  dateStrings.forEach((s, i) => {
    tf.util.assert(s.length === OUTPUT_LENGTH, `Date string is not in ISO format: "${s}"`);
    for (let j = 0; j < OUTPUT_LENGTH; ++j) x.set(OUTPUT_VOCAB.indexOf(s[j]), i, j);
  });
  return x.toTensor();
}

// ---- the model ----
/** The last time step of a sequence: [batch, time, units] -> [batch, units]. */
class GetLastTimestepLayer extends tf.layers.Layer {
  constructor(config?: tf.LayerArgs) {
    super(config || {});
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]) {
    const outputShape = (inputShape as tf.Shape).slice();
    outputShape.splice(outputShape.length - 2, 1);
    return outputShape;
  }

  call(input: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(input) ? input[0] : input;
    tf.util.assert(x.shape.length === 3, `Invalid input rank: ${x.shape.length}`);
    return x.gather([x.shape[1] - 1], 1).squeeze([1]);
  }

  static override get className() {
    return 'GetLastTimestepLayer';
  }
}
tf.serialization.registerClass(GetLastTimestepLayer);

function createModel(inputVocabSize: number, outputVocabSize: number, inputLength: number, outputLength: number) {
  const embeddingDims = 64;
  const lstmUnits = 64;
  const encoderInput = tf.input({ shape: [inputLength] });
  const decoderInput = tf.input({ shape: [outputLength] });
  let encoder = tf.layers
    .embedding({ inputDim: inputVocabSize, outputDim: embeddingDims, inputLength, maskZero: true })
    .apply(encoderInput) as tf.SymbolicTensor;
  encoder = tf.layers.lstm({ units: lstmUnits, returnSequences: true }).apply(encoder) as tf.SymbolicTensor;
  const encoderLast = new GetLastTimestepLayer({ name: 'encoderLast' }).apply(encoder) as tf.SymbolicTensor;
  let decoder = tf.layers
    .embedding({ inputDim: outputVocabSize, outputDim: embeddingDims, inputLength: outputLength, maskZero: true })
    .apply(decoderInput) as tf.SymbolicTensor;
  decoder = tf.layers
    .lstm({ units: lstmUnits, returnSequences: true })
    .apply(decoder, { initialState: [encoderLast, encoderLast] }) as tf.SymbolicTensor;
  let attention = tf.layers.dot({ axes: [2, 2] }).apply([decoder, encoder]) as tf.SymbolicTensor;
  attention = tf.layers.activation({ activation: 'softmax', name: 'attention' }).apply(attention) as tf.SymbolicTensor;
  const context = tf.layers.dot({ axes: [2, 1], name: 'context' }).apply([attention, encoder]) as tf.SymbolicTensor;
  const decoderCombinedContext = tf.layers.concatenate().apply([context, decoder]) as tf.SymbolicTensor;
  let output = tf.layers
    .timeDistributed({ layer: tf.layers.dense({ units: lstmUnits, activation: 'tanh' }) })
    .apply(decoderCombinedContext) as tf.SymbolicTensor;
  output = tf.layers
    .timeDistributed({ layer: tf.layers.dense({ units: outputVocabSize, activation: 'softmax' }) })
    .apply(output) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [encoderInput, decoderInput], outputs: output });
  model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' });
  return model;
}

/** Greedy decoding: each step's most likely character is fed back as the next decoder input. */
function runSeq2SeqInference(model: tf.LayersModel, inputStr: string): string {
  return tf.tidy(() => {
    const encoderInput = encodeInputDateStrings([inputStr]);
    const decoderInput = tf.buffer([1, OUTPUT_LENGTH]);
    decoderInput.set(START_CODE, 0, 0);
    for (let i = 1; i < OUTPUT_LENGTH; ++i) {
      const predictOut = model.predict([encoderInput, decoderInput.toTensor()]) as tf.Tensor;
      decoderInput.set(predictOut.argMax(2).dataSync()[i - 1], 0, i);
    }
    const finalOut = model.predict([encoderInput, decoderInput.toTensor()]) as tf.Tensor;
    const last = finalOut.argMax(2).dataSync()[OUTPUT_LENGTH - 1];
    let outputStr = '';
    for (let i = 1; i < OUTPUT_LENGTH; ++i) outputStr += OUTPUT_VOCAB[decoderInput.get(0, i)];
    return outputStr + OUTPUT_VOCAB[last];
  });
}

// ---- training ----
function generateDataForTraining() {
  tf.util.assert(
    trainSplit > 0 && valSplit > 0 && trainSplit + valSplit <= 1,
    `Invalid trainSplit (${trainSplit}) and valSplit (${valSplit})`,
  );
  const dateTuples: DateTuple[] = [];
  for (let date = new Date(1950, 0, 1); date.getFullYear() < 2050; date.setDate(date.getDate() + 1))
    dateTuples.push([date.getFullYear(), date.getMonth() + 1, date.getDate()]);
  tf.util.shuffle(dateTuples);
  const numTrain = Math.floor(dateTuples.length * trainSplit);
  const numVal = Math.floor(dateTuples.length * valSplit);
  console.log(`Number of dates used for training: ${numTrain}`);
  console.log(`Number of dates used for validation: ${numVal}`);
  const toTensors = (tuples: DateTuple[]) =>
    tf.tidy(() => {
      const encoderInput = encodeInputDateStrings(INPUT_FNS.flatMap((fn) => tuples.map((t) => fn(t))));
      const targets = tuples.map(toIso);
      let decoderInput = encodeOutputDateStrings(targets).asType('float32');
      decoderInput = tf
        .concat(
          [
            tf.ones([decoderInput.shape[0] as number, 1]).mul(START_CODE),
            decoderInput.slice([0, 0], [decoderInput.shape[0] as number, (decoderInput.shape[1] as number) - 1]),
          ],
          1,
        )
        .tile([INPUT_FNS.length, 1]);
      const decoderOutput = tf
        .oneHot(encodeOutputDateStrings(targets), OUTPUT_VOCAB.length)
        .tile([INPUT_FNS.length, 1, 1]);
      return { encoderInput, decoderInput, decoderOutput };
    });
  return {
    train: toTensors(dateTuples.slice(0, numTrain)),
    val: toTensors(dateTuples.slice(numTrain, numTrain + numVal)),
    testDateTuples: dateTuples.slice(numTrain + numVal),
  };
}

const model = createModel(INPUT_VOCAB.length, OUTPUT_VOCAB.length, INPUT_LENGTH, OUTPUT_LENGTH);
model.summary();
const { train, val, testDateTuples } = generateDataForTraining();
const history = await model.fit([train.encoderInput, train.decoderInput], train.decoderOutput, {
  epochs,
  batchSize,
  shuffle: true,
  verbose: 0,
  validationData: [[val.encoderInput, val.decoderInput], val.decoderOutput],
  callbacks: {
    onEpochEnd: async (epoch, logs) =>
      console.log(`Epoch ${epoch + 1}: loss ${logs?.loss.toFixed(4)}, val_loss ${logs?.val_loss.toFixed(4)}`),
  },
});
if (savePath != null) {
  await model.save(`file://${savePath}`);
  console.log(`Saved model to file://${savePath}`);
}
let correct = 0;
let total = 0;
for (let n = 0; n < numTests; ++n) {
  for (const testInputFn of INPUT_FNS) {
    const inputStr = testInputFn(testDateTuples[n]);
    const correctAnswer = toIso(testDateTuples[n]);
    const outputStr = runSeq2SeqInference(model, inputStr);
    total++;
    if (outputStr === correctAnswer) correct++;
    if (n < 2)
      console.log(
        `${inputStr.padEnd(12)} -> ${outputStr} (${outputStr === correctAnswer ? 'OK' : `WRONG, ${correctAnswer}`})`,
      );
  }
}
const valLoss = history.history.val_loss[history.history.val_loss.length - 1];
console.log(`${correct} of ${total} test dates converted exactly`);
console.log(`Result: ${JSON.stringify({ valLoss, exactAccuracy: correct / total })}`);
