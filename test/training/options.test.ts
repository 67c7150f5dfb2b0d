import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  arrayDataset,
  callbacks,
  constraints,
  initializers,
  layers,
  losses,
  metrics,
  optimizers,
  regularizers,
  saveToBuffers,
  schedules,
  sequential,
  tensor,
  trainTestSplit,
  parseCsv,
  standardScaler,
  text,
  variable,
  type Tensor,
} from '../../src/index.js';

function tiny() {
  const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  return model;
}
const x = tensor([
  [1, 2],
  [3, 4],
]);
const y = tensor([[1], [2]]);

describe('strict options in training and around it', () => {
  it('compile names the misspelt key', () => {
    const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    assert.throws(
      () => model.compile({ optimzer: 'adam', loss: 'mse' } as never),
      /^ValueError: compile: unknown option 'optimzer' \(did you mean 'optimizer'\?\)\. Valid options: jitCompile, loss, lossWeights, metrics, optimizer$/,
    );
    assert.throws(
      () => model.compile({ optimizer: 'adam', loss: 'mse', metric: ['mae'] } as never),
      /did you mean 'metrics'\?/,
    );
  });

  it('fit({epoch: 10}) fails before training instead of running one epoch', async () => {
    const model = tiny();
    await assert.rejects(
      model.fit(x, y, { epoch: 10 } as never),
      /fit: unknown option 'epoch' \(did you mean 'epochs'\?\)/,
    );
    assert.equal(model.compiled?.optimizer.iterations, 0, 'no step was taken');
    await assert.rejects(model.fit(x, y, { batchsize: 1 } as never), /did you mean 'batchSize'\?/);
    await assert.rejects(model.fit(x, y, { validation_split: 0.5 } as never), /did you mean 'validationSplit'\?/);
    const history = await model.fit(x, y, { epochs: 2, verbose: 0 });
    assert.equal(history.epoch.length, 2);
  });

  it('evaluate, predict, fitDataset and evaluateDataset check theirs', async () => {
    const model = tiny();
    assert.throws(
      () => model.evaluate(x, y, { batch_size: 1 } as never),
      /evaluate: unknown option 'batch_size' \(did you mean 'batchSize'\?\)/,
    );
    assert.throws(
      () => model.predict(x, { batchSise: 1 } as never),
      /predict: unknown option 'batchSise' \(did you mean 'batchSize'\?\)/,
    );
    const ds = [{ xs: x, ys: y }];
    await assert.rejects(
      model.fitDataset(ds, { epoch: 1 } as never),
      /fitDataset: unknown option 'epoch' \(did you mean 'epochs'\?\)/,
    );
    await assert.rejects(
      model.evaluateDataset(ds, { batch: 1 } as never),
      /evaluateDataset: unknown option 'batch' \(did you mean 'batches'\?\)/,
    );
  });

  it('optimizer factories, and optimizers built with new at compile or their first update', () => {
    assert.throws(
      () => optimizers.adam({ learningRat: 0.1 } as never),
      /optimizers\.adam: unknown option 'learningRat' \(did you mean 'learningRate'\?\)\. Valid options: amsgrad, beta1, beta2, clipNorm/,
    );
    assert.throws(() => optimizers.sgd({ momentun: 0.9 } as never), /did you mean 'momentum'\?/);
    const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    assert.throws(
      () => model.compile({ optimizer: new optimizers.RMSprop({ learning_rate: 0.1 } as never), loss: 'mse' }),
      /RMSprop: unknown option 'learning_rate' \(did you mean 'learningRate'\?\)/,
    );
    const w = variable(tensor([1, 2]));
    const opt = new optimizers.SGD({ clipnorm: 1 } as never);
    assert.throws(
      () => opt.applyGradients([{ grad: tensor([1, 1]), variable: w }]),
      /SGD: unknown option 'clipnorm' \(did you mean 'clipNorm'\?\)/,
    );
  });

  it('losses and metrics built with new are checked at compile', () => {
    const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    assert.throws(
      () => model.compile({ optimizer: 'sgd', loss: new losses.Huber({ delat: 2 } as never) }),
      /Huber: unknown option 'delat' \(did you mean 'delta'\?\)/,
    );
    assert.throws(
      () =>
        model.compile({ optimizer: 'sgd', loss: 'mse', metrics: [new metrics.Precision({ threshold: 0.3 } as never)] }),
      /Precision: unknown option 'threshold' \(did you mean 'thresholds'\?\)/,
    );
    assert.throws(
      () => new losses.MeanSquaredError({ reductio: 'sum' } as never).compute(tensor([1]), tensor([2])),
      /MeanSquaredError: unknown option 'reductio' \(did you mean 'reduction'\?\)/,
    );
    model.compile({
      optimizer: 'sgd',
      loss: new losses.Huber({ delta: 2 }),
      metrics: [new metrics.BinaryAccuracy({ threshold: 0.3 })],
    });
  });

  it('metrics built with new and used on their own are checked at their first updateState', () => {
    const unknown = (cls: string, key: string, meant: string) =>
      new RegExp(`${cls}: unknown option '${key}' \\(did you mean '${meant}'\\?\\)`);
    const cases: [() => { updateState: (y: number[], p: number[]) => void }, RegExp][] = [
      [() => new metrics.Precision({ threshold: 0.3 } as never), unknown('Precision', 'threshold', 'thresholds')],
      [() => new metrics.AUC({ numThreshold: 3 } as never), unknown('AUC', 'numThreshold', 'numThresholds')],
      [
        () => new metrics.BinaryAccuracy({ treshold: 0.3 } as never),
        unknown('BinaryAccuracy', 'treshold', 'threshold'),
      ],
    ];
    for (const [make, error] of cases) assert.throws(() => make().updateState([0, 1], [0.2, 0.8]), error);
    const fine = new metrics.BinaryAccuracy({ threshold: 0.3 });
    fine.updateState([0, 1], [0.2, 0.8]);
    assert.equal(fine.result(), 1);
  });

  it('initializer, regularizer, constraint and schedule factories', () => {
    assert.throws(
      () => initializers.heNormal({ sed: 1 } as never),
      /initializers\.heNormal: unknown option 'sed' \(did you mean 'seed'\?\)/,
    );
    assert.throws(
      () => (initializers.zeros as (args: unknown) => unknown)({ value: 1 }),
      /initializers\.zeros: unknown option 'value'\. Valid options: $/,
    );
    assert.throws(
      () => regularizers.l2({ l1: 0.1 } as never),
      /regularizers\.l2: unknown option 'l1' \(did you mean 'l2'\?\)/,
    );
    assert.throws(() => constraints.maxNorm({ maxvalue: 2 } as never), /did you mean 'maxValue'\?/);
    assert.throws(
      () =>
        schedules.exponentialDecay({
          initialLearningRate: 0.1,
          decaySteps: 10,
          decayRate: 0.5,
          stairCase: true,
        } as never),
      /schedules\.exponentialDecay: unknown option 'stairCase' \(did you mean 'staircase'\?\)/,
    );
    initializers.varianceScaling({ scale: 2, mode: 'fan_out', distribution: 'uniform', seed: 3 });
  });

  it('callbacks, save, data and text helpers', async () => {
    assert.throws(
      () => callbacks.earlyStopping({ patiance: 3 } as never),
      /earlyStopping: unknown option 'patiance' \(did you mean 'patience'\?\)/,
    );
    assert.throws(
      () => callbacks.modelCheckpoint({ filepath: 'x', save_best_only: true } as never),
      /did you mean 'saveBestOnly'\?/,
    );
    const model = tiny();
    await assert.rejects(
      model.fit(x, y, { epochs: 1, verbose: 0, callbacks: { onEpochEnds: () => {} } as never }),
      /callbacks: unknown option 'onEpochEnds' \(did you mean 'onEpochEnd'\?\)/,
    );
    assert.throws(
      () => saveToBuffers(model, { includeOptimiser: false } as never),
      /save: unknown option 'includeOptimiser' \(did you mean 'includeOptimizer'\?\)/,
    );
    assert.throws(
      () => arrayDataset(x, y, { batch_size: 1 } as never),
      /arrayDataset: unknown option 'batch_size' \(did you mean 'batchSize'\?\)/,
    );
    assert.throws(
      () => trainTestSplit(x, y, { testsize: 0.5 } as never),
      /trainTestSplit: unknown option 'testsize' \(did you mean 'testSize'\?\)/,
    );
    assert.throws(
      () => parseCsv('a,b\n1,2', { labelColum: 'b' } as never),
      /parseCsv: unknown option 'labelColum' \(did you mean 'labelColumn'\?\)/,
    );
    assert.throws(
      () => standardScaler({ centre: [0] } as never),
      /standardScaler: unknown option 'centre' \(did you mean 'center'\?\)/,
    );
    assert.throws(
      () => text.padSequences([[1]], { maxLen: 3 } as never),
      /padSequences: unknown option 'maxLen' \(did you mean 'maxlen'\?\)/,
    );
    assert.throws(
      () => text.sampleFromLogits([1, 2], { top_k: 1 } as never),
      /sampleFromLogits: unknown option 'top_k' \(did you mean 'topK'\?\)/,
    );
    const padded = text.padSequences([[1]], { maxlen: 3 }) as Tensor;
    assert.deepEqual(padded.shape, [1, 3]);
  });
});
