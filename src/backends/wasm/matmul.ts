import type { TensorInfo } from '../../backend/backend.js';
import { sizeOf, stridesOf } from '../../core/shape.js';
import { splitRange } from './broadcast.js';
import type { Heap } from './heap.js';
import type { KernelExports } from './module.js';
import type { ThreadPool } from './pool.js';

/** The micro-kernel's tile, MR x NR in gemm.ts: packed strips of A have MR rows, of B NR columns. */
const MICRO_ROWS = 6;
const MICRO_COLS = 8;
/** Products with fewer rows than this skip packing when B's rows are contiguous (gemmThin). */
const THIN_ROWS = 4;
/** Below this many multiply-adds the product runs unpacked on the main thread. */
const SMALL_MACS = 1 << 15;
/**
 * Below this many multiply-adds (about a quarter of a millisecond on one core) a product is not
 * split across threads: waking a worker costs tens of microseconds, and on a busy machine a
 * worker that claimed a chunk can be descheduled for a whole time slice while this thread waits.
 */
export const PARALLEL_MACS = 1 << 23;
/** Batches of at least four matrices split across threads (whole matrices each) from this many multiply-adds. */
const BATCH_PARALLEL_MACS = 1 << 21;
const MIN_TILE_SHIFT = 22;

/** Depth of one block of shared panels (KC in gemm.ts), and rows/columns of one packing chunk. */
const DEPTH_BLOCK = 320;
const PANEL_ROWS = 16 * MICRO_ROWS;
const PANEL_COLS = 8 * MICRO_COLS;

/** Products with at most this many outputs and at least this depth are split by depth. */
const DEPTH_SPLIT_MAX_OUTPUT = 64 * 64;
const DEPTH_SPLIT_MIN_DEPTH = 4096;

/** The least work worth a tile of its own (see tiling). */
const MIN_TILE_MACS = 1 << MIN_TILE_SHIFT;

/** What a matmul needs from the backend: memory, kernels, threads and per-thread scratch. */
export interface MatmulContext {
  heap: Heap;
  kernels: KernelExports;
  pool: ThreadPool | null;
  threads(): number;
  scratch(thread: number): number;
  /** B's copy packed for one-row products, or 0 (thin_copies.ts); absent: never packed. */
  thinCopy?(b: TensorInfo, k: number, n: number): number;
}

/** What is applied to C as it is finished: a bias row (address, 0 for none) and an activation (0 none, 1 ReLU). */
export interface Epilogue {
  bias: number;
  act: number;
}

const NO_EPILOGUE: Epilogue = { bias: 0, act: 0 };

/**
 * C = op(A)·op(B) over broadcast batch dims, float32, into the block at `out`, then the
 * epilogue: act(C + bias). A transpose is only a swap of strides: the packing step reads either
 * layout. Thin products apply the epilogue as C leaves the registers; the others in one pass
 * over C right after the product, while it is still in cache.
 */
export function matmulF32(
  ctx: MatmulContext,
  a: TensorInfo,
  aPtr: number,
  b: TensorInfo,
  bPtr: number,
  tA: boolean,
  tB: boolean,
  outShape: readonly number[],
  out: number,
  epilogue: Epilogue = NO_EPILOGUE,
): void {
  const thin = product(ctx, a, aPtr, b, bPtr, tA, tB, outShape, out, epilogue);
  if (thin || (epilogue.bias === 0 && epilogue.act === 0)) return;
  const n = outShape[outShape.length - 1];
  const rows = sizeOf(outShape) / Math.max(1, n);
  const threads = sizeOf(outShape) >= 1 << 18 && ctx.pool ? Math.min(ctx.threads(), ctx.pool.readyThreads) : 1;
  const args = (s: number, e: number) => [out, epilogue.bias, out, n, epilogue.act, s, e];
  if (threads === 1) ctx.kernels.biasActRows(...(args(0, rows) as Parameters<KernelExports['biasActRows']>));
  else
    ctx.pool!.run(
      'biasActRows',
      splitRange(rows, Math.min(threads, rows)).map(([s, e]) => args(s, e)),
    );
}

