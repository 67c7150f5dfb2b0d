// The compile-time name lists (src/training/names.ts) against the registries that resolve names
// at run time: every name a registry lists, and every class name, is in the type's list, and
// every name in a list resolves, so the compiler accepts exactly what `compile` accepts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../src/index.js';
import type { Registry } from '../../src/core/registry.js';
import { lossRegistry } from '../../src/losses/registry.js';
import { metricRegistry } from '../../src/metrics/metric.js';
import { optimizerRegistry } from '../../src/optimizers/registry.js';
import { LOSS_NAMES, METRIC_NAMES, OPTIMIZER_NAMES } from '../../src/training/names.js';
import { sequential, layers } from '../../src/index.js';

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function check(kind: string, registry: Registry<unknown>, list: readonly string[]): void {
  const listed = new Set(list);
  const entries = registry.classNames().map((c) => registry.resolve(c));
  for (const e of entries) {
    assert.ok(listed.has(e.className), `${kind} class name '${e.className}' is missing from the type list`);
    for (const n of [...e.names, ...e.aliases])
      assert.ok(listed.has(n), `${kind} name '${n}' (of ${e.className}) is missing from the type list`);
  }
  for (const n of list) {
    assert.ok(registry.lookup(n), `${kind} type list names '${n}', which the registry does not know`);
    assert.ok(registry.lookup(camel(n)), `the camelCase form '${camel(n)}' of '${n}' does not resolve`);
  }
  assert.equal(listed.size, list.length, `${kind} type list has duplicates`);
}

describe('compile name types', () => {
  it('list every optimizer the registry holds, and nothing else', () =>
    check('optimizer', optimizerRegistry as Registry<unknown>, OPTIMIZER_NAMES));
  it('list every loss the registry holds, and nothing else', () =>
    check('loss', lossRegistry as Registry<unknown>, LOSS_NAMES));
  it('list every metric the registry holds, and nothing else', () =>
    check('metric', metricRegistry as Registry<unknown>, METRIC_NAMES));
  it('accept the camelCase spellings at compile time and run time', () => {
    const m = sequential({ layers: [layers.dense({ units: 3, inputShape: [2] })] });
    m.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy', metrics: ['sparseCategoricalAccuracy'] });
    m.compile({ optimizer: 'Adam', loss: 'mean_squared_error', metrics: ['rootMeanSquaredError', 'auc'] });
    // @ts-expect-error a misspelt optimizer is a compile error
    assert.throws(() => m.compile({ optimizer: 'adma', loss: 'mse' }), /Did you mean 'adam'/);
  });
});
