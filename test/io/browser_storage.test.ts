// Browser save schemes in headless Chromium: indexeddb://, localstorage:// and downloads://
// save and load (TF.js' storage layout, so TF.js in the same page loads Myelin's models and
// Myelin loads TF.js'), listModels/removeModel, a relative URL fetched, and the downloaded files
// loading back in Node. Skips, saying why, only where no Chromium is installed.
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { bundle, chromiumInstalled, CHROMIUM, launchChromium } from '../webgpu/browser/harness.js';
import { layers, loadLayersModel, sequential, tensor, type Tensor } from '../../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const skip = chromiumInstalled()
  ? false
  : `no Chromium at ${CHROMIUM}: run scripts/ensure-chromium.sh (or set MYELIN_CHROMIUM)`;

type Report = Record<string, unknown> & { want: number[] };
let report: Report;
const downloads: Record<string, string> = {};
let closeAll = async () => {};

const close = (a: unknown, b: unknown, what: string) => {
  const x = a as number[];
  const y = b as number[];
  assert.equal(x.length, y.length, what);
  x.forEach((v, i) => assert.ok(Math.abs(v - y[i]) < 1e-5, `${what}[${i}]: ${v} vs ${y[i]}`));
};

describe('browser save schemes in headless Chromium', { skip, timeout: 180_000 }, () => {
  before(async () => {
    const script = await bundle(`${root}dist/test/io/browser/storage_page.js`);
    // A model served to the page, loaded there by a relative URL.
    const served = await mkdtemp(join(tmpdir(), 'myelin-served-'));
    const model = sequential({ layers: [layers.dense({ units: 2, inputShape: [2] })] });
    await model.save(`file://${served}`);
    const servedWant = Array.from(
      (
        model.predict(
          tensor([
            [1, 2],
            [3, -4],
          ]),
        ) as Tensor
      ).dataSync(),
    );
    const server: Server = createServer(async (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/bundle.js') {
        res.setHeader('content-type', 'text/javascript');
        res.end(script);
      } else if (path.startsWith('/served/')) {
        res.end(await readFile(join(served, path.slice('/served/'.length))));
      } else {
        res.setHeader('content-type', 'text/html');
        res.end(
          `<!doctype html><meta charset="utf-8"><script>globalThis.servedWant = ${JSON.stringify(servedWant)};</script><script type="module" src="/bundle.js"></script>`,
        );
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const browser = await launchChromium();
    closeAll = async () => {
      await browser.close();
      server.close();
    };
    const saveDir = await mkdtemp(join(tmpdir(), 'myelin-downloads-'));
    const saving: Promise<void>[] = [];
    browser.page.on('download', (d) => {
      const target = join(saveDir, d.suggestedFilename());
      downloads[d.suggestedFilename()] = target;
      saving.push(d.saveAs(target));
    });
    const errors: string[] = [];
    browser.page.on('pageerror', (e) => errors.push(e.message));
    await browser.page.goto(url);
    await browser.page
      .waitForFunction(() => 'runStorage' in globalThis, null, { timeout: 60_000 })
      .catch(() => {
        throw new Error(`the test page did not load: ${errors.join('; ') || 'no error reported'}`);
      });
    report = (await browser.page.evaluate(() =>
      (globalThis as unknown as { runStorage: () => Promise<Report> }).runStorage(),
    )) as Report;
    for (let i = 0; i < 100 && saving.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    await Promise.all(saving);
  });
  after(() => closeAll());

  it('indexeddb:// and localstorage:// save and load', () => {
    assert.equal(report.savedBytes, (2 * 3 + 3 + 3 + 1) * 4);
    close(report.indexeddb, report.want, 'indexeddb');
    close(report.localstorage, report.want, 'localstorage');
  });
  it("TF.js loads Myelin's stored models, and Myelin loads TF.js'", () => {
    close(report.tfjsFromIndexeddb, report.want, 'TF.js from indexeddb');
    close(report.tfjsFromLocalstorage, report.want, 'TF.js from localstorage');
    close(report.fromTfjsIndexeddb, report.tfjsWant, 'Myelin from TF.js indexeddb');
    close(report.fromTfjsLocalstorage, report.tfjsWant, 'Myelin from TF.js localstorage');
  });
  it('listModels and removeModel, seen the same way by TF.js', () => {
    assert.deepEqual(report.listed, [
      'indexeddb://myelin-model',
      'indexeddb://tfjs-model',
      'localstorage://myelin-model',
      'localstorage://tfjs-model',
    ]);
    assert.deepEqual(report.listedAfter, ['indexeddb://myelin-model', 'localstorage://tfjs-model']);
    assert.deepEqual(report.tfjsListedAfter, report.listedAfter);
  });
  it('clear errors: a missing model, an unknown scheme', () => {
    assert.match(String(report.missing), /no model named 'no-such-model' in IndexedDB/);
    assert.match(String(report.unknown), /unknown URL scheme 'memory:\/\/'/);
  });
  it('a relative URL is fetched', () => {
    close(report.fetched, report.servedWant, 'fetched');
  });
  it('downloads:// offers name.json and name.weights.bin, which load back in Node', async () => {
    assert.deepEqual(Object.keys(downloads).sort(), ['myelin-download.json', 'myelin-download.weights.bin']);
    const loaded = await loadLayersModel(`file://${downloads['myelin-download.json']}`);
    close(
      Array.from(
        (
          loaded.predict(
            tensor([
              [1, 2],
              [3, -4],
            ]),
          ) as Tensor
        ).dataSync(),
      ),
      report.want,
      'downloaded',
    );
  });
});
