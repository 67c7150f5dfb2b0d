/**
 * Character-level text generation: stacked LSTMs learn to predict the next character of a text
 * from the previous ones, then write new text by sampling from their predictions at several
 * temperatures (`tf.multinomial`).
 *
 * A port of the TensorFlow.js example "lstm-text-generation" (tensorflow/tfjs-examples),
 * Copyright 2018 Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh from the behaviour of its Node
 * trainer (train_node.js): the texts it downloads are replaced by the shipped Tiny Shakespeare
 * (data/tinyshakespeare/input.txt, or a text file given on the command line), and its flags are
 * positional arguments. Only `import * as tf` and TF.js' API: it runs unchanged on TensorFlow.js
 * with that import pointed at '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/lstm-text-generation.js [epochs] [examplesPerEpoch] [lstmLayerSize] [textPath] [savePath] [textLength]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from 'myelin';

const epochs = Number(process.argv[2] ?? 150);
const examplesPerEpoch = Number(process.argv[3] ?? 10000);
const lstmLayerSizeArg = process.argv[4] ?? '128,128';
const textPath = process.argv[5] ?? fileURLToPath(new URL('../../../data/tinyshakespeare/input.txt', import.meta.url));
const savePath = process.argv[6] && process.argv[6] !== '-' ? process.argv[6] : null;
const textLength = Number(process.argv[7] ?? Number.POSITIVE_INFINITY);
const sampleLen = 60;
const sampleStep = 3;
const learningRate = 1e-2;
const batchSize = 128;
const validationSplit = 0.0625;
const displayLength = 120;

/** A text as character indices, cut into training examples (sampleLen characters -> the next). */
class TextData {
  private readonly textLen: number;
  private charSet: string[] = [];
  private indices: Uint16Array = new Uint16Array(0);
  private exampleBeginIndices: number[] = [];
  private examplePosition = 0;

  constructor(
    readonly dataIdentifier: string,
    private readonly textString: string,
    readonly sampleLen: number,
    private readonly sampleStep: number,
  ) {
    tf.util.assert(sampleLen > 0, `Expected sampleLen to be a positive integer, but got ${sampleLen}`);
    tf.util.assert(sampleStep > 0, `Expected sampleStep to be a positive integer, but got ${sampleStep}`);
    this.textLen = textString.length;
    for (const ch of textString) if (this.charSet.indexOf(ch) === -1) this.charSet.push(ch);
    this.indices = new Uint16Array(this.textToIndices(textString));
  }

  charSetSize(): number {
    return this.charSet.length;
  }

  /** `numExamples` one-hot examples from shuffled positions of the text. */
  nextDataEpoch(numExamples: number): [tf.Tensor, tf.Tensor] {
    this.generateExampleBeginIndices();
    const xsBuffer = new tf.TensorBuffer([numExamples, this.sampleLen, this.charSetSize()], 'float32');
    const ysBuffer = new tf.TensorBuffer([numExamples, this.charSetSize()], 'float32');
    for (let i = 0; i < numExamples; ++i) {
      const beginIndex = this.exampleBeginIndices[this.examplePosition % this.exampleBeginIndices.length];
      for (let j = 0; j < this.sampleLen; ++j) xsBuffer.set(1, i, j, this.indices[beginIndex + j]);
      ysBuffer.set(1, i, this.indices[beginIndex + this.sampleLen]);
      this.examplePosition++;
    }
    return [xsBuffer.toTensor(), ysBuffer.toTensor()];
  }

  getFromCharSet(index: number): string {
    return this.charSet[index];
  }

  textToIndices(text: string): number[] {
    return Array.from(text, (ch) => this.charSet.indexOf(ch));
  }

  getRandomSlice(): [string, number[]] {
    const startIndex = Math.round(Math.random() * (this.textLen - this.sampleLen - 1));
    const textSlice = this.textString.slice(startIndex, startIndex + this.sampleLen);
    return [textSlice, this.textToIndices(textSlice)];
  }

