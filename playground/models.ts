// The models a visitor picks from, each sized for the chosen dataset's task.
import * as my from '../src/browser.js';
import type { PlaygroundData } from './data.js';

export const MODELS = {
  linear: 'Linear (no hidden layer)',
  small: 'MLP: 16 relu',
  mlp: 'MLP: 32 relu, 32 relu',
  cnn: 'CNN: conv 8x3x3, max-pool (images only)',
} as const;
export type ModelName = keyof typeof MODELS;

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad', 'nadam'] as const;
export type OptimizerChoice = (typeof OPTIMIZERS)[number];

/** A compiled model for `data`: softmax over the classes or one linear output for regression. */
export function buildModel(
  kind: ModelName,
  data: PlaygroundData,
  optimizer: OptimizerChoice,
  learningRate: number,
): my.LayersModel {
  const classify = data.task === 'classification';
  const head = {
    units: classify ? data.classes : 1,
    activation: classify ? ('softmax' as const) : ('linear' as const),
  };
  const body: my.Layer[] = [];
  if (kind === 'cnn') {
    if (!data.image) throw new Error('the CNN takes images: pick the digits');
    body.push(
      my.layers.reshape({ targetShape: data.image, inputShape: [data.features] }),
      my.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
      my.layers.maxPooling2d({ poolSize: 2 }),
      my.layers.flatten(),
    );
  } else if (kind === 'small')
    body.push(my.layers.dense({ units: 16, activation: 'relu', inputShape: [data.features] }));
  else if (kind === 'mlp')
    body.push(
      my.layers.dense({ units: 32, activation: 'relu', inputShape: [data.features] }),
      my.layers.dense({ units: 32, activation: 'relu' }),
    );
  const layers = body.length
    ? [...body, my.layers.dense(head)]
    : [my.layers.dense({ ...head, inputShape: [data.features] })];
  const model = my.sequential({ layers });
  model.compile({
    optimizer: my.optimizers[optimizer]({ learningRate }),
    loss: classify ? 'sparseCategoricalCrossentropy' : 'mse',
    metrics: [classify ? 'accuracy' : 'mae'],
  });
  return model;
}
