import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValueError } from '../core/errors.js';
import { getBackend } from '../backend/registry.js';
import { Rng, setSeed } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { datasets } from '../data/datasets.js';
import { tensor } from '../ops/convert.js';
import { parseJsonSafely } from '../io/safe_json.js';
import { loadModel, saveModel } from '../io/model_files.js';
import { SparseCategoricalCrossentropy } from '../losses/classes.js';
import { generateStream } from '../models/generate.js';
import { gpt, gptOptimizer, gptParts } from '../models/gpt.js';
import type { LayersModel } from '../models/layers_model.js';
import { TextVectorization } from '../text/text_vectorization.js';
import type { GptCliOptions } from './gpt_options.js';

/** What `runGpt` measured (empty curves with --load). */
export interface GptRunResult {
  /** Steps at which the loss was reported. */
  steps: number[];
  /** Mean training loss over each reporting interval, nats per character. */
  trainLoss: number[];
  /** Loss on the validation windows at each report. */
  validationLoss: number[];
  /** Loss over the whole held-out text after training. */
  finalValidationLoss: number | null;
  tokensPerSecond: number;
  sample: string;
  seconds: number;
}

/** Where `myelin gpt` writes: lines, and streamed text when `write` is given. */
export interface GptIo {
  out: (line: string) => void;
  write?: (text: string) => void;
}

const VOCABULARY_FILE = 'vocabulary.json';

/** Inputs and next-character targets of windows of `length` starting at `starts`. */
function windows(ids: Int32Array, starts: readonly number[], length: number): { x: Tensor; y: Tensor } {
  const x = new Int32Array(starts.length * length),
    y = new Int32Array(starts.length * length);
  starts.forEach((s, i) => {
    x.set(ids.subarray(s, s + length), i * length);
    y.set(ids.subarray(s + 1, s + 1 + length), i * length);
  });
  return { x: tensor(x, [starts.length, length], 'int32'), y: tensor(y, [starts.length, length], 'int32') };
}

/** `count` windows spread evenly over `ids` (all non-overlapping ones when count is 0 or too many). */
function spreadStarts(ids: Int32Array, length: number, count: number): number[] {
  const all = Math.floor((ids.length - 1) / length);
  const n = count > 0 ? Math.min(count, all) : all;
  const stride = Math.floor((ids.length - 1 - length) / Math.max(1, n - 1));
  return Array.from({ length: n }, (_, i) => Math.min(i * Math.max(stride, length), ids.length - 1 - length));
}

/**
 * `myelin gpt`: trains a character-level GPT on Tiny Shakespeare (or loads one), reports the
 * validation loss, prints a streamed sample and, with `explain`, writes the attention page.
 * @example const r = await runGpt({ ...parseGptArgs(['--iterations', '20'])! }, { out: console.log });
 */
