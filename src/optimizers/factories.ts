import { Adadelta, type AdadeltaArgs } from './adadelta.js';
import { Adagrad, type AdagradArgs } from './adagrad.js';
import { Adam, AdamW, type AdamArgs } from './adam.js';
import { Adamax, type AdamaxArgs } from './adamax.js';
import { Nadam, type NadamArgs } from './nadam.js';
import { RMSprop, type RMSpropArgs } from './rmsprop.js';
import { SGD, type SGDArgs } from './sgd.js';

/** Keras-style factories taking one arguments object (defaults as Keras 3). */

/** @example sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }) */
export const sgd = (args: SGDArgs = {}): SGD => new SGD(args);
/** @example adam({ learningRate: 0.001 }) */
export const adam = (args: AdamArgs = {}): Adam => new Adam(args);
/** @example adamw({ weightDecay: 0.01 }) */
export const adamw = (args: AdamArgs = {}): AdamW => new AdamW(args);
/** @example adamax({ learningRate: 0.002 }) */
export const adamax = (args: AdamaxArgs = {}): Adamax => new Adamax(args);
/** @example nadam({ learningRate: 0.002 }) */
export const nadam = (args: NadamArgs = {}): Nadam => new Nadam(args);
/** @example rmsprop({ learningRate: 0.01, centered: true }) */
export const rmsprop = (args: RMSpropArgs = {}): RMSprop => new RMSprop(args);
/** @example adagrad({ learningRate: 0.1 }) */
export const adagrad = (args: AdagradArgs = {}): Adagrad => new Adagrad(args);
/** @example adadelta({ learningRate: 1 }) */
export const adadelta = (args: AdadeltaArgs = {}): Adadelta => new Adadelta(args);
