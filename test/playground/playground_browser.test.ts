// The playground page in headless Chromium, built as `npm run playground` builds it and served
// as `myelin playground` serves it (cross-origin isolated): it trains on the two moons with live
// charts, draws the decision boundary, and its downloaded model loads back in Node with the
// same predictions.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { servePlayground } from '../../src/cli/playground.js';
import { loadModel, tensor, type Tensor } from '../../src/index.js';
import { CHROMIUM, chromiumInstalled, launchChromium } from '../webgpu/browser/harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const skip = chromiumInstalled() ? false : `no Chromium at ${CHROMIUM}`;

interface PageState {
  done: boolean;
  error: string;
  epochs: number[];
  logs: Record<string, number[]>;
}

describe('the playground page', { skip, timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'myelin-playground-'));
  const site = join(work, 'site');
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let close = async () => {};
  const errors: string[] = [];

  before(async () => {
    const build = spawnSync(process.execPath, ['scripts/build-playground.mjs', '--out', site], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, build.stderr);
    const { server, url } = await servePlayground({ port: 0, dir: site });
    browser = await launchChromium();
    close = async () => {
      await browser.close();
      server.close();
    };
    browser.page.on('pageerror', (e) => errors.push(e.message));
    await browser.page.goto(url);
    await browser.page.waitForSelector('#train:not([disabled])', { timeout: 60_000 });
  });
  after(async () => {
    await close();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs the wasm backend on every core of the isolated page', async () => {
    const info = await browser.page.evaluate(() =>
      (
        globalThis as unknown as { playground: { backend: () => { name: string; threads: number } } }
      ).playground.backend(),
    );
    const cores = await browser.page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(info.name, 'wasm');
    assert.equal(info.threads, cores);
    assert.match((await browser.page.textContent('#backend')) ?? '', /^backend wasm \(threads/);
  });

  it('trains on the two moons with live curves and a decision boundary, and its download loads back', async () => {
    const page = browser.page;
    await page.selectOption('#dataset', 'moons');
    await page.selectOption('#model', 'mlp');
    await page.selectOption('#optimizer', 'adam');
    await page.fill('#lr', '0.03');
    await page.fill('#epochs', '40');
    await page.click('#train');
    await page.waitForFunction(
      () => (globalThis as unknown as { playground: { state: PageState } }).playground.state.done,
      null,
      {
        timeout: 120_000,
      },
    );
    const state = await page.evaluate(
      () => (globalThis as unknown as { playground: { state: PageState } }).playground.state,
    );
    assert.equal(state.error, '');
    assert.deepEqual(
      state.epochs,
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const accuracy = state.logs.val_accuracy ?? state.logs.val_acc;
    assert.ok(accuracy, `validation accuracy is logged: ${Object.keys(state.logs)}`);
    assert.ok(accuracy.at(-1)! > 0.9, `validation accuracy ${accuracy.at(-1)}`);
    const points = await page.evaluate(() =>
      (globalThis as unknown as { playground: { chartPoints: () => number[] } }).playground.chartPoints(),
    );
    assert.deepEqual(points, [40, 40], 'both charts hold a point per epoch');
    // The uPlot charts drew their series (a canvas each, with non-blank pixels).
    const charts = await page.$$eval('#charts canvas', (cs) =>
      (cs as HTMLCanvasElement[]).map((c) => {
        const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
        let coloured = 0;
        for (let i = 0; i < d.length; i += 4)
          if (d[i + 3] > 0 && !(d[i] > 240 && d[i + 1] > 240 && d[i + 2] > 240)) coloured++;
        return coloured;
      }),
    );
    assert.equal(charts.length, 2);
    for (const c of charts) assert.ok(c > 200, `a chart canvas has ${c} coloured pixels`);
    // The boundary shades both classes.
    const shades = await page.$eval('#boundary', (c) => {
      const d = (c as HTMLCanvasElement).getContext('2d')?.getImageData(0, 0, 360, 360).data ?? [];
      let blue = 0,
        orange = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 2] > d[i] + 40) blue++;
        if (d[i] > d[i + 2] + 40) orange++;
      }
      return { blue, orange };
    });
    assert.ok(shades.blue > 10_000 && shades.orange > 10_000, JSON.stringify(shades));
    assert.equal(await page.isHidden('#boundary-box'), false);

    const probe = [
      [0, 0.9],
      [1, -0.4],
      [0.5, 0.25],
    ];
    const inPage = await page.evaluate(
      (rows) =>
        (globalThis as unknown as { playground: { predict: (r: number[][]) => number[][] } }).playground.predict(rows),
      probe,
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.equal(download.suggestedFilename(), 'myelin-moons.safetensors');
    const file = join(work, download.suggestedFilename());
    await download.saveAs(file);
    const model = await loadModel(file);
    const back = (model.predict(tensor(probe)) as Tensor).arraySync() as number[][];
    for (let i = 0; i < probe.length; i++)
      for (let j = 0; j < 2; j++) assert.ok(Math.abs(back[i][j] - inPage[i][j]) < 1e-5, `${back[i]} vs ${inPage[i]}`);
    assert.ok(inPage[0][0] > 0.5 && inPage[1][1] > 0.5, 'the upper moon is class 0, the lower class 1');
    assert.deepEqual(errors, []);
  });
});
