import { ValueError } from '../core/errors.js';
import type { BatchDataset, ModelData } from './types.js';
import type { SampleWeightData } from './weights.js';

/** One element of a dataset: inputs, targets and optional per-sample weights. */
export interface DatasetElement {
  xs: ModelData;
  ys: ModelData;
  sampleWeight?: SampleWeightData;
}

/**
 * Iterates a dataset of batches, accepting `{xs, ys}` or `[xs, ys]` elements (with per-sample
 * weights as a `sampleWeight` key or a third element, as Keras' `(x, y, sample_weight)`).
 */
export async function* iterateBatches(dataset: BatchDataset, call: string): AsyncGenerator<DatasetElement> {
  const ds = dataset as unknown as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown };
  if (!ds || (typeof ds[Symbol.asyncIterator] !== 'function' && typeof ds[Symbol.iterator] !== 'function')) {
    throw new ValueError(`${call}: the dataset must be an iterable or async iterable of {xs, ys} batches`);
  }
  let i = 0;
  for await (const item of dataset as AsyncIterable<unknown>) {
    if (Array.isArray(item) && item.length >= 2)
      yield { xs: item[0] as ModelData, ys: item[1] as ModelData, sampleWeight: item[2] as SampleWeightData };
    else if (item && typeof item === 'object' && 'xs' in item && 'ys' in item) yield item as DatasetElement;
    else throw new ValueError(`${call}: batch ${i} must be {xs, ys} or [xs, ys], got ${typeof item}`);
    i++;
  }
}
