import { Rng } from '../core/rng.js';
import { plural } from './args.js';
import { writePlot } from './plot_file.js';
import { tinyShakespeare } from '../data/text_datasets.js';
import { saveModel } from '../io/model_files.js';
import type { Layer } from '../layers/layer.js';
import { LSTM } from '../layers/recurrent_layers.js';
import { SparseCategoricalCrossentropy } from '../losses/classes.js';
import { layers, noGrad, optimizers, sequential, setSeed, tensor, type Tensor } from '../index.js';
import { TextVectorization } from '../text/text_vectorization.js';
import { sampleFromLogits } from '../text/sampling.js';

/** The settings of `myelin shakespeare`. */
export interface ShakespeareOptions {
  units: number;
  embeddingDim: number;
  seqLength: number;
  batchSize: number;
  /** Batches per epoch (each epoch draws fresh random windows of the training text). */
  steps: number;
  epochs: number;
  learningRate: number;
  /** Validation windows (of seqLength characters) from the held-out last 10%. */
  validationSequences: number;
  temperature: number;
  prompt: string;
  /** Characters to generate after training. */
  length: number;
  /** Where the trained model is saved (a directory or a .safetensors file); none when empty. */
  out: string;
  seed?: number;
  verbose: 0 | 1 | 2;
  /** Where to chart the training curves; none when empty. */
  plot: string;
}

export const SHAKESPEARE_DEFAULTS: ShakespeareOptions = {
  units: 256,
  embeddingDim: 32,
  seqLength: 64,
  batchSize: 32,
  steps: 100,
  epochs: 8,
  learningRate: 0.005,
  validationSequences: 256,
  temperature: 0.7,
  prompt: 'ROMEO:\n',
  length: 400,
  out: '',
  verbose: 1,
  plot: '',
};

/** What `runShakespeare` measured. */
export interface ShakespeareResult {
  /** Validation loss after each epoch, in nats per character. */
  validationLoss: number[];
  trainLoss: number[];
  sample: string;
  seconds: number;
}

/** `count` windows of `length + 1` ids starting at `starts`, split into inputs and next-character targets. */
function windows(ids: Int32Array, starts: number[], length: number): { x: Tensor; y: Tensor } {
  const x = new Int32Array(starts.length * length);
  const y = new Int32Array(starts.length * length);
  starts.forEach((s, i) => {
    x.set(ids.subarray(s, s + length), i * length);
    y.set(ids.subarray(s + 1, s + 1 + length), i * length);
  });
  return { x: tensor(x, [starts.length, length], 'int32'), y: tensor(y, [starts.length, length], 'int32') };
}

/**
 * A character-level LSTM language model on Tiny Shakespeare: embedding → LSTM → dense logits,
 * trained with Adam on random windows of the first 90% of the text, validated on the last 10%,
 * saved, then sampled from `prompt` at `temperature`.
 * @example const { validationLoss, sample } = await runShakespeare({ ...SHAKESPEARE_DEFAULTS, epochs: 1 }, console.log);
 */
export async function runShakespeare(
  options: ShakespeareOptions,
  print: (line: string) => void,
): Promise<ShakespeareResult> {
  const started = Date.now();
  if (options.seed !== undefined) setSeed(options.seed);
  const rng = new Rng(options.seed ?? Math.floor(Math.random() * 2 ** 31));
  const { trainText, validationText } = tinyShakespeare.load();
  const chars = new TextVectorization({ split: 'character', standardize: null }).adapt([trainText]);
  const vocab = chars.vocabularySize();
  const trainIds = Int32Array.from(chars.encode(trainText));
  const validationIds = Int32Array.from(chars.encode(validationText));
  const T = options.seqLength;
  print(
    `Tiny Shakespeare: ${trainIds.length} training and ${validationIds.length} validation characters, vocabulary ${vocab} (with padding and OOV ids)`,
  );

  const model = sequential({
    layers: [
      layers.embedding({ inputDim: vocab, outputDim: options.embeddingDim, inputShape: [T] }),
      layers.lstm({ units: options.units, returnSequences: true }),
      layers.dense({ units: vocab }),
    ],
  });
  model.compile({
    optimizer: optimizers.adam({ learningRate: options.learningRate, clipNorm: 5 }),
    loss: new SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const validationStarts = Array.from(
    { length: Math.min(options.validationSequences, Math.floor((validationIds.length - 1) / T)) },
    (_, i) => i * T,
  );
  const validation = windows(validationIds, validationStarts, T);
  print(
    `Training ${plural(options.epochs, 'epoch')} of ${options.steps} batch${options.steps === 1 ? '' : 'es'} (${options.batchSize} windows of ${T} characters), LSTM ${options.units} units, Adam ${options.learningRate}`,
  );

  const result: ShakespeareResult = { validationLoss: [], trainLoss: [], sample: '', seconds: 0 };
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const starts = Array.from({ length: options.steps * options.batchSize }, () => rng.int(trainIds.length - T - 1));
    const { x, y } = windows(trainIds, starts, T);
    const history = await model.fit(x, y, {
      epochs: epoch + 1,
      initialEpoch: epoch,
      batchSize: options.batchSize,
      validationData: [validation.x, validation.y],
      verbose: options.verbose,
      shuffle: false,
    });
    result.trainLoss.push(history.history.loss.at(-1) as number);
    result.validationLoss.push(history.history.val_loss.at(-1) as number);
    print(
      `epoch ${epoch + 1}: train loss ${result.trainLoss.at(-1)?.toFixed(4)}, validation loss ${result.validationLoss.at(-1)?.toFixed(4)} nats/char, ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  writePlot(
    options.plot,
    { loss: result.trainLoss, val_loss: result.validationLoss },
    'myelin shakespeare: character LSTM (nats per character)',
    print,
  );
  if (options.out) {
    await saveModel(model, options.out);
    print(`Saved the model to ${options.out}`);
  }
  result.sample = generate(model.layers, chars, options, rng);
  result.seconds = (Date.now() - started) / 1000;
  print(`Sample at temperature ${options.temperature}:\n${result.sample}`);
  return result;
}

/** Runs the trained layers one character at a time, carrying the LSTM state. */
function generate(trained: readonly Layer[], chars: TextVectorization, options: ShakespeareOptions, rng: Rng): string {
  const [embedding, lstm, dense] = trained;
  const stepper = new LSTM({
    ...(lstm.getConfig() as object),
    name: 'generator',
    returnState: true,
    returnSequences: true,
    units: options.units,
  } as never);
  return noGrad(() => {
    let ids = chars.encode(options.prompt);
    if (ids.length === 0) ids = [chars.encode('\n')[0]];
    let text = options.prompt;
    let states: Tensor[] | null = null;
    for (let i = 0; i < options.length; i++) {
      const x = embedding.apply(tensor(Int32Array.from(ids), [1, ids.length], 'int32')) as Tensor;
      if (!stepper.built) {
        stepper.apply(x);
        stepper.setWeights(lstm.getWeights());
      }
      const [out, h, c] = stepper.apply(x, { initialState: states } as object) as Tensor[];
      states = [h, c];
      const logits = (dense.apply(out) as Tensor).dataSync();
      const vocab = logits.length / ids.length;
      const next = sampleFromLogits(logits.subarray((ids.length - 1) * vocab), {
        temperature: options.temperature,
        rng,
      });
      text += chars.decode([next]);
      ids = [next];
    }
    return text;
  });
}