/** The product; true when it went through the thin kernel, which applied the epilogue itself. */
function product(
  ctx: MatmulContext,
  a: TensorInfo,
  aPtr: number,
  b: TensorInfo,
  bPtr: number,
  tA: boolean,
  tB: boolean,
  outShape: readonly number[],
  out: number,
  epilogue: Epilogue,
): boolean {
  const m = outShape[outShape.length - 2],
    n = outShape[outShape.length - 1];
  const k = tA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
  const [ars, acs] = tA ? [1, m] : [k, 1];
  const [brs, bcs] = tB ? [1, k] : [n, 1];
  const batchShape = outShape.slice(0, -2);
  const batch = sizeOf(batchShape);
  const aOff = batchOffsets(a.shape.slice(0, -2), batchShape, m * k);
  const bOff = batchOffsets(b.shape.slice(0, -2), batchShape, k * n);
  const macs = m * n * k;
  const K = ctx.kernels;
  if (m < THIN_ROWS && bcs === 1 && m * n > 0) {
    // One sample (or two, three): stream B past registers holding C, split by columns when big.
    const threads = macs * batch >= PARALLEL_MACS && ctx.pool ? Math.min(ctx.threads(), ctx.pool.readyThreads) : 1;
    const packed = bOff.every((o) => o === 0) ? (ctx.thinCopy?.(b, k, n) ?? 0) : 0;
    if (packed !== 0) {
      thinPacked(ctx, aPtr, aOff, ars, acs, packed, out, batch, m, n, k, epilogue, threads);
      return true;
    }
    for (let i = 0; i < batch; i++) {
      const ap = aPtr + aOff[i] * 4,
        bp = bPtr + bOff[i] * 4,
        cp = out + i * m * n * 4;
      const { bias, act } = epilogue;
      if (threads === 1) K.gemmThin(ap, ars, acs, bp, brs, cp, n, k, 0, m, 0, n, bias, act);
      else
        ctx.pool!.run(
          'gemmThin',
          splitColumns(n, threads).map(([c0, c1]) => [ap, ars, acs, bp, brs, cp, n, k, 0, m, c0, c1, bias, act]),
        );
    }
    return true;
  }
  if (macs <= SMALL_MACS || m * n === 0) {
    for (let i = 0; i < batch; i++) {
      K.gemmSmall(aPtr + aOff[i] * 4, ars, acs, bPtr + bOff[i] * 4, brs, bcs, out + i * m * n * 4, n, k, 0, m);
    }
    return false;
  }
  // Many small matrices (attention's per-head products) go to the threads whole from a lower
  // threshold: a thread that falls behind holds up at most one of them.
  const wholeMatrices = batch >= 4 && macs * batch >= BATCH_PARALLEL_MACS;
  const threads =
    (macs * batch >= PARALLEL_MACS || wholeMatrices) && ctx.pool ? Math.min(ctx.threads(), ctx.pool.readyThreads) : 1;
  if (batch >= 2 * threads && threads > 1) {
    // Whole matrices per thread: list every product's addresses in a table the workers read.
    const table = ctx.heap.alloc(batch * 12);
    const u32 = ctx.heap.u32;
    for (let i = 0; i < batch; i++) {
      u32[table / 4 + 3 * i] = aPtr + aOff[i] * 4;
      u32[table / 4 + 3 * i + 1] = bPtr + bOff[i] * 4;
      u32[table / 4 + 3 * i + 2] = out + i * m * n * 4;
    }
    // One matrix per claim, so a thread that falls behind holds up at most one product.
    ctx.pool!.runChunked('gemmBatchedOne', batch, (t) => [table, ars, acs, brs, bcs, m, n, k, ctx.scratch(t)]);
    ctx.heap.free(table, batch * 12);
    return false;
  }
  for (let i = 0; i < batch; i++) {
    const ap = aPtr + aOff[i] * 4,
      bp = bPtr + bOff[i] * 4,
      cp = out + i * m * n * 4;
    // The depth split sums partial products, so its slices follow the configured thread count,
    // never the workers ready at the moment: a seeded run gives the same numbers while workers
    // are still starting (slices are claimed dynamically, so fewer ready threads take them all).
    const configured = ctx.pool ? ctx.threads() : 1;
    if (configured > 1 && macs >= PARALLEL_MACS && m * n <= DEPTH_SPLIT_MAX_OUTPUT && k >= DEPTH_SPLIT_MIN_DEPTH) {
      depthSplitProduct(ctx, ap, ars, acs, bp, brs, bcs, cp, m, n, k, configured);
      continue;
    }
    if (threads === 1 || macs < PARALLEL_MACS) {
      K.gemm(ap, ars, acs, bp, brs, bcs, cp, n, k, 0, m, 0, n, ctx.scratch(0));
      continue;
    }
    const [tileRows, tileCols] = tiling(m, n, k, threads);
    sharedPanelProduct(
      ctx,
      ap,
      ars,
      acs,
      bp,
      brs,
      bcs,
      cp,
      m,
      n,
      k,
      tileRows,
      tileCols,
      Math.ceil(m / tileRows) * Math.ceil(n / tileCols),
    );
  }
  return false;
}

