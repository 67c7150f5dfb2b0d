import { fmtList, ValueError } from '../../core/errors.js';
import { checkOptions, optionKeys } from '../../core/options.js';
// csv-parse's own browser build under the 'browser' condition (package.json "imports").
import { parse } from '#csv-parse';
import { requireNode } from '../../core/platform.js';
import { Dataset } from './dataset.js';

/** How one CSV column is read (TF.js' `ColumnConfig`). */
export interface ColumnConfig {
  /** An empty cell is an error instead of `undefined`. */
  required?: boolean;
  /** 'float32' (the default for numbers), 'int32' (floored) or 'bool'. */
  dtype?: 'float32' | 'int32' | 'bool' | 'string';
  /** The value of an empty cell. */
  default?: number | string | boolean;
  /** The column is a target: elements become `{ xs: features, ys: labels }`. */
  isLabel?: boolean;
}

/** Options of `data.csv` (TF.js' `CSVConfig`). */
export interface CsvConfig {
  /** Whether the first line names the columns (default true). */
  hasHeader?: boolean;
  /** Column names, required without a header (and checked against it with one). */
  columnNames?: string[];
  /** Per-column settings, by column name. */
  columnConfigs?: Record<string, ColumnConfig>;
  /** Only the columns in `columnConfigs` are read. */
  configuredColumnsOnly?: boolean;
  /** Field separator (default ','). */
  delimiter?: string;
  /** Fields are separated by runs of spaces or tabs. */
  delimWhitespace?: boolean;
}

const CSV_OPTIONS = optionKeys<CsvConfig>({
  hasHeader: true,
  columnNames: true,
  columnConfigs: true,
  configuredColumnsOnly: true,
  delimiter: true,
  delimWhitespace: true,
});

type Cell = number | string | boolean | undefined;
type Row = Record<string, Cell>;

/**
 * A CSV file read as a dataset (TF.js' `CSVDataset`): one element per line, an object keyed by
 * column name, or `{ xs, ys }` when some columns are labels. The file is streamed through the
 * csv-parse streaming parser on every pass, never loaded whole, so files larger than memory
 * train in bounded memory.
 * @example const ds = data.csv('file://houses.csv', { columnConfigs: { price: { isLabel: true } } });
 */
export class CSVDataset extends Dataset<Row | { xs: Row; ys: Row }> {
  private header: string[] | null = null;

  constructor(
    readonly source: string,
    private readonly config: CsvConfig = {},
  ) {
    super(() => this.rows());
    checkOptions('data.csv', config, CSV_OPTIONS);
    if (config.delimWhitespace && config.delimiter !== undefined)
      throw new ValueError("data.csv: give either 'delimiter' or 'delimWhitespace', not both");
    if (config.hasHeader === false && !config.columnNames)
      throw new ValueError("data.csv: a file without a header line (hasHeader: false) needs 'columnNames'");
  }

  /**
   * The column names an element carries: those of `columnConfigs` with `configuredColumnsOnly`,
   * otherwise `columnNames` or the header line.
   * @example await data.csv('file://iris.csv').columnNames(); // ['sepal_length', ...]
   */
  async columnNames(): Promise<string[]> {
    const all = await this.allColumnNames();
    return this.config.configuredColumnsOnly ? Object.keys(this.config.columnConfigs ?? {}) : all;
  }

  private async allColumnNames(): Promise<string[]> {
    if (this.header) return this.header;
    const { hasHeader = true, columnNames, columnConfigs } = this.config;
    let fromFile: string[] | null = null;
    if (hasHeader) {
      const records = await openRecords(this.source, this.config);
      try {
        const first = await records.next();
        if (first.done) throw new ValueError(`data.csv: '${this.source}' is empty; expected a header line`);
        fromFile = first.value.map((c) => c.trim());
      } finally {
        await records.return?.();
      }
    }
    if (columnNames && fromFile && columnNames.length !== fromFile.length)
      throw new ValueError(
        `data.csv: ${columnNames.length} columnNames were given but the header of '${this.source}' has ${fromFile.length} columns (${fmtList(fromFile)})`,
      );
    const names = columnNames ?? (fromFile as string[]);
    for (const key of Object.keys(columnConfigs ?? {}))
      if (!names.includes(key))
        throw new ValueError(
          `data.csv: columnConfigs names '${key}', which is not a column of '${this.source}' (columns: ${fmtList(names)})`,
        );
    this.header = names;
    return names;
  }

  private async *rows(): AsyncGenerator<Row | { xs: Row; ys: Row }> {
    const names = await this.allColumnNames();
    const records = await openRecords(this.source, this.config);
    const configs = this.config.columnConfigs ?? {};
    const only = this.config.configuredColumnsOnly === true;
    let line = 0;
    try {
      for (;;) {
        const r = await records.next();
        if (r.done) return;
        line++;
        if (line === 1 && this.config.hasHeader !== false) continue;
        const cells = r.value;
        if (cells.length === 1 && cells[0].trim() === '' && names.length > 1) continue;
        const features: Row = {};
        const labels: Row = {};
        let hasLabel = false;
        names.forEach((name, i) => {
          const config = configs[name];
          if (only && !config) return;
          const value = parseCell(cells[i] ?? '', config, name, line, this.source);
          if (config?.isLabel) {
            labels[name] = value;
            hasLabel = true;
          } else features[name] = value;
        });
        yield hasLabel ? { xs: features, ys: labels } : features;
      }
    } finally {
      await records.return?.();
    }
  }
}

