import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  input,
  layers,
  model as functionalModel,
  MyelinError,
  sequential,
  setSeed,
  type SymbolicTensor,
} from '../../src/index.js';
import { loadFromBuffers, saveToBuffers } from '../../src/io/native.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { fromTfjsFiles, toTfjsFiles } from '../../src/io/tfjs_format.js';
import { cpuMsSince } from '../helpers/cpu_time.js';

/** A small seeded generator, so any failing case can be replayed from its number. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const NASTY: unknown[] = [
  null,
  -1,
  0,
  1.5,
  2 ** 31,
  2 ** 53,
  1e308,
  -1e308,
  '',
  'EvilLayer',
  '__proto__',
  true,
  [],
  {},
  [2 ** 30, 2 ** 30],
  { className: 'Dense', config: {} },
  [[[[]]]],
  'float64',
  'F16',
  [0, 99999999],
];

/** Replaces one random node of a JSON value with something hostile, or deletes a key. */
function mutateJson(value: unknown, rand: () => number): unknown {
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v))
      v.forEach((x, i) => {
        nodes.push({ parent: v, key: i });
        walk(x);
      });
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        nodes.push({ parent: v as Record<string, unknown>, key: k });
        walk(x);
      }
  };
  const copy = structuredClone(value);
  walk(copy);
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n && nodes.length; i++) {
    const { parent, key } = nodes[Math.floor(rand() * nodes.length)];
    const r = rand();
    if (r < 0.15 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else if (r < 0.3)
      (parent as Record<string | number, unknown>)[key] =
        typeof (parent as Record<string | number, unknown>)[key] === 'number'
          ? -(parent as Record<string | number, number>)[key] * 1000 - 1
          : 7;
    else (parent as Record<string | number, unknown>)[key] = structuredClone(NASTY[Math.floor(rand() * NASTY.length)]);
  }
  return copy;
}

/** Flips, truncates, inserts or overwrites bytes. */
function mutateBytes(bytes: Uint8Array, rand: () => number): Uint8Array {
  const r = rand();
  if (r < 0.2) return bytes.slice(0, Math.floor(rand() * bytes.length));
  const out =
    r < 0.3
      ? new Uint8Array([
          ...bytes.subarray(0, 40),
          ...new Uint8Array(Math.floor(rand() * 16)).map(() => rand() * 256),
          ...bytes.subarray(40),
        ])
      : bytes.slice();
  const flips = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < flips; i++) {
    // Half the flips hit the 8-byte length and the header, where the structure lives.
    const at = rand() < 0.5 ? Math.floor(rand() * Math.min(out.length, 200)) : Math.floor(rand() * out.length);
    out[at] = Math.floor(rand() * 256);
  }
  return out;
}

/** Runs `load` on every case; each must load or throw a MyelinError, quickly. */
function fuzz(
  cases: number,
  seed: number,
  makeCase: (rand: () => number) => () => unknown,
): { loaded: number; rejected: number } {
  const rand = lcg(seed);
  let loaded = 0,
    rejected = 0;
  const rssBefore = process.memoryUsage().rss;
  for (let i = 0; i < cases; i++) {
    const run = makeCase(rand);
    const start = process.cpuUsage();
    try {
      run();
      loaded++;
    } catch (e) {
      if (!(e instanceof MyelinError))
        assert.fail(`case ${i} (seed ${seed}) threw a non-Myelin error: ${(e as Error)?.stack ?? e}`);
      assert.ok(e.message.length > 10, `case ${i}: the error message is not helpful: ${e.message}`);
      rejected++;
    }
    // CPU time, not wall-clock: a busy machine stretches the latter, not the work a case does.
    const ms = cpuMsSince(start);
    assert.ok(ms < 500, `case ${i} (seed ${seed}) took ${ms.toFixed(0)} ms of CPU`);
  }
  assert.ok(process.memoryUsage().rss - rssBefore < 512 * 2 ** 20, 'memory grew by more than 512 MB');
  return { loaded, rejected };
}

setSeed(11);
const inp = input({ shape: [5] });
const h = layers.dense({ units: 4, activation: 'relu' }).apply(inp) as SymbolicTensor;
const functional = functionalModel({
  inputs: inp,
  outputs: layers.dense({ units: 2, activation: 'softmax' }).apply(h) as SymbolicTensor,
});
const stacked = sequential({
  layers: [layers.dense({ units: 3, inputShape: [4] }), layers.dropout({ rate: 0.1 }), layers.dense({ units: 1 })],
});
stacked.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });

