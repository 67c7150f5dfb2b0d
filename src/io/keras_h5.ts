import { fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { checkFormat, FileFormatError } from './format_error.js';

/** The parts of h5wasm this reader uses (typed here so its emscripten typings stay out). */
interface H5Metadata {
  type: number;
  size: number;
  shape: number[] | null;
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
  metadata?: H5Metadata;
  filters?: unknown[];
  value?: unknown;
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
    FS: {
      writeFile(name: string, data: Uint8Array): void;
      readFile(name: string): Uint8Array;
      unlink(name: string): void;
    };
    activate_throwing_error_handler(): void;
    deactivate_throwing_error_handler(): void;
  }>;
}

/** HDF5 type classes (H5T_class_t). */
const H5T_INTEGER = 0,
  H5T_FLOAT = 1,
  H5T_STRING = 3;
/** A compressed dataset may expand; this caps what one is allowed to claim. */
const MAX_FILTERED_BYTES = 1 << 30;
let counter = 0;

async function h5lib(): Promise<H5Lib> {
  const lib = (await import('h5wasm')).default as unknown as H5Lib;
  await lib.ready;
  return lib;
}

/**
 * An HDF5 file opened from bytes, read through size-checked accessors: every dataset's and
 * attribute's byte count is compared with the file before it is read, links to other files
 * are refused, and any HDF5 failure becomes a FileFormatError naming the file.
 */
export class H5Reader {
  private constructor(
    private readonly lib: H5Lib,
    readonly file: H5File,
    readonly what: string,
    private readonly byteLength: number,
  ) {}

  /**
   * Opens `bytes` (in h5wasm's in-memory file system, so it works in browsers too), runs
   * `read` and closes the file, whatever happens.
   * @example const names = await H5Reader.use(bytes, 'model.h5', (h5) => h5.keys(''));
   */
  static async use<T>(bytes: Uint8Array, what: string, read: (h5: H5Reader) => T): Promise<T> {
    checkFormat(
      bytes.byteLength >= 8 && bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46,
      () => `${what}: not an HDF5 file (it does not start with the HDF5 signature)`,
    );
    const lib = await h5lib();
    const module = await lib.ready;
    const name = `/myelin-read-${counter++}.h5`;
    module.FS.writeFile(name, bytes);
    module.activate_throwing_error_handler();
    let file: H5File | null = null;
    try {
      file = guard(what, () => new lib.File(name, 'r'));
      checkFormat(file.file_id >= 0n, () => `${what}: not a readable HDF5 file`);
      return read(new H5Reader(lib, file, what, bytes.byteLength));
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

  /** An attribute as a string or list of strings (Keras writes names and JSON this way); undefined when absent. */
  stringAttr(path: string, name: string): string | string[] | undefined {
    const entity = this.get(path);
    if (!entity) return undefined;
    return guard(this.what, () => {
      const attr = (entity.attrs as Record<string, H5Attribute>)[name];
      if (!attr) return undefined;
      const m = attr.metadata;
      // Keras 2 writes an empty list of names (a layer without weights) as an empty float64 array.
      if (m.type !== H5T_STRING && m.total_size === 0 && m.shape?.length === 1) return [];
      checkFormat(m.type === H5T_STRING, () => `${this.what}: attribute '${name}' of '${path || '/'}' should be text`);
      checkFormat(
        m.vlen || m.size * m.total_size <= this.byteLength,
        () => `${this.what}: attribute '${name}' claims more bytes than the file holds`,
      );
      const value = attr.value;
      const ok = typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
      checkFormat(ok, () => `${this.what}: attribute '${name}' of '${path || '/'}' should be text`);
      return value as string | string[];
    });
  }

  /** A float dataset as a float32 or float64 tensor, after checking its type and size. */
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
      const bytes = shape.reduce((n, d) => n * d, 1) * m.size;
      const filtered = Array.isArray(ds.filters) && ds.filters.length > 0;
      checkFormat(
        bytes <= (filtered ? MAX_FILTERED_BYTES : this.byteLength),
        () =>
          `${this.what}: dataset '${path}' of shape ${fmtShape(shape)} claims ${bytes} bytes, more than the file can hold`,
      );
      const value = ds.value;
      const expected = bytes / m.size;
      checkFormat(
        ArrayBuffer.isView(value) && (value as unknown as ArrayLike<number>).length === expected,
        () => `${this.what}: dataset '${path}' could not be read as ${expected} numbers`,
      );
      const numbers =
        value instanceof Float32Array || value instanceof Float64Array
          ? value
          : Float32Array.from(value as unknown as ArrayLike<number>);
      return tensor(numbers, shape, numbers instanceof Float64Array ? 'float64' : 'float32');
    });
  }
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
