import { fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { checkFormat, FileFormatError } from './format_error.js';
import { type FileReads, type MemoryFs, watchReads } from './h5_file_reads.js';
import { ByteBudget } from './load_limits.js';

/** The parts of h5wasm this reader uses (typed here so its emscripten typings stay out). */
interface H5Metadata {
  type: number;
  size: number;
  shape: number[] | null;
  chunks?: number[] | null;
  total_size: number;
  vlen?: boolean;
  littleEndian?: boolean;
}
interface H5Attribute {
  metadata: H5Metadata;
  value: unknown;
}
interface H5Entity {
  type?: number;
  keys?: () => string[];
  get?: (name: string) => H5Entity | null;
  attrs?: Record<string, H5Attribute>;
  get_attribute?: (name: string) => unknown;
  metadata?: H5Metadata;
  filters?: unknown[];
  value?: unknown;
  slice?: (ranges: [number, number][]) => ArrayLike<number> & ArrayBufferView;
}
interface H5File extends H5Entity {
  file_id: bigint;
  close(): number;
}
interface H5Lib {
  File: new (name: string, mode: string) => H5File;
  Group: new (...args: never[]) => H5Entity;
  Dataset: new (...args: never[]) => H5Entity;
  ready: Promise<{
    FS: MemoryFs & {
      writeFile(name: string, data: Uint8Array): void;
      readFile(name: string): Uint8Array;
      unlink(name: string): void;
    };
    get_attribute_names(fileId: bigint, path: string): string[];
    get_attribute_metadata(fileId: bigint, path: string, name: string): H5Metadata;
    activate_throwing_error_handler(): void;
    deactivate_throwing_error_handler(): void;
  }>;
}

/** HDF5 type classes (H5T_class_t). */
const H5T_INTEGER = 0,
  H5T_FLOAT = 1,
  H5T_STRING = 3;
/** Deflate expands at most ~1032:1: a compressed block yielding more than this per stored byte was never written. */
const MAX_RATIO = 1032;
/** Largest chunk of a compressed dataset accepted (h5py's automatic chunks stay under 1 MiB). */
const MAX_CHUNK_BYTES = 16 * 2 ** 20;
/** Datasets are read in blocks of about this many bytes, so the wasm heap never holds a whole large one. */
const BLOCK_BYTES = 4 * 2 ** 20;
let counter = 0;

async function h5lib(): Promise<H5Lib> {
  const lib = (await import('h5wasm')).default as unknown as H5Lib;
  await lib.ready;
  return lib;
}

/**
 * An HDF5 file opened from bytes, read through size-checked accessors. Every dataset's claim is
 * held against what the file really stores before it is read: the uncompressed datasets
 * together must fit in the file, and a compressed one is read block by block, with the bytes
 * HDF5 takes from the file counted, so data that was never written (chunks that only exist as a
 * fill value) is refused at its first block. What is read is charged to the load's ByteBudget.
 * Links to other files are refused, and any HDF5 failure becomes a FileFormatError naming the file.
 */
export class H5Reader {
  /** Bytes claimed so far by uncompressed datasets: together they cannot exceed the file. */
  private plainBytes = 0;

  private constructor(
    private readonly lib: H5Lib,
    private readonly module: Awaited<H5Lib['ready']>,
    readonly file: H5File,
    readonly what: string,
    private readonly byteLength: number,
    private readonly budget: ByteBudget,
    private readonly fileReads: FileReads | null,
  ) {}

  /**
   * Opens `bytes` (in h5wasm's in-memory file system, so it works in browsers too), runs
   * `read` and closes the file, whatever happens. `budget` bounds the bytes read from it.
   * @example const names = await H5Reader.use(bytes, 'model.h5', (h5) => h5.keys(''));
   */
  static async use<T>(
    bytes: Uint8Array,
    what: string,
    read: (h5: H5Reader) => T,
    budget = ByteBudget.for(bytes.byteLength, undefined, 'loadKerasModel'),
  ): Promise<T> {
    checkFormat(
      bytes.byteLength >= 8 && bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46,
      () => `${what}: not an HDF5 file (it does not start with the HDF5 signature)`,
    );
    const lib = await h5lib();
    const module = await lib.ready;
    const name = `/myelin-read-${counter++}.h5`;
    module.FS.writeFile(name, bytes);
    const fileReads = watchReads(module.FS, name);
    module.activate_throwing_error_handler();
    let file: H5File | null = null;
    try {
      file = guard(what, () => new lib.File(name, 'r'));
      checkFormat(file.file_id >= 0n, () => `${what}: not a readable HDF5 file`);
      return read(new H5Reader(lib, module, file, what, bytes.byteLength, budget, fileReads));
    } finally {
      try {
        file?.close();
      } catch {
        /* already failed; the error that matters is thrown above */
      }
      module.deactivate_throwing_error_handler();
      module.FS.unlink(name);
    }
  }

  /** The entity at `path`, or null when there is none. */
  get(path: string): H5Entity | null {
    return guard(this.what, () => {
      const entity = path === '' ? this.file : (this.file.get as (p: string) => H5Entity | null)(path);
      if (
        entity &&
        !((entity as object) instanceof this.lib.Group) &&
        !((entity as object) instanceof this.lib.Dataset)
      ) {
        throw new FileFormatError(
          `${this.what}: '${path}' is a link to another file or a broken link; only groups and datasets are read`,
        );
      }
      return entity;
    });
  }

  isGroup(entity: H5Entity | null): boolean {
    return entity instanceof this.lib.Group;
  }

  /** The member names of the group at `path` ([] when it does not exist). */
  keys(path: string): string[] {
    const group = this.get(path);
    if (!group) return [];
    checkFormat(this.isGroup(group), () => `${this.what}: '${path}' should be a group`);
    return guard(this.what, () => (group.keys as () => string[])());
  }

  /** The names of the attributes of the entity at `path` ([] when it does not exist), listed once. */
  attributeNames(path: string): Set<string> {
    const entity = this.get(path);
    if (!entity) return new Set();
    return guard(
      this.what,
      () => new Set(this.module.get_attribute_names(this.file.file_id, entityPath(entity, path))),
    );
  }

  /**
   * An attribute as a string or list of strings (Keras writes names and JSON this way); undefined
   * when absent. Pass `names` (from `attributeNames`) when reading many attributes of one entity,
   * so each read costs one lookup instead of listing them all again.
   */
  stringAttr(path: string, name: string, names?: ReadonlySet<string>): string | string[] | undefined {
    if (names && !names.has(name)) return undefined;
    const entity = this.get(path);
    if (!entity) return undefined;
    return guard(this.what, () => {
      const where = entityPath(entity, path);
      if (!names && !this.module.get_attribute_names(this.file.file_id, where).includes(name)) return undefined;
      const m = this.module.get_attribute_metadata(this.file.file_id, where, name);
      // Keras 2 writes an empty list of names (a layer without weights) as an empty float64 array.
      if (m.type !== H5T_STRING && m.total_size === 0 && m.shape?.length === 1) return [];
      checkFormat(m.type === H5T_STRING, () => `${this.what}: attribute '${name}' of '${path || '/'}' should be text`);
      checkFormat(
        m.vlen || m.size * m.total_size <= this.byteLength,
        () => `${this.what}: attribute '${name}' claims more bytes than the file holds`,
      );
      const value = (entity.get_attribute as (n: string) => unknown)(name);
      const ok = typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
      checkFormat(ok, () => `${this.what}: attribute '${name}' of '${path || '/'}' should be text`);
      return value as string | string[];
    });
  }

  /** A float dataset as a float32 or float64 tensor, after checking its type and size against the file. */
  readTensor(path: string): Tensor {
    const ds = this.get(path);
    checkFormat(ds && !this.isGroup(ds), () => `${this.what}: no dataset at '${path}'`);
    return guard(this.what, () => {
      const m = ds.metadata as H5Metadata;
      const shape = m.shape ?? [];
      checkFormat(
        shape.length <= 8 && shape.every((d) => Number.isSafeInteger(d) && d >= 0),
        () => `${this.what}: dataset '${path}' has an invalid shape ${JSON.stringify(shape)}`,
      );
      checkFormat(
        (m.type === H5T_FLOAT && (m.size === 4 || m.size === 8)) || (m.type === H5T_INTEGER && m.size <= 4),
        () => `${this.what}: dataset '${path}' holds ${describeType(m)}; weights must be float32 or float64`,
      );
      const count = shape.reduce((n, d) => n * d, 1);
      const bytes = count * m.size;
      const compressed = Array.isArray(ds.filters) && ds.filters.length > 0;
      const chunks = m.chunks ?? null;
      if (compressed) {
        checkFormat(
          chunks !== null && chunks.length === shape.length && chunks.every((c) => Number.isSafeInteger(c) && c > 0),
          () => `${this.what}: compressed dataset '${path}' has no valid chunk shape`,
        );
        const chunkBytes = chunks.reduce((n, c) => n * c, m.size);
        checkFormat(
          chunkBytes <= MAX_CHUNK_BYTES,
          () =>
            `${this.what}: compressed dataset '${path}' has chunks of ${chunkBytes} bytes; at most ${MAX_CHUNK_BYTES} are read`,
        );
      } else {
        this.plainBytes += bytes;
        checkFormat(
          this.plainBytes <= this.byteLength,
          () =>
            `${this.what}: dataset '${path}' of shape ${fmtShape(shape)} claims ${bytes} bytes; with the datasets read before it, more than the file's ${this.byteLength} bytes can hold`,
        );
      }
      this.budget.take(bytes, `${this.what}: dataset '${path}' of shape ${fmtShape(shape)}`);
      const out = m.type === H5T_FLOAT && m.size === 8 ? new Float64Array(count) : new Float32Array(count);
      if (shape.length === 0) {
        const value = ds.value;
        checkFormat(
          typeof value === 'number' ||
            (ArrayBuffer.isView(value) && (value as unknown as ArrayLike<number>).length === 1),
          () => `${this.what}: dataset '${path}' could not be read as 1 number`,
        );
        out[0] = typeof value === 'number' ? value : (value as unknown as ArrayLike<number>)[0];
      } else if (count > 0) this.readBlocks(ds, path, shape, chunks ?? shape.map(() => 1), m.size, compressed, out);
      return tensor(out, shape, out instanceof Float64Array ? 'float64' : 'float32');
    });
  }

  /**
   * Reads a dataset block by block into `out` (blocks are whole chunks, so each chunk is read
   * once). For a compressed dataset, each block must come from enough stored bytes: deflate
   * yields at most ~1032 bytes per stored byte, and a chunk that was never written yields its
   * fill value from none.
   */
  private readBlocks(
    ds: H5Entity,
    path: string,
    shape: number[],
    unit: number[],
    itemBytes: number,
    compressed: boolean,
    out: Float32Array | Float64Array,
  ): void {
    const block = blockShape(shape, unit, itemBytes);
    const rank = shape.length;
    const grid = shape.map((d, i) => Math.ceil(d / block[i]));
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((n, d) => n * d, 1));
    const at = new Array<number>(rank).fill(0);
    for (;;) {
      const ranges = at.map((g, i): [number, number] => [g * block[i], Math.min(shape[i], (g + 1) * block[i])]);
      const extent = ranges.map(([a, b]) => b - a);
      const n = extent.reduce((p, d) => p * d, 1);
      const before = this.fileReads?.bytes ?? 0;
      const values = this.readBlock(ds, path, ranges, compressed ? unit.reduce((p, u) => p * u, itemBytes) : 0);
      checkFormat(
        ArrayBuffer.isView(values) && values.length === n,
        () => `${this.what}: dataset '${path}' could not be read as ${n} numbers at ${fmtRanges(ranges)}`,
      );
      if (compressed && this.fileReads) {
        const stored = this.fileReads.bytes - before;
        checkFormat(
          n * itemBytes <= stored * MAX_RATIO,
          () =>
            `${this.what}: compressed dataset '${path}' yields ${n * itemBytes} bytes at ${fmtRanges(ranges)} from ${stored} stored bytes; its data was never written or is corrupt`,
        );
      }
      scatter(values, ranges, extent, strides, out);
      let d = rank - 1;
      while (d >= 0 && ++at[d] === grid[d]) at[d--] = 0;
      if (d < 0) return;
    }
  }

  /** One block; for a compressed dataset, each chunk HDF5 reads is checked before it inflates it. */
  private readBlock(
    ds: H5Entity,
    path: string,
    ranges: [number, number][],
    chunkBytes: number,
  ): ArrayLike<number> & ArrayBufferView {
    const reads = this.fileReads;
    if (reads) {
      reads.inflateLimit = chunkBytes;
      reads.refusal = null;
    }
    try {
      return (ds.slice as NonNullable<H5Entity['slice']>)(ranges);
    } catch (e) {
      if (reads?.refusal)
        throw new FileFormatError(
          `${this.what}: compressed dataset '${path}' at ${fmtRanges(ranges)}: ${reads.refusal}`,
        );
      throw e;
    } finally {
      if (reads) reads.inflateLimit = 0;
    }
  }
}

