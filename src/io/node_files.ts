import { requireNode } from '../core/platform.js';

/** What a browser program uses instead of the file functions. */
const IN_BROWSER = 'use saveToBuffers / loadFromBuffers (bytes in memory) or fetchModel(url)';

/**
 * Node's promise-based file system for `feature`; in a browser a NodeOnlyError naming it.
 * @example const fs = nodeFs('saveModel'); await fs.readFile(path);
 */
export function nodeFs(feature: string): typeof import('node:fs/promises') {
  return requireNode<typeof import('node:fs/promises')>('fs/promises', feature, IN_BROWSER);
}

/**
 * Node's path module for `feature` (file paths only exist where there are files).
 * @example const { join } = nodePath('saveModel');
 */
export function nodePath(feature: string): typeof import('node:path') {
  return requireNode<typeof import('node:path')>('path', feature, IN_BROWSER);
}
