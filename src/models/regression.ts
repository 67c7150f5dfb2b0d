import { checkOptions, optionKeys } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import type { InitializerIdentifier } from '../initializers/registry.js';
import { Dense } from '../layers/dense.js';
import type { RegularizerIdentifier } from '../regularizers/registry.js';
import { sequential, type Sequential } from './sequential.js';

/** Options shared by `linearRegression` and `logisticRegression`. */
export interface RegressionArgs {
  /** Number of input features. */
  inputDim: number;
  useBias?: boolean;
  /**
   * Default 'zeros': both problems are convex, so a random start buys nothing, and a fixed one
   * makes every run the same.
   */
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** E.g. `{ className: 'L2', config: { l2: 0.01 } }` or 'l2' for ridge-style shrinkage. */
  kernelRegularizer?: RegularizerIdentifier | null;
  /** The model's name. */
  name?: string;
}

export interface LinearRegressionArgs extends RegressionArgs {
  /** Number of targets predicted together (default 1). */
  outputs?: number;
}

export interface LogisticRegressionArgs extends RegressionArgs {
  /** Number of classes (default 2): 2 gives one sigmoid unit, more give a softmax over `classes` units. */
  classes?: number;
}

/**
 * Ordinary least-squares regression as a model: one Dense layer with no activation. Compile it
 * with loss 'mse' and train it like any model.
 * @example
 * const model = linearRegression({ inputDim: 13 });
 * model.compile({ optimizer: 'sgd', loss: 'mse' });
 * await model.fit(x, y, { epochs: 100 });
 */
export function linearRegression(args: LinearRegressionArgs): Sequential {
  checkOptions(
    'linearRegression',
    args,
    optionKeys<LinearRegressionArgs>({
      inputDim: true,
      useBias: true,
      kernelInitializer: true,
      biasInitializer: true,
      kernelRegularizer: true,
      name: true,
      outputs: true,
    }),
  );
  const outputs = args.outputs ?? 1;
  checkPositiveInteger(outputs, 'outputs', 'linearRegression');
  return oneDense(args, outputs, 'linear', 'linearRegression');
}

/**
 * Logistic regression as a model: one Dense layer with a sigmoid (2 classes; compile with loss
 * 'binaryCrossentropy' and targets 0/1 of shape [n, 1]) or a softmax (more classes; compile
 * with 'sparseCategoricalCrossentropy' and class indices, or 'categoricalCrossentropy' and
 * one-hot targets).
 * @example
 * const model = logisticRegression({ inputDim: 4, classes: 3 });
 * model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
 */
export function logisticRegression(args: LogisticRegressionArgs): Sequential {
  checkOptions(
    'logisticRegression',
    args,
    optionKeys<LogisticRegressionArgs>({
      inputDim: true,
      useBias: true,
      kernelInitializer: true,
      biasInitializer: true,
      kernelRegularizer: true,
      name: true,
      classes: true,
    }),
  );
  const classes = args.classes ?? 2;
  checkPositiveInteger(classes, 'classes', 'logisticRegression');
  if (classes < 2) throw new ValueError(`logisticRegression: 'classes' must be at least 2, got ${classes}`);
  return classes === 2
    ? oneDense(args, 1, 'sigmoid', 'logisticRegression')
    : oneDense(args, classes, 'softmax', 'logisticRegression');
}

function oneDense(
  args: RegressionArgs,
  units: number,
  activation: 'linear' | 'sigmoid' | 'softmax',
  fn: string,
): Sequential {
  if (!args || typeof args !== 'object')
    throw new ValueError(`${fn}: expected an options object such as { inputDim: 4 }, got ${String(args)}`);
  checkPositiveInteger(args.inputDim, 'inputDim', fn);
  const layer = new Dense({
    units,
    activation,
    inputShape: [args.inputDim],
    useBias: args.useBias ?? true,
    kernelInitializer: args.kernelInitializer ?? 'zeros',
    biasInitializer: args.biasInitializer ?? 'zeros',
    kernelRegularizer: args.kernelRegularizer ?? null,
  });
  return sequential({ layers: [layer], name: args.name });
}

function checkPositiveInteger(value: unknown, arg: string, fn: string): void {
  if (!Number.isInteger(value) || (value as number) < 1)
    throw new ValueError(`${fn}: '${arg}' must be a positive integer, got ${JSON.stringify(value)}`);
}