/** The thin products of a batch against one B packed by packThin (gemmThin's results, bit for bit). */
function thinPacked(
  ctx: MatmulContext,
  aPtr: number,
  aOff: readonly number[],
  ars: number,
  acs: number,
  packed: number,
  out: number,
  batch: number,
  m: number,
  n: number,
  k: number,
  { bias, act }: Epilogue,
  threads: number,
): void {
  for (let i = 0; i < batch; i++) {
    const ap = aPtr + aOff[i] * 4,
      cp = out + i * m * n * 4;
    if (threads === 1) ctx.kernels.gemmThinPacked(ap, ars, acs, packed, cp, n, k, 0, m, 0, n, bias, act);
    else
      ctx.pool!.run(
        'gemmThinPacked',
        splitColumns(n, threads, 28).map(([c0, c1]) => [ap, ars, acs, packed, cp, n, k, 0, m, c0, c1, bias, act]),
      );
  }
}

/**
 * A product split across threads, from shared panels: for each depth block the threads first
 * pack A's row strips and B's column strips together (each once), then compute the output
 * tiles from them. Tiles packing their own panels would pack B once per row of tiles and A
 * once per column of tiles (four times the packing at n = 1024 on two threads). Two rounds of
 * synchronisation per depth block: microseconds, with workers polling between jobs.
 */
function sharedPanelProduct(
  ctx: MatmulContext,
  ap: number,
  ars: number,
  acs: number,
  bp: number,
  brs: number,
  bcs: number,
  cp: number,
  m: number,
  n: number,
  k: number,
  tileRows: number,
  tileCols: number,
  tiles: number,
): void {
  const blocks = Math.ceil(k / DEPTH_BLOCK),
    step = Math.ceil(k / blocks);
  const mPad = Math.ceil(m / MICRO_ROWS) * MICRO_ROWS,
    nPad = Math.ceil(n / MICRO_COLS) * MICRO_COLS;
  const pa = ctx.heap.alloc(mPad * step * 4),
    pb = ctx.heap.alloc(nPad * step * 4);
  const aChunks = Math.ceil(m / PANEL_ROWS),
    bChunks = Math.ceil(n / PANEL_COLS);
  for (let p0 = 0; p0 < k; p0 += step) {
    const kc = Math.min(step, k - p0);
    ctx.pool!.runChunked('packPanels', aChunks + bChunks, () => [
      ap,
      ars,
      acs,
      bp,
      brs,
      bcs,
      m,
      n,
      p0,
      kc,
      pa,
      pb,
      aChunks,
    ]);
    ctx.pool!.runChunked('gemmPanelTile', tiles, (t) => [
      pa,
      pb,
      cp,
      m,
      n,
      kc,
      p0 > 0 ? 1 : 0,
      tileRows,
      tileCols,
      ctx.scratch(t),
    ]);
  }
  ctx.heap.free(pb, nPad * step * 4);
  ctx.heap.free(pa, mPad * step * 4);
}

