import { checkOptions, optionKeys } from '../core/options.js';
// csv-parse's own browser build under the 'browser' condition (package.json "imports").
import { parse } from '#csv-parse';
import { arrayTypeOf, type DType } from '../core/dtype.js';
import { fmtList, ValueError } from '../core/errors.js';
import { requireNode } from '../core/platform.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';

/** A column by header name, or by 0-based position. */
export type ColumnRef = string | number;

/** Options of `parseCsv` and `loadCsv`. */
export interface CsvOptions {
  /** The column (or columns) holding the targets. Without it, every selected column is a feature. */
  labelColumn?: ColumnRef | ColumnRef[];
  /** The feature columns, in this order. Default: every column except the label column(s). */
  columns?: ColumnRef[];
  /** Whether the first record names the columns (default true). Without one, columns are named '0', '1', ... */
  header?: boolean;
  /** Field separator (default ','). */
  delimiter?: string;
  /** dtype of `features` (default 'float32'). */
  dtype?: DType;
  /** dtype of `labels` (default 'float32'; use 'int32' for class indices). */
  labelDtype?: DType;
}

/** What `parseCsv` and `loadCsv` return. `labels` is present exactly when `labelColumn` was given. */
export interface CsvData {
  /** Shape [rows, featureColumns]. */
  features: Tensor;
  /** Shape [rows] for one label column, [rows, k] for k label columns. */
  labels?: Tensor;
  /** Names of the feature columns, in the order of `features`' second axis. */
  columnNames: string[];
  /** Names of the label columns. */
  labelNames: string[];
}

/** `CsvData` with `labels` known to be there (a `labelColumn` was given). */
export type LabelledCsvData = CsvData & { labels: Tensor };

/** The raw text of a CSV: column names and string cells, with the source line of every row. */
export interface CsvTable {
  columnNames: string[];
  rows: string[][];
  /** 1-based line in the source where each row starts (for error messages). */
  lines: number[];
}

/**
 * Reads a numeric CSV file into a feature tensor and, optionally, a label tensor (Node only:
 * it reads with node:fs). Cells must be numbers; empty cells are an error, because silently
 * reading them as 0 would corrupt the data.
 * @example
 * const { features, labels, columnNames } = loadCsv('houses.csv', { labelColumn: 'price' });
 * // features: [rows, columns - 1] float32, labels: [rows] float32
 */
export function loadCsv(
  path: string | URL,
  options: CsvOptions & { labelColumn: ColumnRef | ColumnRef[] },
): LabelledCsvData;
export function loadCsv(path: string | URL, options?: CsvOptions): CsvData;
export function loadCsv(path: string | URL, options: CsvOptions = {}): CsvData {
  checkOptions(
    'loadCsv',
    options,
    optionKeys<CsvOptions>({
      labelColumn: true,
      columns: true,
      header: true,
      delimiter: true,
      dtype: true,
      labelDtype: true,
    }),
  );
  const source = typeof path === 'string' ? path : requireNodeUrl().fileURLToPath(path);
  return tableToTensors(readCsvTable(path, options), options, `loadCsv('${source}')`);
}

/**
 * `loadCsv` for CSV text already in memory.
 * @example
 * const { features, labels } = parseCsv('x1,x2,y\n1,2,0\n3,4,1\n', { labelColumn: 'y', labelDtype: 'int32' });
 * // features [[1, 2], [3, 4]], labels [0, 1]
 */
export function parseCsv(text: string, options: CsvOptions & { labelColumn: ColumnRef | ColumnRef[] }): LabelledCsvData;
export function parseCsv(text: string, options?: CsvOptions): CsvData;
export function parseCsv(text: string, options: CsvOptions = {}): CsvData {
  checkOptions(
    'parseCsv',
    options,
    optionKeys<CsvOptions>({
      labelColumn: true,
      columns: true,
      header: true,
      delimiter: true,
      dtype: true,
      labelDtype: true,
    }),
  );
  return tableToTensors(parseCsvTable(text, options, 'parseCsv'), options, 'parseCsv');
}

/**
 * Reads a CSV file as strings, for data with text columns (class names, ids).
 * @example const { columnNames, rows } = readCsvTable('iris.csv'); rows[0]; // ['5.1', '3.5', ..., 'setosa']
 */
export function readCsvTable(path: string | URL, options: Pick<CsvOptions, 'header' | 'delimiter'> = {}): CsvTable {
  const fs = requireNode<typeof import('node:fs')>('fs', 'loadCsv(path)', READ_IN_BROWSER);
  const source = typeof path === 'string' ? path : requireNodeUrl().fileURLToPath(path);
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValueError(`loadCsv: cannot read '${source}': ${(e as Error).message}`);
  }
  return parseCsvTable(text, options, `loadCsv('${source}')`);
}

const READ_IN_BROWSER = "fetch the file's text and call parseCsv(text, options)";

function requireNodeUrl(): typeof import('node:url') {
  return requireNode<typeof import('node:url')>('url', 'loadCsv(path)', READ_IN_BROWSER);
}

