/**
 * Node's built-in modules, reached without an import statement: `process.getBuiltinModule`
 * hands them over synchronously in Node (20.16 and later), and nothing in the library names a
 * `node:` module where a bundler would see it. So one set of files runs in Node and bundles for
 * browsers, and the features that need Node (reading and writing files) say so when called in
 * a browser instead of breaking the bundle.
 */
import { MyelinError } from './errors.js';

/** A feature that needs Node.js was called where there is none (a browser page, a worker). */
export class NodeOnlyError extends MyelinError {
  // Written out: bundlers that minify rename classes, and the name is part of the message.
  override name = 'NodeOnlyError';
}

interface NodeProcess {
  getBuiltinModule?: (name: string) => unknown;
  versions?: { node?: string };
}

function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

/**
 * The built-in module `name` ('fs', 'worker_threads', ...) when running in Node, else undefined.
 * @example const os = nodeBuiltin<typeof import('node:os')>('os'); os?.availableParallelism();
 */
export function nodeBuiltin<T>(name: string): T | undefined {
  return nodeProcess()?.getBuiltinModule?.(name) as T | undefined;
}

/** True in Node (where the built-in modules are reachable). */
export function isNode(): boolean {
  return nodeBuiltin('fs') !== undefined;
}

/**
 * The built-in module `name` for `feature`, which needs Node: elsewhere it throws a
 * NodeOnlyError naming the feature and what to use instead.
 * @example const fs = requireNode<typeof import('node:fs')>('fs', 'loadCsv(path)', 'fetch the text and call parseCsv');
 */
export function requireNode<T>(name: string, feature: string, instead?: string): T {
  const mod = nodeBuiltin<T>(name);
  if (mod !== undefined) return mod;
  const node = nodeProcess()?.versions?.node;
  const why = node
    ? `this Node (${node}) has no process.getBuiltinModule; Myelin needs Node 20.16 or later`
    : 'it reads or writes files through Node.js, which this page or worker does not have';
  throw new NodeOnlyError(`${feature} needs Node.js: ${why}${instead ? `. In a browser, ${instead}` : ''}`);
}
