// The tiers of src/ops hold: every op that records a gradient lives in src/ops/prims/, everything
// else is composed from those ops with no gradient code of its own, and no ops module imports
// another in a loop.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// dist/test/ops/tiers.test.js -> the repository root.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const src = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = sources(src).map((path) => ({ path, name: relative(src, path), text: readFileSync(path, 'utf8') }));
const inPrims = (name: string) => name.startsWith('ops/prims/');
const inAutograd = (name: string) => name.startsWith('autograd/');

/** The relative module specifiers a file imports or re-exports at run time (not `import type`). */
function runtimeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gms))
    if (!m[1]) out.push(m[2]);
  for (const m of text.matchAll(/^import\s+'(\.[^']+)'/gm)) out.push(m[1]);
  return out;
}

function resolveImport(from: string, spec: string): string {
  return relative(src, resolve(dirname(join(src, from)), spec.replace(/\.js$/, '.ts')));
}

describe('ops tiers', () => {
  it('finds the sources', () => {
    assert.ok(
      files.some((f) => f.name === 'ops/prims/binary.ts'),
      `no sources under ${src}`,
    );
  });

  it('only primitives (src/ops/prims/) and the tape itself record gradients', () => {
    const offenders = files
      .filter((f) => !inPrims(f.name) && !inAutograd(f.name) && /\brecord\(/.test(f.text))
      .map((f) => f.name);
    assert.deepEqual(offenders, [], 'files calling record() outside src/ops/prims/');
  });

  it('outside prims/, nothing takes more from the tape than noGrad', () => {
    const offenders: string[] = [];
    for (const f of files) {
      if (inPrims(f.name) || inAutograd(f.name)) continue;
      for (const m of f.text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
        if (resolveImport(f.name, m[2]) !== 'autograd/tape.ts') continue;
        const names = m[1]
          .split(',')
          .map((s) => s.trim().replace(/^type\s+/, ''))
          .filter(Boolean);
        for (const n of names) if (n !== 'noGrad') offenders.push(`${f.name}: ${n}`);
      }
    }
    assert.deepEqual(offenders, [], 'tape internals (record, BackwardFn, ...) imported outside prims/');
  });

  it('primitives import no composite', () => {
    // Shared plumbing that is neither: tensor conversion and constant factories, index and value
    // checks, window geometry.
    const plumbing = new Set([
      'ops/convert.ts',
      'ops/creation.ts',
      'ops/indices.ts',
      'ops/check.ts',
      'ops/conv_geometry.ts',
    ]);
    const offenders: string[] = [];
    for (const f of files.filter((x) => inPrims(x.name))) {
      for (const spec of runtimeImports(f.text)) {
        const target = resolveImport(f.name, spec);
        if (target.startsWith('ops/') && !inPrims(target) && !plumbing.has(target))
          offenders.push(`${f.name} -> ${target}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('no ops or autograd module imports another in a loop', () => {
    const graph = new Map<string, string[]>();
    for (const f of files.filter((x) => x.name.startsWith('ops/') || inAutograd(x.name)))
      graph.set(
        f.name,
        runtimeImports(f.text).map((s) => resolveImport(f.name, s)),
      );
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]): void => {
      if (state.get(node) === 'done' || !graph.has(node)) return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' -> '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node)!) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    assert.deepEqual(cycles, []);
  });
});
