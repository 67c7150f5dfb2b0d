// Node-only features reach Node's built-ins at run time and, where there are none (a browser
// page, or a Node without process.getBuiltinModule), throw a NodeOnlyError naming the feature.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datasets, loadCsv, NodeOnlyError } from '../../src/index.js';
import { isNode, nodeBuiltin, requireNode } from '../../src/core/platform.js';

/** Runs `fn` as if this process had no Node built-ins. */
function withoutBuiltins<T>(fn: () => T): T {
  const p = process as { getBuiltinModule?: unknown };
  const saved = p.getBuiltinModule;
  p.getBuiltinModule = undefined;
  try {
    return fn();
  } finally {
    p.getBuiltinModule = saved;
  }
}

describe('Node built-ins', () => {
  it('are reached through process.getBuiltinModule in Node', () => {
    assert.equal(isNode(), true);
    assert.equal(typeof nodeBuiltin<typeof import('node:fs')>('fs')?.readFileSync, 'function');
  });

  it('give a NodeOnlyError naming the feature and the alternative where they are missing', () => {
    assert.throws(
      () => withoutBuiltins(() => loadCsv('houses.csv')),
      (e: Error) =>
        e instanceof NodeOnlyError &&
        e.name === 'NodeOnlyError' &&
        /^loadCsv\(path\) needs Node\.js: this Node \(\d+\.\d+\.\d+\) has no process\.getBuiltinModule; Myelin needs Node 20\.16 or later\. In a browser, fetch the file's text and call parseCsv/.test(
          e.message,
        ),
    );
    assert.throws(
      () => withoutBuiltins(() => datasets.digits.load()),
      /^NodeOnlyError: datasets\.digits\.load\(\) needs Node/,
    );
    assert.throws(() => withoutBuiltins(() => requireNode('fs', 'thing')), /^NodeOnlyError: thing needs Node\.js/);
  });
});