function parseCell(raw: string, config: ColumnConfig | undefined, name: string, line: number, source: string): Cell {
  const text = raw.trim();
  if (text === '') {
    if (config?.default !== undefined) return config.default;
    if (config?.required || config?.isLabel)
      throw new ValueError(`data.csv: line ${line} of '${source}' has no value for the required column '${name}'`);
    return undefined;
  }
  if (config?.dtype === 'bool') return text === '1' || text.toLowerCase() === 'true';
  if (config?.dtype === 'string') return text;
  const number = Number(text);
  if (Number.isNaN(number)) return text;
  return config?.dtype === 'int32' ? Math.floor(number) : number;
}

/**
 * The records of a CSV source, parsed as they stream in: a local file (a path, or a `file://`
 * URL) read in chunks, or an `http(s)://` URL fetched. Each chunk's complete lines (up to the
 * last line break outside quotes) go through csv-parse's parser (its browser build in pages),
 * the rest waits for the next chunk, so no more than about one chunk's records are held.
 */
async function openRecords(source: string, config: CsvConfig): Promise<AsyncIterator<string[]>> {
  const bytes = (await openBytes(source)).getReader();
  const decoder = new TextDecoder();
  const options = {
    delimiter: config.delimWhitespace ? [' ', '\t'] : (config.delimiter ?? ','),
    relax_column_count: true,
    relax_quotes: true,
  };
  const records: string[][] = [];
  let pending = ''; // text after the last complete line
  let inQuotes = false; // at the end of `pending`: a line break there would sit inside quotes
  let inputDone = false;
  const take = (text: string) => {
    if (text.length > 0) for (const r of parse(text, options) as string[][]) records.push(r);
  };
  const add = (text: string) => {
    let cut = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34)
        inQuotes = !inQuotes; // '"': a doubled "" toggles twice
      else if (c === 10 && !inQuotes) cut = i; // '\n'
    }
    if (cut < 0) {
      pending += text;
      return;
    }
    take(pending + text.slice(0, cut + 1));
    pending = text.slice(cut + 1);
  };
  return {
    async next(): Promise<IteratorResult<string[]>> {
      for (;;) {
        const record = records.shift();
        if (record !== undefined) {
          const cells = config.delimWhitespace ? record.filter((c) => c !== '') : record;
          if (cells.length > 0) return { done: false, value: cells };
          continue;
        }
        if (inputDone) return { done: true, value: undefined };
        const { value, done } = await bytes.read();
        if (done) {
          add(decoder.decode());
          take(pending);
          pending = '';
          inputDone = true;
        } else add(decoder.decode(value, { stream: true }));
      }
    },
    async return(): Promise<IteratorResult<string[]>> {
      inputDone = true;
      records.length = 0;
      await bytes.cancel().catch(() => {});
      return { done: true, value: undefined };
    },
  };
}

async function openBytes(source: string): Promise<ReadableStream<Uint8Array>> {
  if (typeof source !== 'string' || source === '')
    throw new ValueError(`data.csv: the source must be a path or URL string, got ${JSON.stringify(source)}`);
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (/^https?:\/\//i.test(source) || (!isNode && !source.startsWith('file://'))) {
    const response = await fetch(source);
    if (!response.ok || !response.body)
      throw new ValueError(`data.csv: fetching '${source}' answered ${response.status}`);
    return response.body;
  }
  if (!isNode)
    throw new ValueError(`data.csv: '${source}' is a local file, which only Node can read; serve it and give its URL`);
  const path = source.startsWith('file://') ? source.slice('file://'.length) : source;
  const fs = requireNode<typeof import('node:fs/promises')>(
    'fs/promises',
    'data.csv of a local file',
    'serve the file and give its URL',
  );
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(path);
  } catch (e) {
    throw new ValueError(`data.csv: cannot read '${path}': ${(e as Error).message}`);
  }
  return fileChunks(handle);
}

/** A file read in 64 KiB chunks as the parser asks for them; closed at the end or on cancel. */
function fileChunks(handle: {
  read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}): ReadableStream<Uint8Array> {
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = new Uint8Array(1 << 16);
      const { bytesRead } = await handle.read(chunk, 0, chunk.byteLength, null);
      if (bytesRead === 0) {
        await close();
        controller.close();
      } else controller.enqueue(chunk.subarray(0, bytesRead));
    },
    cancel: close,
  });
}

/**
 * Reads a CSV file or URL as a dataset (TF.js `tf.data.csv`). Numbers become numbers, other
 * text strings, empty cells `undefined` (or the column's `default`); columns marked `isLabel`
 * go to `ys`.
 * @example
 * const ds = data.csv('file://data/boston.csv', { columnConfigs: { MEDV: { isLabel: true } } })
 *   .map(({ xs, ys }) => ({ xs: Object.values(xs), ys: Object.values(ys) }))
 *   .batch(32);
 */
export function csv(source: string, config: CsvConfig = {}): CSVDataset {
  return new CSVDataset(source, config);
}