/** The path h5wasm knows an entity by (the root is '/'). */
function entityPath(entity: H5Entity, path: string): string {
  return (entity as { path?: string }).path ?? (path || '/');
}

/**
 * The block read at a time: whole multiples of `unit` (the chunk shape, or ones), grown from the
 * last axis while it stays within BLOCK_BYTES (a single unit may be larger).
 */
function blockShape(shape: number[], unit: number[], itemBytes: number): number[] {
  const block = unit.map((u, i) => Math.min(u, shape[i]));
  for (let i = shape.length - 1; i >= 0; i--) {
    const others = block.reduce((n, b, k) => (k === i ? n : n * b), itemBytes);
    const units = Math.max(1, Math.floor(BLOCK_BYTES / (others * block[i])));
    block[i] = Math.min(shape[i], block[i] * units);
    if (block[i] < shape[i]) break;
  }
  return block;
}

/** Copies a block (row-major over `extent`) into `out` (row-major over the dataset's shape). */
function scatter(
  values: ArrayLike<number> & ArrayBufferView,
  ranges: [number, number][],
  extent: number[],
  strides: number[],
  out: Float32Array | Float64Array,
): void {
  const rank = extent.length;
  const row = extent[rank - 1];
  const source = values as unknown as Float32Array;
  const rows = source.length / row;
  const at = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    let offset = ranges[rank - 1][0];
    for (let d = 0; d < rank - 1; d++) offset += (ranges[d][0] + at[d]) * strides[d];
    out.set(source.subarray(r * row, (r + 1) * row), offset);
    for (let d = rank - 2; d >= 0 && ++at[d] === extent[d]; d--) at[d] = 0;
  }
}