describe('loaders under fuzzing', () => {
  it('safetensors: 3000 mutated files each load or throw a clear error', () => {
    const valid = saveToBuffers(stacked)['model.safetensors'];
    const r = fuzz(3000, 1, (rand) => {
      const bytes = mutateBytes(valid, rand);
      return () => decodeSafetensors(bytes);
    });
    assert.ok(r.rejected > 500, `most mutations should be rejected, got ${JSON.stringify(r)}`);
  });

  it('native model files: 3000 mutated model.json + weights each load or throw a clear error', () => {
    const files = [saveToBuffers(stacked), saveToBuffers(functional)];
    const texts = files.map((f) => JSON.parse(new TextDecoder().decode(f['model.json'])));
    const r = fuzz(3000, 2, (rand) => {
      const k = rand() < 0.5 ? 0 : 1;
      // The weights file carries its own copy of model.json; strip it so the mutated one is used.
      const weights = saveToBuffers(k === 0 ? stacked : functional)['model.safetensors'];
      const mutateWeights = rand() < 0.3;
      const json = new TextEncoder().encode(JSON.stringify(mutateJson(texts[k], rand)));
      return () =>
        loadFromBuffers(
          mutateWeights
            ? { 'model.safetensors': mutateBytes(weights, rand) }
            : { 'model.json': json, 'model.safetensors': stripMetadata(weights) },
        );
    });
    assert.ok(r.rejected > 300 && r.loaded > 10, JSON.stringify(r));
  });

  it('TF.js model.json + weights.bin: 3000 mutated pairs each load or throw a clear error', () => {
    const sources = [toTfjsFiles(stacked), toTfjsFiles(functional)];
    const r = fuzz(3000, 3, (rand) => {
      const { modelJson, shards } = sources[rand() < 0.5 ? 0 : 1];
      const r2 = rand();
      const json = r2 < 0.7 ? JSON.stringify(mutateJson(modelJson, rand)) : JSON.stringify(modelJson);
      const bin = r2 >= 0.7 ? mutateBytes(shards['weights.bin'], rand) : shards['weights.bin'];
      return () => fromTfjsFiles(json, { 'weights.bin': bin });
    });
    assert.ok(r.rejected > 300 && r.loaded > 10, JSON.stringify(r));
  });
});

/** The weights file without its embedded model.json, so loading reads the separate (mutated) one. */
function stripMetadata(bytes: Uint8Array): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  delete header.__metadata__;
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - ((text.length + 8) % 8)) % 8);
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(bytes.subarray(8 + n), 8 + h.length);
  return out;
}

describe('Keras loader under fuzzing', () => {
  it('.keras archives: 1500 mutated archives each load or throw a clear error', async () => {
    const { zipSync } = await import('fflate');
    const { loadKerasModel } = await import('../../src/io/keras_format.js');
    const { k3Dense, k3Input, k3Sequential, k3WeightsH5, kerasArchive } = await import('./keras_fixtures.js');
    const [k1, b1, k2, b2] = stacked.getWeights();
    const config = k3Sequential('s', [
      k3Input('input_layer', [null, 4]),
      k3Dense('dense', 3, 'relu'),
      k3Dense('dense_1', 1),
    ]);
    const groups = { 'layers/dense/vars': [k1, b1], 'layers/dense_1/vars': [k2, b2] };
    const h5 = await k3WeightsH5(groups);
    const archive = await kerasArchive(config, groups);
    const enc = new TextEncoder();
    const rand = lcg(4);
    let loaded = 0,
      rejected = 0;
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 1500; i++) {
      const r = rand();
      let bytes: Uint8Array;
      if (r < 0.4)
        bytes = zipSync(
          { 'config.json': enc.encode(JSON.stringify(mutateJson(config, rand))), 'model.weights.h5': h5 },
          { level: 0 },
        );
      else if (r < 0.7)
        bytes = zipSync(
          { 'config.json': enc.encode(JSON.stringify(config)), 'model.weights.h5': mutateBytes(h5, rand) },
          { level: rand() < 0.5 ? 0 : 6 },
        );
      else bytes = mutateBytes(archive, rand);
      const start = process.cpuUsage();
      try {
        await loadKerasModel(bytes);
        loaded++;
      } catch (e) {
        if (!(e instanceof MyelinError)) assert.fail(`case ${i} threw a non-Myelin error: ${(e as Error)?.stack ?? e}`);
        assert.ok(e.message.length > 10, `case ${i}: the error message is not helpful: ${e.message}`);
        rejected++;
      }
      const ms = cpuMsSince(start);
      assert.ok(ms < 500, `case ${i} took ${ms.toFixed(0)} ms of CPU`);
    }
    assert.ok(process.memoryUsage().rss - rssBefore < 512 * 2 ** 20, 'memory grew by more than 512 MB');
    assert.ok(rejected > 300 && loaded > 10, JSON.stringify({ loaded, rejected }));
  });
});

