#!/usr/bin/env node
// Makes the wasm backend's worker script self-contained: tsc emits dist/src/backends/wasm/worker.js
// importing its sibling modules; this bundles them into it, in place. Node's worker_threads run it
// as before, bundlers that follow `new Worker(new URL('./worker.js', import.meta.url))` get one
// file, and an application that copies the file beside its own bundle needs nothing else.
import * as esbuild from 'esbuild';

const WORKER = 'dist/src/backends/wasm/worker.js';
await esbuild.build({
  entryPoints: [WORKER],
  outfile: WORKER,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'warning',
});
