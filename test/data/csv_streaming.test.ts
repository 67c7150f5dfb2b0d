// A CSV larger than the JavaScript heap trains with fitDataset: data.csv streams the file
// through csv-parse's streaming parser in chunks, so memory stays bounded by the batch size.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

// The library itself takes about 16 MiB of heap once imported.
const HEAP_MIB = 32;

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('a,b,c,d,e,f,g,h,y\n');
  let seed = 1;
  const r = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648).toFixed(6);
  for (let i = 0; i < rows; i++) {
    const xs = Array.from({ length: 8 }, r);
    const y = xs.reduce((s, v) => s + Number(v), 0).toFixed(6);
    if (!out.write(`${xs.join(',')},${y}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

describe('data.csv streams', { timeout: 300_000 }, () => {
  it(`trains on a CSV larger than a ${HEAP_MIB} MiB heap`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-big-csv-'));
    const path = join(dir, 'big.csv');
    try {
      await writeCsv(path, 700_000);
      const size = (await stat(path)).size / 2 ** 20;
      assert.ok(size > 1.5 * HEAP_MIB, `the file (${size.toFixed(0)} MiB) is larger than the heap`);
      const child = fileURLToPath(new URL('./csv_streaming_child.js', import.meta.url));
      const run = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MIB}`, child, path], {
        encoding: 'utf8',
        timeout: 280_000,
      });
      assert.equal(run.status, 0, `the child failed:\n${run.stderr.slice(-2000)}`);
      const { loss, heapMiB } = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
      assert.ok(Number.isFinite(loss) && loss < 1, `loss ${loss}`);
      assert.ok(heapMiB < HEAP_MIB, `heap ${heapMiB} MiB`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
