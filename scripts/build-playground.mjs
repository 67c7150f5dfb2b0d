#!/usr/bin/env node
// Builds the playground page (playground/) into dist/playground/site (or --out DIR): one bundle
// of the page, Myelin and uPlot, with the datasets embedded, plus the wasm backend's builds and
// worker beside it, where the bundle's `new URL(..., import.meta.url)` looks for them.
// Run after `npm run build` (the wasm files come from dist/src/backends/wasm).
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const at = process.argv.indexOf('--out');
const out = at > 0 ? process.argv[at + 1] : 'dist/playground/site';
const wasm = 'dist/src/backends/wasm';
if (!existsSync(join(wasm, 'worker.js'))) {
  console.error(`build-playground: ${wasm} is missing; run npm run build first`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: { app: 'playground/main.ts' },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  loader: { '.csv': 'text', '.gz': 'binary' },
  logLevel: 'warning',
  // The page imports Myelin's sources for their types; the bundle takes the compiled library,
  // which holds the generated modules (the fused step's embedded wasm) the sources lack.
  plugins: [
    {
      name: 'compiled-myelin',
      setup(build) {
        build.onResolve({ filter: /\/src\/browser\.js$/ }, () => ({ path: resolve('dist/src/browser.js') }));
      },
    },
  ],
});
copyFileSync('playground/index.html', join(out, 'index.html'));
for (const f of readdirSync(wasm).filter((f) => f.endsWith('.wasm') || f === 'worker.js'))
  copyFileSync(join(wasm, f), join(out, f));
console.log(`build-playground: wrote ${out}`);
