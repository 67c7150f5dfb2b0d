// TF.js programs select backends by TF.js' names; the CPU ones map to Myelin's CPU backend.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getBackend, setBackend, tensor } from '../../src/index.js';

describe("TF.js' backend names", () => {
  it("'cpu' and 'tensorflow' select Myelin's CPU backend; 'webgl' says what to use", () => {
    const before = getBackend();
    try {
      for (const name of ['cpu', 'tensorflow']) {
        setBackend(name);
        assert.ok(['wasm', 'ref'].includes(getBackend()), getBackend());
        assert.deepEqual(tensor([1, 2]).add(1).arraySync(), [2, 3]);
      }
      assert.throws(
        () => setBackend('webgl'),
        /TF.js' WebGL backend has no Myelin counterpart: use 'webgpu', or 'wasm'/,
      );
    } finally {
      setBackend(before);
    }
  });
});
