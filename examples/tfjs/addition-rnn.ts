/**
 * Addition as sequence to sequence: an RNN reads "123+45 " one character at a time and writes
 * the sum "168 ", learning arithmetic from examples (an encoder RNN, RepeatVector, a decoder RNN
 * and a per-step softmax).
 *
 * A port of the TensorFlow.js example "addition-rnn" (tensorflow/tfjs-examples), Copyright 2018
 * Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh for Node from the original's
 * behaviour: the page's settings are command-line arguments and its charts and example list
 * console output; the data is generated, as in the original. It reads the accuracy under
 * TF.js' history name (`acc`). Only `import * as tf` and TF.js' API: it runs unchanged on
 * TensorFlow.js with that import pointed at '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/addition-rnn.js [iterations] [trainingSize] [rnnType] [digits] [hiddenSize]
 */
import * as tf from 'myelin';

const iterations = Number(process.argv[2] ?? 100);
const trainingSize = Number(process.argv[3] ?? 5000);
const rnnType = process.argv[4] ?? 'SimpleRNN';
const digits = Number(process.argv[5] ?? 2);
const hiddenSize = Number(process.argv[6] ?? 128);
const batchSize = 128;
const numTestExamples = 20;

/** One-hot encodes strings over a fixed alphabet and decodes scores back to text. */
class CharacterTable {
  readonly charIndices: Record<string, number> = {};
  readonly indicesChar: Record<number, string> = {};
  readonly size: number;

  constructor(readonly chars: string) {
    this.size = chars.length;
    for (let i = 0; i < this.size; ++i) {
      if (this.charIndices[chars[i]] != null) throw new Error(`Duplicate character '${chars[i]}'`);
      this.charIndices[chars[i]] = i;
      this.indicesChar[i] = chars[i];
    }
  }

  encodeBatch(strings: string[], numRows: number): tf.Tensor {
    const buf = tf.buffer([strings.length, numRows, this.size]);
    strings.forEach((str, n) => {
      for (let i = 0; i < str.length; ++i) {
        if (this.charIndices[str[i]] == null) throw new Error(`Unknown character: '${str[i]}'`);
        buf.set(1, n, i, this.charIndices[str[i]]);
      }
    });
    return buf.toTensor().as3D(strings.length, numRows, this.size);
  }

  decode(x: tf.Tensor, calcArgmax = true): string {
    return tf.tidy(() => {
      const indices = calcArgmax ? x.argMax(1) : x;
      return Array.from(indices.dataSync(), (i) => this.indicesChar[i]).join('');
    });
  }
}

/** Unique `a+b` questions (padded to a fixed length) with their answers. */
function generateData(numDigits: number, numExamples: number): [string, string][] {
  const maxLen = numDigits + 1 + numDigits;
  const f = () => {
    let str = '';
    while (str.length < numDigits) str += String(Math.floor(Math.random() * 10));
    return Number.parseInt(str, 10);
  };
  const output: [string, string][] = [];
  const seen = new Set<string>();
  while (output.length < numExamples) {
    const a = f();
    const b = f();
    const key = b > a ? `${a}\`${b}` : `${b}\`${a}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const q = `${a}+${b}`;
    const ans = (a + b).toString();
    output.push([q + ' '.repeat(maxLen - q.length), ans + ' '.repeat(numDigits + 1 - ans.length)]);
  }
  return output;
}

function createAndCompileModel(vocabularySize: number): tf.Sequential {
  const maxLen = digits + 1 + digits;
  const rnn = (args: {
    units: number;
    recurrentInitializer: string;
    inputShape?: number[];
    returnSequences?: boolean;
  }) =>
    rnnType === 'GRU' ? tf.layers.gru(args) : rnnType === 'LSTM' ? tf.layers.lstm(args) : tf.layers.simpleRNN(args);
  const model = tf.sequential();
  model.add(rnn({ units: hiddenSize, recurrentInitializer: 'glorotNormal', inputShape: [maxLen, vocabularySize] }));
  model.add(tf.layers.repeatVector({ n: digits + 1 }));
  model.add(rnn({ units: hiddenSize, recurrentInitializer: 'glorotNormal', returnSequences: true }));
  model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: vocabularySize }) }));
  model.add(tf.layers.activation({ activation: 'softmax' }));
  model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  return model;
}

const charTable = new CharacterTable('0123456789+ ');
console.log('Generating training data');
const data = generateData(digits, trainingSize);
const split = Math.floor(trainingSize * 0.9);
const trainData = data.slice(0, split);
const testData = data.slice(split);
const encode = (pairs: [string, string][]) => [
  charTable.encodeBatch(
    pairs.map((d) => d[0]),
    2 * digits + 1,
  ),
  charTable.encodeBatch(
    pairs.map((d) => d[1]),
    digits + 1,
  ),
];
const [trainXs, trainYs] = encode(trainData);
const [testXs, testYs] = encode(testData);
const model = createAndCompileModel(charTable.size);

let valAccuracy = 0;
let exactAnswers = 0;
for (let i = 0; i < iterations; ++i) {
  const beginMs = tf.util.now();
  const history = await model.fit(trainXs, trainYs, {
    epochs: 1,
    batchSize,
    validationData: [testXs, testYs],
    yieldEvery: 'epoch',
    verbose: 0,
  });
  const seconds = (tf.util.now() - beginMs) / 1000;
  valAccuracy = history.history.val_acc[0];
  const shown = testXs.slice([0, 0, 0], [numTestExamples, testXs.shape[1] as number, testXs.shape[2] as number]);
  const examples: string[] = [];
  exactAnswers = 0;
  tf.tidy(() => {
    const predictOut = model.predict(shown) as tf.Tensor;
    for (let k = 0; k < numTestExamples; ++k) {
      const scores = predictOut
        .slice([k, 0, 0], [1, predictOut.shape[1] as number, predictOut.shape[2] as number])
        .as2D(predictOut.shape[1] as number, predictOut.shape[2] as number);
      const decoded = charTable.decode(scores);
      const ok = testData[k][1].trim() === decoded.trim();
      if (ok) exactAnswers++;
      examples.push(`${testData[k][0]}= ${decoded}${ok ? '' : ' (wrong)'}`);
    }
  });
  console.log(
    `Iteration ${i + 1} of ${iterations}: ${seconds.toFixed(3)} s, loss ${history.history.loss[0].toFixed(4)}, acc ${history.history.acc[0].toFixed(4)}, val_loss ${history.history.val_loss[0].toFixed(4)}, val_acc ${valAccuracy.toFixed(4)}; ${exactAnswers} of ${numTestExamples} test sums right`,
  );
  if (i === iterations - 1) for (const e of examples.slice(0, 5)) console.log(`  ${e}`);
}
console.log(`Result: ${JSON.stringify({ valAccuracy, exactAnswers })}`);
