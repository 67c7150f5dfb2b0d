import { ValueError } from '../core/errors.js';
import { requireNode } from '../core/platform.js';

/**
 * The path of a file in the package's `data/` folder. This module runs from
 * `dist/src/data/` when built and from `src/data/` under a TypeScript runner, so the package
 * root is found by walking up to the folder that holds both `package.json` and the file.
 */
export function shippedDataPath(relative: string): string {
  const feature = `datasets (data/${relative.split('/')[0]})`;
  const instead = "fetch the file's text and call parseCsv; see docs/getting-started.md";
  const { existsSync } = requireNode<typeof import('node:fs')>('fs', feature, instead);
  const { fileURLToPath } = requireNode<typeof import('node:url')>('url', feature, instead);
  let dir = new URL('.', import.meta.url);
  for (let up = 0; up < 5; up++) {
    const candidate = new URL(`data/${relative}`, dir);
    if (existsSync(new URL('package.json', dir)) && existsSync(candidate)) return fileURLToPath(candidate);
    dir = new URL('..', dir);
  }
  throw new ValueError(
    `datasets: the shipped file data/${relative} was not found above ${fileURLToPath(new URL('.', import.meta.url))}; the package installation is incomplete`,
  );
}
