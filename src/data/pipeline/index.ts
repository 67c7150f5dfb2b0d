/**
 * TF.js' `tf.data`: datasets read lazily from arrays, generators and CSV files, transformed
 * with chainable methods and consumed by `model.fitDataset`.
 * @example const ds = data.zip({ xs: data.array(features), ys: data.array(labels) }).shuffle(100).batch(32);
 */
import { csv, CSVDataset } from './csv.js';
import { Dataset } from './dataset.js';
import { array, func, generator, zip } from './sources.js';

export { Dataset, collate, type LazyIterator, type DataElement } from './dataset.js';
export { array, func, generator, zip, type GeneratorSource, type DatasetContainer } from './sources.js';
export { csv, CSVDataset, type CsvConfig, type ColumnConfig } from './csv.js';

/** TF.js' `tf.data` namespace. @example data.array([1, 2, 3]).batch(2) */
export const data = { array, generator, func, zip, csv, Dataset, CSVDataset };