function parseCsvTable(text: string, options: Pick<CsvOptions, 'header' | 'delimiter'>, where: string): CsvTable {
  const { header = true, delimiter = ',' } = options;
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter,
      trim: true,
      skip_empty_lines: true,
      info: true,
      bom: true,
    }) as unknown as typeof records;
  } catch (e) {
    throw new ValueError(`${where}: malformed CSV: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new ValueError(`${where}: the CSV is empty`);
  const width = records[0].record.length;
  const columnNames = header ? records[0].record : Array.from({ length: width }, (_, i) => String(i));
  const body = header ? records.slice(1) : records;
  return { columnNames, rows: body.map((r) => r.record), lines: body.map((r) => r.info.lines) };
}

/**
 * Resolves column references against the header, listing (some of) the available columns when
 * one is missing. A name the header gives to two columns is ambiguous: refer to it by index.
 */
export function resolveColumns(
  refs: readonly ColumnRef[],
  columnNames: readonly string[],
  argument: string,
  where: string,
): number[] {
  const byName = new Map<string, number[]>();
  columnNames.forEach((name, i) => {
    const list = byName.get(name);
    if (list) list.push(i);
    else byName.set(name, [i]);
  });
  return refs.map((ref) => {
    if (typeof ref !== 'number') {
      const found = byName.get(ref);
      if (found && found.length > 1)
        throw new ValueError(
          `${where}: ${argument}: column '${ref}' is ambiguous: the header names ${found.length} columns '${ref}' (indices ${fmtList(found)}); refer to the one you mean by its index`,
        );
      if (found) return found[0];
    } else if (Number.isInteger(ref) && ref >= 0 && ref < columnNames.length) return ref;
    const what = typeof ref === 'number' ? `column index ${ref}` : `column '${ref}'`;
    throw new ValueError(
      `${where}: ${argument}: ${what} not found; available columns: ${fmtList(columnNames.map((c, i) => `${c} (${i})`))}`,
    );
  });
}

function tableToTensors(table: CsvTable, options: CsvOptions, where: string): CsvData {
  const { labelColumn, columns, dtype = 'float32', labelDtype = 'float32' } = options;
  const labelRefs = labelColumn === undefined ? [] : Array.isArray(labelColumn) ? labelColumn : [labelColumn];
  const labelIdx = resolveColumns(labelRefs, table.columnNames, 'labelColumn', where);
  const featureIdx = columns
    ? resolveColumns(columns, table.columnNames, 'columns', where)
    : table.columnNames.map((_, i) => i).filter((i) => !labelIdx.includes(i));
  const overlap = featureIdx.find((i) => labelIdx.includes(i));
  if (overlap !== undefined) {
    throw new ValueError(
      `${where}: column '${table.columnNames[overlap]}' is both a feature (columns) and a label (labelColumn)`,
    );
  }
  if (table.rows.length === 0) throw new ValueError(`${where}: the CSV has a header but no data rows`);
  const features = numericTensor(table, featureIdx, dtype, where, [table.rows.length, featureIdx.length]);
  const labelShape = Array.isArray(labelColumn) ? [table.rows.length, labelIdx.length] : [table.rows.length];
  const result: CsvData = {
    features,
    columnNames: featureIdx.map((i) => table.columnNames[i]),
    labelNames: labelIdx.map((i) => table.columnNames[i]),
  };
  if (labelColumn !== undefined) result.labels = numericTensor(table, labelIdx, labelDtype, where, labelShape);
  return result;
}

function numericTensor(
  table: CsvTable,
  columnIdx: readonly number[],
  dtype: DType,
  where: string,
  shape: number[],
): Tensor {
  const out = new (arrayTypeOf(dtype))(table.rows.length * columnIdx.length);
  table.rows.forEach((row, r) => {
    columnIdx.forEach((c, k) => {
      const cell = row[c];
      const at = () => `line ${table.lines[r]} (data row ${r + 1}), column '${table.columnNames[c]}' (index ${c})`;
      if (cell === '')
        throw new ValueError(`${where}: ${at()} is empty; missing values are not supported (fill or drop them first)`);
      const value = parseNumber(cell);
      if (Number.isNaN(value) && cell !== 'NaN') {
        throw new ValueError(
          `${where}: ${at()} is '${cell}', which is not a number (plain decimal notation); exclude the column with the 'columns' option`,
        );
      }
      if (!Number.isFinite(value) && cell !== 'NaN')
        throw new ValueError(`${where}: ${at()} is '${cell}', which is not a finite number`);
      if (dtype === 'int32' && !Number.isInteger(value)) {
        throw new ValueError(`${where}: ${at()} is '${cell}', which is not an integer (dtype int32 was asked for)`);
      }
      if (dtype === 'int32' && (value < -2147483648 || value > 2147483647))
        throw new ValueError(`${where}: ${at()} is '${cell}', outside the int32 range [-2147483648, 2147483647]`);
      if (dtype === 'float32' && Math.abs(value) > FLOAT32_MAX)
        throw new ValueError(
          `${where}: ${at()} is '${cell}', beyond the float32 range (about ±3.4e38); use dtype 'float64'`,
        );
      out[r * columnIdx.length + k] = value;
    });
  });
  return tensor(out, shape, dtype);
}

/** Plain decimal numbers only: `Number()` would also take '0x10', '0b1', 'Infinity' and ''. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT32_MAX = 3.4028234663852886e38;

/** A cell's number: NaN unless the cell is a decimal number (which may overflow to ±Infinity). */
function parseNumber(cell: string): number {
  return DECIMAL.test(cell) ? Number(cell) : Number.NaN;
}
