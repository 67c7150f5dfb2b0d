// The conformance suite (test/backends/conformance/) against every build of the wasm backend:
// the relaxed-SIMD FMA and plain builds, each threaded (two threads, big kernels split between
// them) and single-threaded (the build hosts without SharedArrayBuffer run). The reference
// backend computes each case once for all four.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RefBackend } from '../../src/backends/ref/index.js';
import { WasmBackend, type WasmBackendOptions } from '../../src/backends/wasm/index.js';
import type { WasmFlavor } from '../../src/backends/wasm/module.js';
import { assertSection } from './conformance/assert_section.js';
import { runSection, SECTION_NAMES, type Target, WASM } from './conformance/suite.js';

const fma = process.env.MYELIN_WASM_FMA !== '0';
const BUILDS: { options: WasmBackendOptions; flavor: WasmFlavor }[] = [
  { options: { threads: 2 }, flavor: fma ? 'threads-fma' : 'threads' },
  { options: { threads: 2, fusedMultiplyAdd: false }, flavor: 'threads' },
  { options: { sharedMemory: false }, flavor: fma ? 'single-fma' : 'single' },
  { options: { sharedMemory: false, fusedMultiplyAdd: false }, flavor: 'single' },
];

const ref = new RefBackend();
const backends = BUILDS.map((b) => new WasmBackend(b.options));
const targets: Target[] = backends.map((backend) => ({
  name: `wasm ${backend.flavor} x${backend.threads}`,
  backend,
}));

before(async () => {
  // Workers start in the background; wait so the big cases really run on two threads.
  for (const be of backends) be.startWorkers();
  // Up to a minute of 10 ms waits: a busy machine can take seconds to start a worker thread.
  for (let i = 0; i < 6000 && backends.some((be) => be.readyThreads < be.threads); i++)
    await new Promise((r) => setTimeout(r, 10));
});
after(() => Promise.all(backends.map((be) => be.shutdown())));

describe('conformance: every wasm build against the reference backend', () => {
  it('runs each build, the threaded ones on two threads', () => {
    assert.deepEqual(
      backends.map((be) => [be.flavor, be.threads, be.readyThreads]),
      BUILDS.map((b) => [b.flavor, b.flavor.startsWith('threads') ? 2 : 1, b.flavor.startsWith('threads') ? 2 : 1]),
    );
  });

  for (const section of SECTION_NAMES)
    it(section, async (t) => assertSection(t, await runSection(section, ref, targets, WASM), section));
});
