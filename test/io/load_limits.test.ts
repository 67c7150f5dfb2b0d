import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { layers, sequential, setSeed, tensor } from '../../src/index.js';
import { FileFormatError } from '../../src/io/format_error.js';
import { loadKerasModel } from '../../src/io/keras_format.js';
import { H5Reader, writeH5 } from '../../src/io/keras_h5.js';
import { readKerasArchive } from '../../src/io/keras_zip.js';
import { ByteBudget, DEFAULT_MIN_BYTES } from '../../src/io/load_limits.js';
import { loadFromBuffers, saveToBuffers } from '../../src/io/native.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { fromTfjsFiles, toTfjsFiles } from '../../src/io/tfjs_format.js';
import {
  chunkBombH5,
  configBombKeras,
  deflateRun,
  rawZip,
  sharedShardTfjs,
  smallConfig,
  unwrittenDatasetsKeras,
  zeroWeightsKeras,
} from './hostile_files.js';
import { kerasArchive } from './keras_fixtures.js';

const MB = 2 ** 20;

/**
 * Runs `load` and returns its error (or null when it loaded), checking that it used under a
 * second of CPU time (CPU, not wall-clock, so a busy machine does not fail it) and grew the
 * process' resident memory by under 100 MB, at its peak.
 */
async function bounded(load: () => unknown): Promise<Error | null> {
  const rss = process.memoryUsage().rss;
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const cpu = process.cpuUsage();
  let error: Error | null = null;
  try {
    await load();
  } catch (e) {
    error = e as Error;
  }
  const { user, system } = process.cpuUsage(cpu);
  const peak = process.resourceUsage().maxRSS * 1024;
  const growth = Math.max(process.memoryUsage().rss - rss, peak > peakBefore ? peak - rss : 0);
  assert.ok((user + system) / 1000 < 1000, `took ${((user + system) / 1000).toFixed(0)} ms of CPU`);
  assert.ok(growth < 100 * MB, `resident memory grew by ${(growth / MB).toFixed(0)} MB`);
  return error;
}

function assertFormatError(error: Error | null, pattern: RegExp): void {
  assert.ok(error instanceof FileFormatError, `expected a FileFormatError, got ${error}`);
  assert.match(error.message, pattern);
}