export async function runGpt(options: GptCliOptions, io: GptIo): Promise<GptRunResult> {
  const started = Date.now();
  const print = io.out;
  if (options.seed !== undefined) setSeed(options.seed);
  const result: GptRunResult = {
    steps: [],
    trainLoss: [],
    validationLoss: [],
    finalValidationLoss: null,
    tokensPerSecond: 0,
    sample: '',
    seconds: 0,
  };
  const { model, chars } = options.load ? await load(options.load, print) : await train(options, print, result);
  if (options.out && !options.load) {
    await saveModel(model, options.out);
    await writeFile(join(options.out, VOCABULARY_FILE), JSON.stringify({ characters: chars.getVocabulary().slice(2) }));
    print(`Saved the model and its vocabulary to ${options.out}/`);
  }
  if (options.length > 0) {
    print(`Sample (temperature ${options.temperature}${options.topK ? `, top-k ${options.topK}` : ''}):`);
    const stream = generateStream(model, options.generate, {
      tokenizer: chars,
      maxNewTokens: options.length,
      temperature: options.temperature,
      topK: options.topK,
      seed: options.seed,
    });
    let text = options.generate;
    io.write?.(text);
    for await (const piece of stream) {
      text += piece;
      io.write?.(piece);
    }
    if (io.write) io.write('\n');
    else print(text);
    result.sample = text;
  }
  if (options.explain) {
    const { explainGpt, attentionMapsHtml } = await import('../models/attention_maps.js');
    const explanation = explainGpt(model, options.explain, { tokenizer: chars });
    await writeFile(
      options.html,
      attentionMapsHtml(explanation, { title: `Attention over ${JSON.stringify(options.explain)}` }),
    );
    print(
      `Wrote the attention maps of ${explanation.layers.length} layers × ${explanation.layers[0]?.length ?? 0} heads over ${explanation.tokens.length} characters to ${options.html}; predicted next character: ${JSON.stringify(explanation.predicted.text)}`,
    );
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

async function load(
  dir: string,
  print: (line: string) => void,
): Promise<{ model: LayersModel; chars: TextVectorization }> {
  const model = await loadModel(dir);
  const parsed = parseJsonSafely(await readFile(join(dir, VOCABULARY_FILE)), `${dir}/${VOCABULARY_FILE}`);
  const characters = (parsed as { characters?: unknown }).characters;
  if (!Array.isArray(characters) || !characters.every((c) => typeof c === 'string'))
    throw new ValueError(
      `${dir}/${VOCABULARY_FILE}: expected {"characters": [strings]}, got ${JSON.stringify(parsed)?.slice(0, 100)}`,
    );
  const chars = new TextVectorization({ split: 'character', standardize: null });
  chars.setVocabulary(characters);
  const parts = gptParts(model);
  if (!parts) throw new ValueError(`${dir}: the saved model is not a GPT (models.gpt) model`);
  if (parts.vocabSize !== chars.vocabularySize())
    throw new ValueError(
      `${dir}: the model's vocabulary (${parts.vocabSize} ids) does not match ${VOCABULARY_FILE} (${chars.vocabularySize()} ids with padding and OOV)`,
    );
  print(
    `Loaded ${dir}: ${parts.blocks.length} layers, context ${parts.blockSize}, vocabulary ${parts.vocabSize}, ${model.countParams()} parameters`,
  );
  return { model, chars };
}

async function train(
  o: GptCliOptions,
  print: (line: string) => void,
  result: GptRunResult,
): Promise<{ model: LayersModel; chars: TextVectorization }> {
  const rng = new Rng(o.seed ?? Math.floor(Math.random() * 2 ** 31));
  const { trainText, validationText } = datasets.tinyShakespeare.load();
  const chars = new TextVectorization({ split: 'character', standardize: null }).adapt([trainText]);
  const trainIds = Int32Array.from(chars.encode(trainText));
  const validationIds = Int32Array.from(chars.encode(validationText));
  const T = o.blockSize;
  const model = gpt({
    vocabSize: chars.vocabularySize(),
    blockSize: T,
    numLayers: o.layers,
    numHeads: o.heads,
    embedDim: o.embedDim,
    dropout: o.dropout,
  });
  const optimizer = gptOptimizer(model, {
    steps: o.iterations,
    learningRate: o.learningRate,
    minLearningRate: o.minLearningRate,
    warmupSteps: o.warmup,
  });
  model.compile({ optimizer, loss: new SparseCategoricalCrossentropy({ fromLogits: true }) });
  print(
    `Tiny Shakespeare: ${trainIds.length} training and ${validationIds.length} validation characters, vocabulary ${chars.vocabularySize()} (with padding and OOV ids)`,
  );
  print(
    `GPT (preset ${o.preset}): ${o.layers} layers, ${o.heads} heads, embedding ${o.embedDim}, context ${T}, dropout ${o.dropout}, ${model.countParams()} parameters; ${o.iterations} steps of ${o.batchSize} windows, AdamW lr ${o.learningRate} (${o.warmup} warm-up steps, cosine to ${o.minLearningRate}); backend ${getBackend()}`,
  );
  if (o.log) await writeFile(o.log, 'step,seconds,train_loss,val_loss,tokens_per_s\n');
  // Evaluated in batches of the training size: the same tensor shapes reuse the training step's memory.
  const validation = windows(validationIds, spreadStarts(validationIds, T, o.evalWindows), T);
  const trainStarted = Date.now();
  let trainSeconds = 0;
  const rounds = Math.ceil(o.iterations / o.evalInterval);
  const deadline = o.maxMinutes > 0 ? trainStarted + o.maxMinutes * 60_000 : Infinity;
  const stopAtDeadline = {
    onBatchEnd: async () => {
      if (Date.now() >= deadline) model.stopTraining = true;
    },
  };
  for (let round = 0; round < rounds && Date.now() < deadline; round++) {
    const steps = Math.min(o.evalInterval, o.iterations - round * o.evalInterval);
    const starts = Array.from({ length: steps * o.batchSize }, () => rng.int(trainIds.length - T - 1));
    const { x, y } = windows(trainIds, starts, T);
    const t0 = Date.now();
    const history = await model.fit(x, y, {
      epochs: round + 1,
      initialEpoch: round,
      batchSize: o.batchSize,
      shuffle: false,
      verbose: o.verbose === 1 ? 1 : 0,
      callbacks: [stopAtDeadline],
    });
    trainSeconds += (Date.now() - t0) / 1000;
    x.dispose();
    y.dispose();
    const validationLoss = (model.evaluate(validation.x, validation.y, { batchSize: o.batchSize }) as Tensor).item();
    const step = optimizer.iterations;
    result.steps.push(step);
    result.trainLoss.push(history.history.loss.at(-1) as number);
    result.validationLoss.push(validationLoss);
    result.tokensPerSecond = (step * o.batchSize * T) / trainSeconds;
    const elapsed = (Date.now() - trainStarted) / 1000;
    if (step < round * o.evalInterval + steps) print(`Stopped after ${o.maxMinutes} minutes (--max-minutes)`);
    print(
      `step ${step}/${o.iterations}: train loss ${result.trainLoss.at(-1)?.toFixed(4)}, validation loss ${validationLoss.toFixed(4)} nats/char, ${elapsed.toFixed(0)} s, ${result.tokensPerSecond.toFixed(0)} tokens/s`,
    );
    if (o.log)
      await appendFile(
        o.log,
        `${step},${elapsed.toFixed(1)},${result.trainLoss.at(-1)},${validationLoss},${result.tokensPerSecond.toFixed(0)}\n`,
      );
  }
  const trainedFor = (Date.now() - trainStarted) / 1000;
  const all = windows(validationIds, spreadStarts(validationIds, T, 0), T);
  result.finalValidationLoss = (model.evaluate(all.x, all.y, { batchSize: o.batchSize }) as Tensor).item();
  print(
    `Validation loss over the whole held-out text (${all.x.shape[0]} windows of ${T}): ${result.finalValidationLoss.toFixed(4)} nats/char after ${trainedFor.toFixed(0)} s of training`,
  );
  return { model, chars };
}
