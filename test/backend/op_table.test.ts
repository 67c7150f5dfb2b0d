// The op table of the backend contract, and the build outputs generated from it: the wasm
// kernels' opcode enums and the TypeScript interface of the module's exports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fusedKernelNames } from '../../src/backend/backend.js';
import {
  BINARY_CODES,
  BINARY_OPS,
  binaryOps,
  FIRST_BOOL_BINARY,
  REDUCE_CODES,
  reduceOps,
  UNARY_CODES,
  unaryOps,
} from '../../src/backend/op_table.js';
import { RefBackend } from '../../src/backends/ref/index.js';
import { BINARY, UNARY } from '../../src/backends/ref/elementwise.js';
import { compileWasm } from '../../src/backends/wasm/module.js';
import { KERNEL_NAMES } from '../../src/backends/wasm/kernel_exports.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('op table', () => {
  it('numbers each op by its position, with the bool-valued binary ops last', () => {
    assert.deepEqual(
      unaryOps.map((op) => UNARY_CODES[op]),
      unaryOps.map((_, i) => i),
    );
    assert.deepEqual(
      binaryOps.map((op) => BINARY_CODES[op]),
      binaryOps.map((_, i) => i),
    );
    assert.deepEqual(
      reduceOps.map((op) => REDUCE_CODES[op]),
      reduceOps.map((_, i) => i),
    );
    assert.equal(binaryOps[FIRST_BOOL_BINARY], 'equal');
    assert.deepEqual(
      binaryOps.map((op) => BINARY_OPS[op] === 'bool'),
      binaryOps.map((_, i) => i >= FIRST_BOOL_BINARY),
    );
  });

  it('the reference backend defines every op and every optional kernel', () => {
    assert.deepEqual(Object.keys(UNARY).sort(), [...unaryOps].sort());
    assert.deepEqual(Object.keys(BINARY).sort(), [...binaryOps].sort());
    const ref = new RefBackend();
    for (const k of fusedKernelNames) assert.equal(typeof ref[k], 'function', k);
  });

  it('the built wasm opcodes are the table (the build is current)', () => {
    const source = readFileSync(`${root}src/backends/wasm/assembly/opcodes.ts`, 'utf8');
    const enumOf = (name: string) =>
      [...(source.match(new RegExp(`enum ${name} \\{([^}]*)\\}`))?.[1] ?? '').matchAll(/(\w+) = (\d+),/g)].map(
        ([, op, code]) => [op, Number(code)],
      );
    assert.deepEqual(
      enumOf('Unary'),
      unaryOps.map((op, i) => [op, i]),
    );
    assert.deepEqual(
      enumOf('Binary'),
      binaryOps.map((op, i) => [op, i]),
    );
    assert.deepEqual(
      enumOf('Reduce'),
      reduceOps.map((op, i) => [op, i]),
    );
    assert.match(source, new RegExp(`FIRST_BOOL_BINARY: i32 = ${FIRST_BOOL_BINARY};`));
  });

  it("the generated kernel names are the compiled module's exported functions, in order", () => {
    for (const base of ['threads', 'single'] as const) {
      const { module } = compileWasm(base, false);
      const functions = WebAssembly.Module.exports(module)
        .filter((e) => e.kind === 'function')
        .map((e) => e.name);
      assert.deepEqual(functions, [...KERNEL_NAMES], base);
    }
  });
});