  private generateExampleBeginIndices(): void {
    this.exampleBeginIndices = [];
    for (let i = 0; i < this.textLen - this.sampleLen - 1; i += this.sampleStep) this.exampleBeginIndices.push(i);
    tf.util.shuffle(this.exampleBeginIndices);
    this.examplePosition = 0;
  }
}

function createModel(sampleLength: number, charSetSize: number, lstmLayerSizes: number[]): tf.Sequential {
  const model = tf.sequential();
  lstmLayerSizes.forEach((units, i) =>
    model.add(
      tf.layers.lstm({
        units,
        returnSequences: i < lstmLayerSizes.length - 1,
        inputShape: i === 0 ? [sampleLength, charSetSize] : undefined,
      }),
    ),
  );
  model.add(tf.layers.dense({ units: charSetSize, activation: 'softmax' }));
  return model;
}

/** An index drawn from the predicted probabilities, sharpened (low temperature) or flattened. */
function sample(probs: tf.Tensor, temperature: number): number {
  return tf.tidy(() => {
    const logits = tf.div(tf.log(probs), Math.max(temperature, 1e-6));
    const isNormalized = false;
    return tf.multinomial(logits, 1, undefined, isNormalized).dataSync()[0];
  });
}

async function generateText(
  model: tf.LayersModel,
  textData: TextData,
  seedIndices: number[],
  length: number,
  temperature: number,
) {
  const sampleLength = model.inputs[0].shape[1] as number;
  const charSetSize = model.inputs[0].shape[2] as number;
  let sentenceIndices = seedIndices.slice();
  let generated = '';
  while (generated.length < length) {
    const inputBuffer = new tf.TensorBuffer([1, sampleLength, charSetSize], 'float32');
    for (let i = 0; i < sampleLength; ++i) inputBuffer.set(1, 0, i, sentenceIndices[i]);
    const input = inputBuffer.toTensor();
    const output = model.predict(input) as tf.Tensor;
    const winnerIndex = sample(tf.squeeze(output), temperature);
    generated += textData.getFromCharSet(winnerIndex);
    sentenceIndices = sentenceIndices.slice(1);
    sentenceIndices.push(winnerIndex);
    input.dispose();
    output.dispose();
  }
  return generated;
}

let text = readFileSync(textPath, { encoding: 'utf-8' });
if (Number.isFinite(textLength)) text = text.slice(0, textLength);
const textData = new TextData('text-data', text, sampleLen, sampleStep);
const lstmLayerSize = lstmLayerSizeArg.split(',').map((x) => Number.parseInt(x, 10));
const model = createModel(textData.sampleLen, textData.charSetSize(), lstmLayerSize);
model.compile({ optimizer: tf.train.rmsprop(learningRate), loss: 'categoricalCrossentropy' });
console.log(`Compiled model with learning rate ${learningRate}`);
model.summary();

const [seed, seedIndices] = textData.getRandomSlice();
console.log(`Seed text:\n"${seed}"\n`);
let epochCount = 0;
let lastLoss = Number.NaN;
let lastValLoss = Number.NaN;
for (let i = 0; i < epochs; ++i) {
  const [xs, ys] = textData.nextDataEpoch(examplesPerEpoch);
  const history = await model.fit(xs, ys, {
    epochs: 1,
    batchSize,
    validationSplit,
    verbose: 0,
    callbacks: {
      onTrainBegin: async () => {
        epochCount++;
      },
    },
  });
  lastLoss = history.history.loss[0];
  lastValLoss = history.history.val_loss[0];
  console.log(`Epoch ${epochCount} of ${epochs}: loss ${lastLoss.toFixed(4)}, val_loss ${lastValLoss.toFixed(4)}`);
  xs.dispose();
  ys.dispose();
}
for (const temperature of [0, 0.25, 0.5, 0.75]) {
  const generated = await generateText(model, textData, seedIndices, displayLength, temperature);
  console.log(`Generated text (temperature=${temperature}):\n"${generated}"\n`);
}
if (savePath != null) {
  await model.save(`file://${savePath}`);
  console.log(`Saved model to ${savePath}`);
}
console.log(`Result: ${JSON.stringify({ loss: lastLoss, valLoss: lastValLoss, charSetSize: textData.charSetSize() })}`);
