/** Data: shipped datasets, CSV loading, scaling, splitting and batching. */
export { datasets, bostonHousing, iris, type BostonHousingData, type IrisData } from './datasets.js';
export {
  loadCsv,
  parseCsv,
  readCsvTable,
  type CsvOptions,
  type CsvData,
  type LabelledCsvData,
  type CsvTable,
  type ColumnRef,
} from './csv.js';
export {
  standardScaler,
  minMaxScaler,
  StandardScaler,
  MinMaxScaler,
  FeatureScaler,
  type ScalerStats,
  type StandardScalerOptions,
  type MinMaxScalerOptions,
} from './scalers.js';
export { trainTestSplit, type TrainTestSplit, type TrainTestSplitOptions } from './split.js';
export { arrayDataset, ArrayDataset, type ArrayDatasetOptions, type Batch } from './dataset.js';
export { takeRows } from './rows.js';
export { mnist, type MnistData, type MnistLoadOptions } from './mnist.js';
export { digits, type DigitsData, type DigitsLoadOptions } from './digits.js';
export { readIdx, type IdxArray } from './mnist_idx.js';