describe('loaders bound what they allocate by what the file holds', () => {
  it('a TF.js manifest whose 3,000 groups list one 1 MB shard is refused at the second group', async () => {
    const { json, shards } = sharedShardTfjs(3000, MB);
    const error = await bounded(() => fromTfjsFiles(json, shards));
    assertFormatError(error, /weightsManifest\[1\]: shard 'shard\.bin' is already listed by weightsManifest\[0\]/);
  });

  it('a .keras whose compressed HDF5 datasets were resized to 2^26 values and never written is refused', async () => {
    const bytes = await unwrittenDatasetsKeras();
    assert.ok(bytes.byteLength < 64 * 1024, `the file is ${bytes.byteLength} bytes`);
    const error = await bounded(() => loadKerasModel(bytes));
    assertFormatError(error, /dataset 'layers\/dense\/vars\/0' of shape \[67108864\] needs 268435456 bytes.*maxBytes/);
  });

  it('the same file with a huge maxBytes is refused at the first block, which stores nothing', async () => {
    const bytes = await unwrittenDatasetsKeras();
    const error = await bounded(() => loadKerasModel(bytes, { maxBytes: 1e12 }));
    assertFormatError(error, /compressed dataset 'layers\/dense\/vars\/0' yields \d+ bytes .* from \d+ stored bytes/);
  });

  it('uncompressed datasets resized without being written cannot claim more than the file', async () => {
    const bytes = await unwrittenDatasetsKeras({ compressed: false });
    const error = await bounded(() => loadKerasModel(bytes, { maxBytes: 1e12 }));
    assertFormatError(error, /claims 268435456 bytes; .*more than the file's \d+ bytes can hold/);
  });

  it('a 263 KB .keras declaring 64M parameters of zeros is refused before inflating', async () => {
    const bytes = zeroWeightsKeras(8192);
    assert.ok(bytes.byteLength < 300 * 1024, `the file is ${bytes.byteLength} bytes`);
    const error = await bounded(() => loadKerasModel(bytes));
    assertFormatError(
      error,
      /member 'model\.weights\.h5' needs 268472320 bytes, more than the default limit of 67108864 bytes for a \d+-byte file.*pass a larger \{ maxBytes \} to loadKerasModel/,
    );
  });

  it('a 1 MB config.json zip bomb (1.1 GB) is refused before inflating', async () => {
    const bytes = await configBombKeras(1.1e9);
    const error = await bounded(() => loadKerasModel(bytes));
    assertFormatError(error, /member 'config\.json' needs 1100000000 bytes, more than the default limit/);
  });

  it('a bomb that declares a small size stops inflating at that size', async () => {
    const bytes = await configBombKeras(1.1e9, 4096);
    const error = await bounded(() => loadKerasModel(bytes, { maxBytes: 1e12 }));
    assertFormatError(error, /member 'config\.json' inflates to more than the 4096 bytes it declares/);
  });

  it('a 1 MB compressed chunk whose stored stream inflates to 900 MB is refused before HDF5 inflates it', async () => {
    const bytes = await chunkBombH5(9e8);
    const error = await bounded(() => H5Reader.use(bytes, 'bomb.h5', (h5) => h5.readTensor('w')));
    assertFormatError(
      error,
      /compressed dataset 'w' at \[0:262144\]: a stored chunk of \d+ bytes inflates to more than the 1048576 bytes of a chunk/,
    );
    // The reader is still usable after refusing a read.
    const ok = await writeH5((root) => root.create_dataset({ name: 'v', data: Float32Array.from([1, 2]), shape: [2] }));
    assert.deepEqual([...(await H5Reader.use(ok, 'ok.h5', (h5) => h5.readTensor('v'))).dataSync()], [1, 2]);
  });

  it('a dataset reached through many hard links counts each time against the file', async () => {
    const h5 = await writeH5((root) => {
      root.create_dataset({ name: 'w', data: new Float32Array(MB / 4), shape: [MB / 4] });
      const link = root as unknown as { create_hard_link(target: string, name: string): void };
      for (let i = 0; i < 100; i++) link.create_hard_link('/w', `w${i}`);
    });
    const error = await bounded(() =>
      H5Reader.use(h5, 'links.h5', (r) => {
        for (let i = 0; i < 100; i++) r.readTensor(`w${i}`);
      }),
    );
    assertFormatError(error, /dataset 'w\d+' .*claims 1048576 bytes; with the datasets read before it, more than/);
  });
});

describe('the maxBytes option', () => {
  setSeed(3);
  const model = sequential({ layers: [layers.dense({ units: 64, inputShape: [64] })] });
  const files = saveToBuffers(model);

  it('defaults to 16 times the file and at least 64 MiB, so plain files always load', () => {
    assert.equal(DEFAULT_MIN_BYTES, 64 * MB);
    assert.equal(loadFromBuffers(files).countParams(), 64 * 64 + 64);
    const { modelJson, shards } = toTfjsFiles(model);
    assert.equal(fromTfjsFiles(JSON.stringify(modelJson), shards).countParams(), 64 * 64 + 64);
  });

  it('a caller can lower it: each loader refuses with an error naming the option', async () => {
    assert.throws(
      () => loadFromBuffers(files, { maxBytes: 1000 }),
      /needs 16384 bytes, more than the maxBytes limit of 1000 bytes; .*loadModel \(or loadFromBuffers\)/,
    );
    assert.throws(
      () => decodeSafetensors(files['model.safetensors'], { maxBytes: 100 }),
      /maxBytes limit of 100 bytes/,
    );
    const { modelJson, shards } = toTfjsFiles(model);
    assert.throws(
      () => fromTfjsFiles(JSON.stringify(modelJson), shards, { maxBytes: 1000 }),
      /maxBytes limit of 1000 bytes/,
    );
    const keras = await kerasArchive(smallConfig, {
      'layers/dense/vars': [tensor(new Float32Array(12), [4, 3]), tensor([0, 0, 0])],
    });
    await assert.rejects(
      loadKerasModel(keras, { maxBytes: 20 }),
      /maxBytes limit of 20 bytes; if you trust the file, pass a larger \{ maxBytes \} to loadKerasModel/,
    );
    assert.equal((await loadKerasModel(keras, { maxBytes: 1000 })).countParams(), 15);
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadModel, saveModel } = await import('../../src/io/model_files.js');
    const path = join(mkdtempSync(join(tmpdir(), 'myelin-limits-')), 'm.safetensors');
    await saveModel(model, path);
    await assert.rejects(
      loadModel(path, { maxBytes: 100 }),
      /loadModel: '.*m\.safetensors' is \d+ bytes, more than the maxBytes limit of 100 bytes/,
    );
  });

  it('a caller can raise it to accept a trusted file that compresses very well', () => {
    // 70 MB of zero weights deflate to 68 KB: past the default limit for a file that small.
    const size = 70 * MB;
    const bytes = rawZip([
      { name: 'config.json', data: new TextEncoder().encode('{}') },
      { name: 'model.weights.h5', data: deflateRun(0, size), deflated: true, size },
    ]);
    const budget = (maxBytes?: number) => ByteBudget.for(bytes.byteLength, { maxBytes }, 'loadKerasModel');
    assert.throws(
      () => readKerasArchive(bytes, 'zeros.keras', budget()),
      /needs 73400320 bytes, more than the default limit/,
    );
    const { weights } = readKerasArchive(bytes, 'zeros.keras', budget(80 * MB));
    assert.equal(weights.byteLength, size);
    assert.ok(weights.every((b) => b === 0));
  });

  it('fetchModel refuses a response declaring more than maxBytes before reading it', async () => {
    const { fetchModel } = await import('../../src/io/model_files.js');
    const fetchFn = (async (url: string) =>
      new Response(files[url.split('/').pop() as string] as unknown as BodyInit, {
        headers: { 'content-length': String(files[url.split('/').pop() as string].byteLength) },
      })) as unknown as typeof fetch;
    assert.equal((await fetchModel('/m', fetchFn)).countParams(), 64 * 64 + 64);
    await assert.rejects(
      fetchModel('/m', fetchFn, { maxBytes: 100 }),
      /fetchModel: \/m\/model\.json is \d+ bytes, more than the maxBytes limit of 100 bytes/,
    );
  });

  it('fetchModel stops reading a body that passes maxBytes when no content-length says its size', async () => {
    const { fetchModel } = await import('../../src/io/model_files.js');
    let pulled = 0;
    // 64 MiB in 64 KiB chunks with no content-length (a hostile server may send without end).
    const endless = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (++pulled > 1024) controller.close();
            else controller.enqueue(new Uint8Array(64 * 1024));
          },
        }),
      );
    const error = await bounded(() =>
      fetchModel('/m', (async () => endless()) as unknown as typeof fetch, { maxBytes: MB }),
    );
    assert.ok(error instanceof FileFormatError, `expected a FileFormatError, got ${error}`);
    assert.match(
      error.message,
      /fetchModel: \/m\/model\.json sent 1114112 bytes before the reading stopped, more than the maxBytes limit of 1048576 bytes/,
    );
    assert.ok(pulled <= 20, `read ${pulled} chunks of 64 KiB`);
    // The files themselves, sent without a content-length, load under a limit they fit.
    const fetchFn = (async (url: string) => {
      const bytes = files[url.split('/').pop() as string];
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      });
      return new Response(body);
    }) as unknown as typeof fetch;
    assert.equal((await fetchModel('/m', fetchFn, { maxBytes: MB })).countParams(), 64 * 64 + 64);
  });

  it('a misspelt option is an error on every loader, not a limit silently left at its default', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadModel, loadModelWithState, resumeFromCheckpoint, saveModel, fetchModel } = await import(
      '../../src/io/model_files.js'
    );
    const { loadTfjsModel, saveTfjsModel } = await import('../../src/io/tfjs_format.js');
    const { loadKerasWeights } = await import('../../src/io/keras_format.js');
    const dir = mkdtempSync(join(tmpdir(), 'myelin-load-options-'));
    await saveModel(model, join(dir, 'native'));
    await saveTfjsModel(model, join(dir, 'tfjs'));
    const keras = await kerasArchive(smallConfig, {
      'layers/dense/vars': [tensor(new Float32Array(12), [4, 3]), tensor([0, 0, 0])],
    });
    const { modelJson, shards } = toTfjsFiles(model);
    const misspelt = { maxbytes: 10 } as never;
    const unknown = (who: string) =>
      new RegExp(`Error: ${who}: unknown option 'maxbytes' \\(did you mean 'maxBytes'\\?\\)`);
    const fetchFn = (async () => {
      throw new Error('not reached');
    }) as unknown as typeof fetch;
    await assert.rejects(loadModel(join(dir, 'native'), misspelt), unknown('loadModel'));
    await assert.rejects(loadModelWithState(join(dir, 'native'), misspelt), unknown('loadModel'));
    await assert.rejects(resumeFromCheckpoint(join(dir, 'native'), misspelt), unknown('loadModel'));
    await assert.rejects(fetchModel('/m', fetchFn, misspelt), unknown('fetchModel'));
    assert.throws(() => loadFromBuffers(files, misspelt), unknown('loadFromBuffers'));
    assert.throws(() => decodeSafetensors(files['model.safetensors'], misspelt), unknown('decodeSafetensors'));
    assert.throws(() => fromTfjsFiles(JSON.stringify(modelJson), shards, misspelt), unknown('fromTfjsFiles'));
    await assert.rejects(loadTfjsModel(join(dir, 'tfjs', 'model.json'), misspelt), unknown('loadTfjsModel'));
    await assert.rejects(loadKerasModel(keras, { compile: false, ...(misspelt as object) }), unknown('loadKerasModel'));
    await assert.rejects(loadKerasModel(keras, { compil: false } as never), /loadKerasModel: unknown option 'compil'/);
    await assert.rejects(loadKerasWeights(model, keras, misspelt), unknown('loadKerasWeights'));
    // The spelled-right options still work.
    assert.equal((await loadKerasModel(keras, { compile: false, maxBytes: 1000 })).countParams(), 15);
  });

  it('rejects a maxBytes that is not a number of bytes', () => {
    assert.throws(
      () => loadFromBuffers(files, { maxBytes: -1 }),
      /maxBytes must be a non-negative number of bytes, got -1/,
    );
  });
});

