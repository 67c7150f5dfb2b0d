// The wasm backend in headless Chromium on a cross-origin isolated page: the threaded build
// runs on a pool of module Web Workers (the page's main thread polls instead of sleeping), and
// its products and split element-wise kernels match the reference backend. The page loads the
// compiled modules straight from dist/, as an application serving the package would.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumInstalled, CHROMIUM, launchChromium } from '../webgpu/browser/harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const skip = chromiumInstalled()
  ? false
  : `no Chromium at ${CHROMIUM}: run scripts/ensure-chromium.sh (or set MYELIN_CHROMIUM)`;

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { RefBackend } from '/dist/src/backends/ref/index.js';
import { WasmBackend } from '/dist/src/backends/wasm/index.js';
import { initWasmBackend } from '/dist/src/backends/wasm/register.js';
globalThis.runWasmThreads = async () => {
  await initWasmBackend();
  const be = new WasmBackend({ threads: 2 }), ref = new RefBackend();
  be.startWorkers();
  for (let i = 0; i < 500 && be.readyThreads < 2; i++) await new Promise((r) => setTimeout(r, 10));
  let seed = 7;
  const rand = (n) => Float32Array.from({ length: n }, () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 * 2 - 1; });
  const pair = (shape, v) => [ref, be].map((b) => ({ handle: b.upload(v, 'float32'), shape, dtype: 'float32' }));
  const worst = (name, f, shape) => {
    const want = ref.read({ handle: f(ref, 0), shape, dtype: 'float32' }), got = be.read({ handle: f(be, 1), shape, dtype: 'float32' });
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(want[i] - got[i]) / (1 + Math.abs(want[i])));
    return { name, err };
  };
  const checks = [];
  const [m, n, k] = [300, 257, 131];
  for (const tA of [false, true]) for (const tB of [false, true]) {
    const a = pair(tA ? [k, m] : [m, k], rand(m * k)), b = pair(tB ? [n, k] : [k, n], rand(k * n));
    checks.push(worst('matmul tA=' + tA + ' tB=' + tB, (x, i) => x.matmul(a[i], b[i], tA, tB, [m, n]), [m, n]));
  }
  const big = 1 << 21;
  const x = pair([big], rand(big)), y = pair([big], rand(big));
  checks.push(worst('add of 2M elements', (b, i) => b.binary('add', x[i], y[i], [big], 'float32'), [big]));
  checks.push(worst('tanh of 2M elements', (b, i) => b.unary('tanh', x[i]), [big]));
  return { isolated: globalThis.crossOriginIsolated, flavor: be.flavor, ready: be.readyThreads, checks };
};
</script>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves the page and dist/ with the headers that make a page cross-origin isolated. */
async function serve(): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path === '/') {
      res.setHeader('content-type', 'text/html');
      res.end(PAGE);
      return;
    }
    if (!path.startsWith('/dist/')) {
      res.statusCode = 404;
      res.end();
      return;
    }
    try {
      const body = await readFile(join(root, path));
      res.setHeader('content-type', TYPES[extname(path)] ?? 'application/octet-stream');
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

interface Report {
  isolated: boolean;
  flavor: string;
  ready: number;
  checks: { name: string; err: number }[];
}

describe('wasm backend in a cross-origin isolated browser page', { skip, timeout: 120_000 }, () => {
  let report: Report;
  let closeAll = async () => {};
  before(async () => {
    const { url, server } = await serve();
    const browser = await launchChromium();
    closeAll = async () => {
      await browser.close();
      server.close();
    };
    const errors: string[] = [];
    browser.page.on('pageerror', (e) => errors.push(e.message));
    await browser.page.goto(url);
    await browser.page
      .waitForFunction(() => 'runWasmThreads' in globalThis, null, { timeout: 30_000 })
      .catch(() => {
        throw new Error(`the test page did not load: ${errors.join('; ') || 'no error reported'}`);
      });
    report = await browser.page.evaluate(() =>
      (globalThis as unknown as { runWasmThreads: () => Promise<Report> }).runWasmThreads(),
    );
  });
  after(() => closeAll());

  it('loads the threaded build and starts a Web Worker', () => {
    assert.equal(report.isolated, true);
    assert.match(report.flavor, /^threads/, `flavor ${report.flavor}`);
    assert.equal(report.ready, 2, 'the worker is running');
  });

  it('products and split element-wise kernels match the reference backend', () => {
    assert.equal(report.checks.length, 6);
    for (const c of report.checks) assert.ok(c.err < 1e-5, `${c.name}: relative error ${c.err}`);
  });
});
