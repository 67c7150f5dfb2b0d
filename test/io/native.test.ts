import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  input,
  layers,
  model as functionalModel,
  sequential,
  setSeed,
  tensor,
  type LayersModel,
  type SymbolicTensor,
  type Tensor,
} from '../../src/index.js';
import { FileFormatError } from '../../src/io/format_error.js';
import { loadModel, resumeFromCheckpoint, saveModel } from '../../src/io/model_files.js';
import { loadFromBuffers, saveToBuffers } from '../../src/io/native.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { modelCheckpoint } from '../../src/callbacks/model_checkpoint.js';
import { cpuMsSince } from '../helpers/cpu_time.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'myelin-io-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function data(n = 48): { x: Tensor; y: Tensor } {
  const xs: number[][] = [],
    ys: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.sin(i * 1.3),
      b = Math.cos(i * 0.7),
      c = ((i * 37) % 11) / 11;
    xs.push([a, b, c]);
    ys.push([2 * a - b + 0.5 * c]);
  }
  return { x: tensor(xs), y: tensor(ys) };
}

function mlp(): LayersModel {
  return sequential({
    layers: [
      layers.dense({ units: 8, activation: 'tanh', inputShape: [3] }),
      layers.dropout({ rate: 0.3 }),
      layers.dense({ units: 1 }),
    ],
  });
}

const values = (t: Tensor | Tensor[]) => [...(t as Tensor).dataSync()];
const weightsOf = (m: LayersModel) => m.weights.map((w) => [...w.dataSync()]);

describe('native format', () => {
  it('round-trips a Sequential model through buffers with bit-identical predictions', () => {
    setSeed(1);
    const m = mlp();
    const { x } = data();
    const copy = loadFromBuffers(saveToBuffers(m));
    assert.equal(copy.getClassName(), 'Sequential');
    assert.deepEqual(values(copy.predict(x)), values(m.predict(x)));
    // The weights file alone is enough: it carries the architecture in its metadata.
    const alone = loadFromBuffers({ 'model.safetensors': saveToBuffers(m)['model.safetensors'] });
    assert.deepEqual(values(alone.predict(x)), values(m.predict(x)));
  });

  it('round-trips a functional model with two branches through a directory and a single file', async () => {
    setSeed(2);
    const inp = input({ shape: [3] });
    const a = layers.dense({ units: 4, activation: 'relu' }).apply(inp) as SymbolicTensor;
    const b = layers.dense({ units: 4, activation: 'sigmoid' }).apply(inp) as SymbolicTensor;
    const out = layers.dense({ units: 2 }).apply(a) as SymbolicTensor;
    const m = functionalModel({ inputs: inp, outputs: [out, b] });
    const dir = await tempDir();
    await m.save(join(dir, 'functional'));
    assert.deepEqual((await readdir(join(dir, 'functional'))).sort(), ['model.json', 'model.safetensors']);
    await saveModel(m, join(dir, 'one.safetensors'));
    const { x } = data(5);
    const expected = (m.predict(x) as Tensor[]).map(values);
    for (const path of [join(dir, 'functional'), join(dir, 'one.safetensors')]) {
      const copy = await loadModel(path);
      assert.deepEqual((copy.predict(x) as Tensor[]).map(values), expected);
    }
  });

  it('restores the compile settings and the optimizer state', () => {
    setSeed(3);
    const m = mlp();
    m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
    const { x, y } = data();
    return m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 }).then(() => {
      const copy = loadFromBuffers(saveToBuffers(m));
      assert.ok(copy.compiled);
      assert.equal(copy.compiled.optimizer.className, 'Adam');
      assert.deepEqual(copy.compiled.metricsNames, ['loss', 'mae']);
      const before = m.compiled!.optimizer.getWeights(),
        restored = copy.compiled.optimizer.getWeights();
      assert.deepEqual(
        restored.map((w) => w.name),
        before.map((w) => w.name),
      );
      restored.forEach((w, i) => assert.deepEqual([...w.tensor.dataSync()], [...before[i].tensor.dataSync()]));
      assert.equal(copy.compiled.optimizer.iterations, 6);
    });
  });

  it('resuming from a checkpoint gives the same weights as training straight through', async () => {
    const { x, y } = data();
    const build = () => {
      const m = mlp();
      m.compile({ optimizer: 'adam', loss: 'mse' });
      return m;
    };
    setSeed(7);
    const straight = build();
    await straight.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0 });

    const dir = await tempDir();
    const ckpt = join(dir, 'last.safetensors');
    setSeed(7);
    const first = build();
    // Stop after 3 of 5 epochs, as if the process had died.
    await first.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [modelCheckpoint({ filepath: ckpt })] });
    setSeed(12345); // a fresh process would start from another RNG state
    const { model: resumed, initialEpoch } = await resumeFromCheckpoint(ckpt);
    assert.equal(initialEpoch, 3);
    await resumed.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0, initialEpoch });
    assert.deepEqual(weightsOf(resumed), weightsOf(straight));
  });

  it('rejects unknown layer classes, naming the known ones, and never builds a huge layer', async () => {
    const m = mlp();
    const files = saveToBuffers(m);
    const json = JSON.parse(new TextDecoder().decode(files['model.json']));
    json.modelConfig.config.layers[1].className = 'EvilLayer';
    const bad = {
      'model.json': new TextEncoder().encode(JSON.stringify(json)),
      'model.safetensors': encodeSafetensors([]),
    };
    assert.throws(
      () => loadFromBuffers(bad),
      (e: unknown) =>
        e instanceof FileFormatError &&
        /Unknown layer class 'EvilLayer'.*; nothing was built. Expected one of .*'Dense'/.test((e as Error).message),
    );

    const huge = JSON.parse(new TextDecoder().decode(files['model.json']));
    huge.modelConfig.config.layers[1].config.units = 2 ** 30;
    const start = process.cpuUsage();
    assert.throws(
      () =>
        loadFromBuffers({
          'model.json': new TextEncoder().encode(JSON.stringify(huge)),
          'model.safetensors': encodeSafetensors([]),
        }),
      (e: unknown) =>
        e instanceof FileFormatError && /more values than the 0 the file holds/.test((e as Error).message),
    );
    const ms = cpuMsSince(start);
    assert.ok(ms < 1000, `refusing took ${ms.toFixed(0)} ms of CPU`);

    const dir = await tempDir();
    await writeFile(join(dir, 'junk.safetensors'), new Uint8Array([1, 2, 3]));
    await assert.rejects(loadModel(join(dir, 'junk.safetensors')), FileFormatError);
    await assert.rejects(loadModel(join(dir, 'missing')), /does not exist/);
  });
});
