import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import { Adamax } from './adamax.js';
import { Nadam } from './nadam.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

/**
 * TF.js-style positional factories (`train.adam(0.01)`), building the same Keras 3 optimizers.
 * Default values are TF.js's where TF.js has one (adamax 0.002), Keras' otherwise.
 * @example const opt = train.sgd(0.1); opt.minimize(() => loss(), false, [w]);
 */
export const train = {
  sgd: (learningRate: number): SGD => new SGD({ learningRate }),
  momentum: (learningRate: number, momentum: number, useNesterov = false): SGD =>
    new SGD({ learningRate, momentum, nesterov: useNesterov }),
  adam: (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): Adam =>
    new Adam({ learningRate, beta1, beta2, epsilon }),
  adamw: (learningRate = 0.001, weightDecay = 0.004, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): AdamW =>
    new AdamW({ learningRate, weightDecay, beta1, beta2, epsilon }),
  adamax: (learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): Adamax =>
    new Adamax({ learningRate, beta1, beta2, epsilon }),
  nadam: (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): Nadam =>
    new Nadam({ learningRate, beta1, beta2, epsilon }),
  rmsprop: (learningRate: number, decay = 0.9, momentum = 0, epsilon = 1e-7, centered = false): RMSprop =>
    new RMSprop({ learningRate, rho: decay, momentum, epsilon, centered }),
  adagrad: (learningRate: number, initialAccumulatorValue = 0.1): Adagrad =>
    new Adagrad({ learningRate, initialAccumulatorValue }),
  adadelta: (learningRate = 0.001, rho = 0.95, epsilon = 1e-7): Adadelta =>
    new Adadelta({ learningRate, rho, epsilon }),
};