/**
 * A product with a small output and a long depth, split by depth: each thread multiplies its
 * slice into its own partial C with the single-thread kernel (its own packing, no barrier per
 * depth block, where shared panels would synchronise every block of the depth), then the
 * partials are added here. Two slices per thread, claimed dynamically.
 */
function depthSplitProduct(
  ctx: MatmulContext,
  ap: number,
  ars: number,
  acs: number,
  bp: number,
  brs: number,
  bcs: number,
  cp: number,
  m: number,
  n: number,
  k: number,
  threads: number,
): void {
  const parts = Math.min(2 * threads, Math.floor(k / DEPTH_BLOCK));
  const bytes = parts * m * n * 4;
  const partials = ctx.heap.alloc(bytes);
  ctx.pool!.runChunked('gemmDepthSlice', parts, (t) => [
    ap,
    ars,
    acs,
    bp,
    brs,
    bcs,
    partials,
    m,
    n,
    k,
    parts,
    ctx.scratch(t),
  ]);
  const f32 = ctx.heap.f32,
    out = cp / 4,
    size = m * n;
  for (let i = 0; i < size; i++) {
    let s = 0;
    for (let p = 0; p < parts; p++) s += f32[partials / 4 + p * size + i];
    f32[out + i] = s;
  }
  ctx.heap.free(partials, bytes);
}

/**
 * Tiles of the output for dynamic scheduling: up to 8 per thread, so when one thread is
 * descheduled the others finish its share, but none under MIN_TILE_MACS multiply-adds, so each
 * tile's pass over the shared panels stays long next to the cost of claiming it.
 * @example tiling(1024, 1024, 1024, 2) // [256, 256]: 16 tiles
 */
export function tiling(m: number, n: number, k: number, threads: number): [number, number] {
  const target = Math.max(threads, Math.min(threads * 8, Math.floor((m * n * k) / MIN_TILE_MACS)));
  let rows = m,
    cols = n;
  while (Math.ceil(m / rows) * Math.ceil(n / cols) < target) {
    if (rows >= cols && rows > 32) rows = Math.ceil(rows / 2 / MICRO_ROWS) * MICRO_ROWS;
    else if (cols > 64) cols = Math.ceil(cols / 2 / MICRO_COLS) * MICRO_COLS;
    else if (rows > MICRO_ROWS) rows = Math.ceil(rows / 2 / MICRO_ROWS) * MICRO_ROWS;
    else break;
  }
  return [rows, cols];
}

/**
 * `parts` column ranges of 0..n, each a multiple of `block` wide except the last (the register
 * block: 24 columns in gemmThin, 28 in gemmThinPacked).
 */
function splitColumns(n: number, parts: number, block = 24): [number, number][] {
  const per = Math.ceil(n / parts / block) * block;
  const out: [number, number][] = [];
  for (let c = 0; c < n; c += per) out.push([c, Math.min(n, c + per)]);
  return out;
}

/** Element offset of each output batch's matrix inside an input whose batch dims broadcast. */
function batchOffsets(inBatch: readonly number[], outBatch: readonly number[], matSize: number): number[] {
  const n = sizeOf(outBatch);
  if (inBatch.length === 0 || sizeOf(inBatch) === 1) return new Array<number>(n).fill(0);
  const inStrides = stridesOf(inBatch),
    outStrides = stridesOf(outBatch);
  const lead = outBatch.length - inBatch.length;
  const offsets = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < inBatch.length; d++) {
      const coord = Math.floor(i / outStrides[d + lead]) % outBatch[d + lead];
      off += (inBatch[d] === 1 ? 0 : coord) * inStrides[d];
    }
    offsets[i] = off * matSize;
  }
  return offsets;
}
