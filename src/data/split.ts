import { checkOptions, optionKeys } from '../core/options.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { Rng, globalRng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { commonRowCount, takeRows } from './rows.js';

/** Options of `trainTestSplit` (scikit-learn's names and defaults). */
export interface TrainTestSplitOptions {
  /** A fraction of the rows in (0, 1), rounded up, or a row count (default 0.25). */
  testSize?: number;
  /** Shuffle before splitting (default true). Without shuffling, the test set is the last rows. */
  shuffle?: boolean;
  /** Seed of the shuffle. Without one the global generator is used (see `setSeed`). */
  seed?: number;
  /** Keep each class's proportion the same in both parts. `y` must hold one class per row. */
  stratify?: boolean;
}

/** The four parts `trainTestSplit` returns. */
export interface TrainTestSplit {
  xTrain: Tensor;
  xTest: Tensor;
  yTrain: Tensor;
  yTest: Tensor;
}

/**
 * Splits features and targets into a training and a test part, row by row.
 * @example
 * const { features, labels } = datasets.iris.load();
 * const { xTrain, yTrain, xTest, yTest } = trainTestSplit(features, labels, { testSize: 0.2, seed: 0, stratify: true });
 * // xTrain [120, 4], xTest [30, 4], 10 of each class in the test set
 */
export function trainTestSplit(x: Tensor, y: Tensor, options: TrainTestSplitOptions = {}): TrainTestSplit {
  checkOptions(
    'trainTestSplit',
    options,
    optionKeys<TrainTestSplitOptions>({ testSize: true, shuffle: true, seed: true, stratify: true }),
  );
  const { testSize = 0.25, shuffle = true, seed, stratify = false } = options;
  const n = commonRowCount([x, y], ['x', 'y'], 'trainTestSplit');
  const nTest = testCount(testSize, n);
  const rng = seed === undefined ? globalRng : new Rng(seed);
  let train: number[];
  let test: number[];
  if (stratify) {
    if (!shuffle)
      throw new ValueError(`trainTestSplit: stratify requires shuffle: true (a stratified split picks rows at random)`);
    [train, test] = stratifiedIndices(classKeys(y), nTest, rng);
  } else {
    const order = Array.from({ length: n }, (_, i) => i);
    if (shuffle) {
      rng.shuffle(order);
      test = order.slice(0, nTest);
      train = order.slice(nTest);
    } else {
      train = order.slice(0, n - nTest);
      test = order.slice(n - nTest);
    }
  }
  return { xTrain: takeRows(x, train), xTest: takeRows(x, test), yTrain: takeRows(y, train), yTest: takeRows(y, test) };
}

function testCount(testSize: number, n: number): number {
  const count = testSize > 0 && testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!Number.isInteger(count) || count < 1 || count > n - 1) {
    throw new ValueError(
      `trainTestSplit: testSize must be a fraction in (0, 1) or a row count in [1, ${n - 1}] leaving both parts non-empty; got ${testSize} for ${n} rows`,
    );
  }
  return count;
}

function classKeys(y: Tensor): number[] {
  if (y.rank !== 1 && !(y.rank === 2 && y.shape[1] === 1)) {
    throw new ValueError(
      `trainTestSplit: stratify needs one class per row, y of shape [n] or [n, 1]; got ${fmtShape(y.shape)} (pass class indices, not one-hot rows)`,
    );
  }
  return Array.from(y.dataSync());
}

/** Each class gets its share of the test rows; rounding leftovers go to the classes with the largest remainders. */
function stratifiedIndices(keys: number[], nTest: number, rng: Rng): [number[], number[]] {
  const byClass = new Map<number, number[]>();
  keys.forEach((k, i) => {
    const rows = byClass.get(k);
    if (rows) rows.push(i);
    else byClass.set(k, [i]);
  });
  const groups = [...byClass.values()];
  const exact = groups.map((g) => (g.length * nTest) / keys.length);
  const counts = exact.map(Math.floor);
  let left = nTest - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => [e - Math.floor(e), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left === 0) break;
    if (counts[i] < groups[i].length) {
      counts[i]++;
      left--;
    }
  }
  const train: number[] = [];
  const test: number[] = [];
  groups.forEach((g, i) => {
    rng.shuffle(g);
    test.push(...g.slice(0, counts[i]));
    train.push(...g.slice(counts[i]));
  });
  return [rng.shuffle(train), rng.shuffle(test)];
}
