// ready() and backendInfo() in Node: the wasm backend is active from import, on every core.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendInfo, getBackend, ready, setBackend, withBackend } from '../../src/index.js';
import { availableCores } from '../../src/backends/wasm/index.js';

describe('ready and backendInfo', () => {
  it('resolve at once in Node with the backend in use, which backendInfo describes', async () => {
    const name = await ready();
    assert.equal(name, getBackend());
    const info = backendInfo();
    assert.equal(info.name, name);
    if (name === 'wasm') {
      const threads = process.env.MYELIN_THREADS ? Number(process.env.MYELIN_THREADS) : availableCores();
      assert.equal(info.threads, threads);
      assert.match(info.flavor ?? '', /^threads/);
      assert.equal(info.threadsUnavailable, undefined);
      assert.ok(info.readyThreads >= 1 && info.readyThreads <= info.threads);
    }
  });
  it('describe the reference backend as one thread, and keep a backend the program chose', async () => {
    assert.deepEqual(
      withBackend('ref', () => backendInfo()),
      { name: 'ref', threads: 1, readyThreads: 1 },
    );
    const before = getBackend();
    setBackend('ref');
    try {
      assert.equal(await ready(), 'ref');
    } finally {
      setBackend(before);
    }
  });
});