describe('the zip reader', () => {
  const enc = new TextEncoder();
  it('reads stored members as views and deflated ones exactly', () => {
    const config = enc.encode(JSON.stringify(smallConfig));
    const h5 = new Uint8Array([0x89, 0x48, 0x44, 0x46, 1, 2, 3, 4]);
    const stored = readKerasArchive(
      zipSync({ 'config.json': config, 'model.weights.h5': h5 }, { level: 0 }),
      'a.keras',
    );
    assert.deepEqual(stored.config, config);
    assert.deepEqual(stored.weights, h5);
    const deflated = readKerasArchive(
      zipSync({ 'config.json': config, 'model.weights.h5': h5 }, { level: 9 }),
      'a.keras',
    );
    assert.deepEqual(deflated.config, config);
    assert.deepEqual(deflated.weights, h5);
  });

  it('refuses members that lie about their size either way, and duplicate members', () => {
    const h5 = { name: 'model.weights.h5', data: new Uint8Array(8) };
    const big = rawZip([{ name: 'config.json', data: deflateRun(0x20, 5000), deflated: true, size: 4000 }, h5]);
    assert.throws(
      () => readKerasArchive(big, 'a.keras'),
      /member 'config\.json' inflates to more than the 4000 bytes it declares/,
    );
    const small = rawZip([{ name: 'config.json', data: deflateRun(0x20, 3000), deflated: true, size: 4000 }, h5]);
    assert.throws(
      () => readKerasArchive(small, 'a.keras'),
      /member 'config\.json' inflates to 3000 bytes but declares 4000/,
    );
    const twice = rawZip([h5, { name: 'config.json', data: enc.encode('{}') }, h5]);
    assert.throws(() => readKerasArchive(twice, 'a.keras'), /two members named 'model\.weights\.h5'/);
  });
});
