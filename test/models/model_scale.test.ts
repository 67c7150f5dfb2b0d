import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor } from '../../src/index.js';
import { fromTfjsFiles } from '../../src/io/tfjs_format.js';
import { input, layers, type SymbolicTensor } from '../../src/layers/index.js';
import { MAX_LAYERS } from '../../src/models/limits.js';
import { model, modelFromConfig, sequential } from '../../src/models/index.js';
import { deepSequentialTfjs } from '../io/hostile_files.js';

/** CPU time of `f` in seconds (a busy machine does not inflate it). */
function cpuSeconds(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
}

// Building was quadratic (10,000 layers took 35-47 s, then overflowed the stack), so 10,000 is a
// size that could not be built before; the generous bounds only catch a return to quadratic time.
describe('models of many layers build in linear time', () => {
  it('a Sequential of 10,000 layers builds, assembles its graph and predicts', () => {
    const seconds = cpuSeconds(() => {
      const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones' })] });
      for (let i = 1; i < 10_000; i++) m.add(layers.activation({ activation: 'linear' }));
      assert.equal(m.layers.length, 10_000);
      assert.deepEqual([...(m.predict(tensor([[2]])) as ReturnType<typeof tensor>).dataSync()], [2]);
      m.pop();
      assert.equal(m.layers.length, 9_999);
    });
    assert.ok(seconds < 30, `took ${seconds.toFixed(1)} s of CPU`);
  });

  it('a functional chain of 10,000 layers builds (its graph is walked without recursion)', () => {
    const x = input({ shape: [1] });
    let h = x;
    for (let i = 0; i < 10_000; i++) h = layers.activation({ activation: 'linear' }).apply(h) as SymbolicTensor;
    const m = model({ inputs: x, outputs: h });
    assert.equal(m.layers.length, 10_001);
    assert.equal((m.getConfig().layers as unknown[]).length, 10_001);
  });

  it('a 1.7 MB TF.js model.json of 10,000 Dense layers loads', () => {
    const { json, shards } = deepSequentialTfjs(10_000);
    const seconds = cpuSeconds(() => assert.equal(fromTfjsFiles(json, shards).layers.length, 10_000));
    assert.ok(seconds < 30, `took ${seconds.toFixed(1)} s of CPU`);
  });

  it('a functional config listing its layers in reverse order is replayed', () => {
    const x = input({ shape: [2], name: 'x' });
    let h = x;
    for (let i = 0; i < 2000; i++) h = layers.dense({ units: 2, name: `d${i}` }).apply(h) as SymbolicTensor;
    const config = model({ inputs: x, outputs: h }).getConfig();
    const reversed = { ...config, layers: [...(config.layers as unknown[])].reverse() };
    const copy = modelFromConfig({ className: 'Functional', config: reversed });
    assert.equal(copy.layers.length, 2001);
    assert.equal(copy.layers[2000].name, 'd1999');
  });

  it(`more than MAX_LAYERS (${MAX_LAYERS}) layers is a clear error`, () => {
    assert.equal(MAX_LAYERS, 20_000);
    const tooMany = {
      className: 'Sequential',
      config: {
        layers: Array.from({ length: MAX_LAYERS + 1 }, () => ({
          className: 'Activation',
          config: { activation: 'relu' },
        })),
      },
    };
    assert.throws(
      () => modelFromConfig(tooMany),
      /Sequential\.fromConfig: config\.layers lists 20001 layers; a model may have at most 20000/,
    );
    const m = sequential();
    for (let i = 0; i < MAX_LAYERS; i++) m.add(layers.activation({ activation: 'relu', name: `r${i}` }));
    assert.throws(
      () => m.add(layers.activation({ activation: 'relu', name: 'one_more' })),
      /cannot add layer 'one_more': a model may have at most 20000 layers/,
    );
  });
});