function fmtRanges(ranges: [number, number][]): string {
  return `[${ranges.map(([a, b]) => `${a}:${b}`).join(', ')}]`;
}

function describeType(m: H5Metadata): string {
  if (m.type === H5T_FLOAT) return `float${m.size * 8} numbers`;
  if (m.type === H5T_INTEGER) return `${m.size * 8}-bit integers`;
  return `HDF5 type class ${m.type}`;
}

/** Runs an h5wasm call; its errors (HDF5 diagnostics, wasm traps) become FileFormatErrors. */
function guard<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const line =
      message
        .split('\n')
        .find((l) => /minor:|error/i.test(l))
        ?.trim() ?? message.split('\n')[0];
    throw new FileFormatError(`${what}: the HDF5 data is corrupt or unsupported (${line.slice(0, 200)})`);
  }
}

/**
 * Writes an HDF5 file with h5wasm and returns its bytes: `build` gets the root group. For
 * tests and tools that produce Keras-layout files.
 * @example const bytes = await writeH5((root) => root.create_dataset({ name: 'w', data: new Float32Array(4), shape: [2, 2] }));
 */
export async function writeH5(build: (root: H5WritableGroup) => void): Promise<Uint8Array> {
  const lib = await h5lib();
  const module = await lib.ready;
  const name = `/myelin-write-${counter++}.h5`;
  const file = new lib.File(name, 'w') as unknown as H5WritableGroup & H5File;
  try {
    build(file);
  } finally {
    file.close();
  }
  const bytes = module.FS.readFile(name);
  module.FS.unlink(name);
  return new Uint8Array(bytes);
}

/** The writing side of an h5wasm group, as `writeH5` hands it out. */
export interface H5WritableGroup {
  create_group(name: string): H5WritableGroup;
  create_dataset(args: { name: string; data: Float32Array | Float64Array | Int32Array; shape?: number[] }): unknown;
  create_attribute(name: string, data: string | string[] | number): void;
  get(name: string): unknown;
}
