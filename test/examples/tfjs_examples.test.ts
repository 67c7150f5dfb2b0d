// The ported TensorFlow.js examples (examples/tfjs/), run with small settings: each trains to a
// sensible quality on Myelin, and a few run on TensorFlow.js 4.22 too with only the import line
// changed ('myelin' -> '@tensorflow/tfjs'), reaching the same quality. The TF.js runs preload
// the file:// handlers that @tensorflow/tfjs-node would add (test/examples/tfjs_file_io.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const dir = fileURLToPath(new URL('../../examples/tfjs/', import.meta.url));
const fileIo = fileURLToPath(new URL('./tfjs_file_io.js', import.meta.url));
const seeded = fileURLToPath(new URL('./seeded_run.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'myelin-tfjs-examples-'));

type Result = Record<string, number> & Record<string, Record<string, number>>;

/** Runs an example on Myelin, or on TF.js with its import line rewritten; returns its Result line. */
function run(name: string, args: (string | number)[], on: 'myelin' | 'tfjs' = 'myelin', seed = 0): Result {
  let script = join(dir, `${name}.js`);
  const nodeArgs = ['--import', seeded];
  if (on === 'tfjs') {
    const source = readFileSync(script, 'utf8');
    const rewritten = source.replace("from 'myelin';", "from '@tensorflow/tfjs';");
    assert.notEqual(rewritten, source, `${name} imports 'myelin'`);
    assert.equal(
      rewritten.split('\n').filter((l, i) => l !== source.split('\n')[i]).length,
      1,
      'only the import line changes',
    );
    // Beside the original, so that its relative data paths resolve the same way.
    script = join(dir, `.${name}.tfjs.js`);
    writeFileSync(script, rewritten);
    nodeArgs.push('--import', fileIo);
  }
  const out = spawnSync(process.execPath, [...nodeArgs, script, ...args.map(String)], {
    env: { ...process.env, EXAMPLE_SEED: String(seed) },
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(out.status, 0, `${name} on ${on} exited ${out.status}:\n${out.stderr.slice(-3000)}`);
  const line = out.stdout.split('\n').find((l) => l.startsWith('Result: '));
  assert.ok(line, `${name} printed no Result line:\n${out.stdout.slice(-2000)}`);
  return JSON.parse(line.slice('Result: '.length));
}

describe('the TF.js examples, ported, on Myelin', { timeout: 900_000 }, () => {
  it('each uses only the myelin import (and Node built-ins)', () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js') && !f.startsWith('.'))) {
      const imports: string[] = readFileSync(join(dir, file), 'utf8').match(/^import .* from '[^']+';$/gm) ?? [];
      for (const line of imports) assert.match(line, /from '(myelin|node:[a-z/]+)';$/, `${file}: ${line}`);
      assert.ok(imports.includes("import * as tf from 'myelin';"), `${file} imports * as tf from 'myelin'`);
    }
  });
  it('boston-housing: every model beats the mean-price baseline', () => {
    const r = run('boston-housing', [60]);
    for (const m of ['linear', 'oneHidden', 'twoHidden'] as const)
      assert.ok(r[m].test < r.baseline / 2, `${m}: test MSE ${r[m].test} vs baseline ${r.baseline}`);
  });
  it('iris: at least 90% of held-out flowers', () => {
    assert.ok(run('iris', [40]).testAccuracy >= 0.9);
  });
  it('iris-fitdataset: at least 85% of held-out flowers', () => {
    assert.ok(run('iris-fitdataset', [40]).testAccuracy >= 0.85);
  });
  it('polynomial-regression-core: the fit explains the data', () => {
    const r = run('polynomial-regression-core', [75]);
    assert.ok(r.lossAfter < 0.02 && r.lossAfter < r.lossBefore, JSON.stringify(r));
  });
  it('abalone-node (on Boston housing): fits from a CSV dataset, saves and loads back', () => {
    const r = run('abalone-node', [30, 32, `file://${join(tmp, 'abalone')}`]);
    assert.ok(r.valLoss < 45, `validation MSE ${r.valLoss} (the prices' variance is about 84)`);
    assert.ok(Number.isFinite(r.prediction));
  });
  it('addition-rnn: learns digits of sums', () => {
    const r = run('addition-rnn', [8, 2000, 'SimpleRNN', 2, 64]);
    assert.ok(r.valAccuracy > 0.35, `per-character validation accuracy ${r.valAccuracy}`);
  });
  it('mnist-node: a convnet beyond 70% after one epoch on 2,000 digits, saved', () => {
    const r = run('mnist-node', [1, 64, join(tmp, 'mnist'), 2000, 500]);
    assert.ok(r.testAccuracy > 0.7, `test accuracy ${r.testAccuracy}`);
    assert.deepEqual(readdirSync(join(tmp, 'mnist')).sort(), ['model.json', 'weights.bin']);
  });
  it('mnist-core: the core-API convnet beyond 75% after 60 steps', () => {
    assert.ok(run('mnist-core', [60, 200]).testAccuracy > 0.75);
  });
  it('lstm-text-generation: the loss falls well below chance', () => {
    const r = run(
      'lstm-text-generation',
      [2, 1024, '32', '', '-', 100000].map((v) =>
        v === '' ? join(dir, '../../../data/tinyshakespeare/input.txt') : v,
      ),
    );
    assert.ok(r.loss < Math.log(r.charSetSize) - 0.4, `loss ${r.loss} vs chance ${Math.log(r.charSetSize)}`);
  });
  it('sentiment (on the labelled sentences): the 1-D CNN beyond 70%, saved with its metadata', () => {
    const r = run('sentiment', ['cnn', 6, 40, 32, join(tmp, 'sentiment')]);
    assert.ok(r.testAccuracy > 0.7, `test accuracy ${r.testAccuracy}`);
    assert.deepEqual(readdirSync(join(tmp, 'sentiment')).sort(), ['metadata.json', 'model.json', 'weights.bin']);
  });
  it('jena-weather (simulated readings): generator datasets, fitDataset with early stopping', () => {
    // The linear model: a few unseeded epochs of the MLP on 3,360 inputs sometimes stay near the
    // mean predictor's error (about 0.8 on standardised temperatures), the linear one never.
    const r = run('jena-weather', ['linear-regression', 4, 40, 240, 20000]);
    assert.ok(r.valLoss < 0.4 && r.baseline > 0, JSON.stringify(r));
  });
  it('date-conversion-attention: the encoder-decoder with a custom layer and a symbolic initialState trains', () => {
    const r = run('date-conversion-attention', [1, 64, 0.005, 0.003, join(tmp, 'dates'), 1]);
    assert.ok(r.valLoss < 2.3, `validation loss ${r.valLoss} (chance: ${Math.log(13).toFixed(2)})`);
  });
});

/**
 * TF.js cannot be seeded from outside (its dataset shuffles seed from the clock), so each program
 * runs three times on it and Myelin's seeded run is held against the median.
 */
function tfjsMedian(name: string, args: (string | number)[], pick: (r: Result) => number): number {
  const values = [0, 1, 2].map((seed) => pick(run(name, args, 'tfjs', seed))).sort((a, b) => a - b);
  return values[1];
}

describe('the same programs on TensorFlow.js 4.22, only the import changed', { timeout: 900_000 }, () => {
  it('boston-housing: the same quality', () => {
    const runs = [0, 1, 2].map(() => run('boston-housing', [40], 'tfjs'));
    const mine = run('boston-housing', [40]);
    for (const m of ['linear', 'oneHidden', 'twoHidden'] as const) {
      const theirs = runs.map((r) => r[m].test).sort((a, b) => a - b)[1];
      assert.ok(theirs < runs[0].baseline / 2, `TF.js ${m}: median test MSE ${theirs}`);
      assert.ok(mine[m].test < 1.5 * theirs + 5, `${m}: Myelin ${mine[m].test} vs TF.js ${theirs}`);
    }
  });
  it('iris and iris-fitdataset: the same accuracy', () => {
    for (const name of ['iris', 'iris-fitdataset']) {
      const mine = run(name, [40]);
      const theirs = tfjsMedian(name, [40], (r) => r.testAccuracy);
      assert.ok(theirs >= 0.85, `TF.js ${name}: median accuracy ${theirs}`);
      assert.ok(mine.testAccuracy >= theirs - 0.1, `${name}: Myelin ${mine.testAccuracy} vs TF.js ${theirs}`);
    }
  });
  it('polynomial-regression-core: the same fit', () => {
    const mine = run('polynomial-regression-core', [75]);
    const theirs = tfjsMedian('polynomial-regression-core', [75], (r) => r.lossAfter);
    assert.ok(theirs < 0.02 && mine.lossAfter < 0.02, `Myelin ${mine.lossAfter}, TF.js ${theirs}`);
  });
  it('abalone-node: the same validation loss from the CSV dataset, and the file:// round trip', () => {
    // Medians of three seeds on both sides: one seed's outcome varies by a factor of 1.5 here.
    const mine = [0, 1, 2]
      .map((seed) => run('abalone-node', [20, 32, `file://${join(tmp, `abalone-m${seed}`)}`], 'myelin', seed))
      .sort((a, b) => a.valLoss - b.valLoss)[1];
    const theirs = tfjsMedian('abalone-node', [20, 32, `file://${join(tmp, 'abalone-t')}`], (r) => r.valLoss);
    assert.ok(theirs < 80, `TF.js median validation MSE ${theirs}`);
    assert.ok(mine.valLoss < 1.3 * theirs + 5, `Myelin ${mine.valLoss} vs TF.js ${theirs}`);
  });
});