describe('loaders under fuzzing, seeded with hostile files', () => {
  it('TF.js: a manifest listing one shard many times and a deep model, mutated, each load or throw a clear error', async () => {
    const { deepSequentialTfjs, sharedShardTfjs } = await import('./hostile_files.js');
    const seeds = [sharedShardTfjs(30, 4096), deepSequentialTfjs(200)].map(({ json, shards }) => ({
      json: JSON.parse(json),
      shards,
    }));
    let first = true;
    const r = fuzz(400, 5, (rand) => {
      const { json, shards } = seeds[rand() < 0.5 ? 0 : 1];
      const text = JSON.stringify(first || rand() < 0.1 ? json : mutateJson(json, rand));
      first = false;
      const [name, bin] = Object.entries(shards)[0];
      const bytes = rand() < 0.8 ? bin : mutateBytes(bin, rand);
      return () => fromTfjsFiles(text, { [name]: bytes });
    });
    assert.ok(r.rejected > 100, JSON.stringify(r));
  });

  it('Keras: unwritten datasets, zero weights, zip and chunk bombs and chunked names, mutated, each load or throw a clear error', async () => {
    const { loadKerasModel, loadKerasWeights } = await import('../../src/io/keras_format.js');
    const hostile = await import('./hostile_files.js');
    const seeds = [
      await hostile.unwrittenDatasetsKeras(),
      await hostile.unwrittenDatasetsKeras({ compressed: false, datasets: 3 }),
      hostile.zeroWeightsKeras(8192),
      hostile.zeroWeightsKeras(1024),
      await hostile.configBombKeras(1.1e8),
      await hostile.configBombKeras(1.1e8, 4096),
      await hostile.chunkedLayerNamesH5(200),
      await hostile.chunkBombH5(),
    ];
    const { H5Reader } = await import('../../src/io/keras_h5.js');
    const target = sequential({ layers: [layers.dense({ units: 3, inputShape: [4] })] });
    const rand = lcg(6);
    let loaded = 0,
      rejected = 0;
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 700; i++) {
      const k = i < seeds.length ? i : Math.floor(rand() * seeds.length);
      const bytes = i < seeds.length ? seeds[k] : mutateBytes(seeds[k], rand);
      const start = process.cpuUsage();
      try {
        if (k === seeds.length - 1) await H5Reader.use(bytes, 'bomb.h5', (h5) => h5.readTensor('w'));
        else if (k === seeds.length - 2) await loadKerasWeights(target, bytes);
        // A caller that accepts anything still meets the check of what the datasets store.
        else await loadKerasModel(bytes, k < 2 && i % 3 === 0 ? { maxBytes: 2 ** 40 } : undefined);
        loaded++;
      } catch (e) {
        if (!(e instanceof MyelinError)) assert.fail(`case ${i} threw a non-Myelin error: ${(e as Error)?.stack ?? e}`);
        assert.ok(e.message.length > 10, `case ${i}: the error message is not helpful: ${e.message}`);
        rejected++;
      }
      const ms = cpuMsSince(start);
      assert.ok(ms < 1000, `case ${i} (seed ${k}) took ${ms.toFixed(0)} ms of CPU`);
    }
    assert.ok(process.memoryUsage().rss - rssBefore < 512 * 2 ** 20, 'memory grew by more than 512 MB');
    assert.ok(rejected > 300, JSON.stringify({ loaded, rejected }));
  });
});
