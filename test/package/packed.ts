// Helpers of the packed-package tests: pack a clean copy of the repository the way `npm publish`
// would (the pack builds dist/ itself), install the tarball into a throw-away project, and serve
// a folder to a browser with or without the headers that make a page cross-origin isolated.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs a command, failing with its output when it exits non-zero. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'warn', npm_config_fund: 'false', npm_config_audit: 'false', ...env },
    maxBuffer: 64 * 2 ** 20,
  });
  if (result.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  return result;
}

/**
 * Packs a clean copy of the working tree: the files git tracks or would track (no dist/, no
 * node_modules/), with the repository's installed dependencies linked in for the build that
 * `npm pack` runs (prepack). Returns the tarball's path.
 */
export function packCleanCopy(): string {
  const work = mkdtempSync(join(tmpdir(), 'myelin-pack-'));
  const clone = join(work, 'clone');
  const files = run('git', ['ls-files', '-co', '--exclude-standard', '-z'], ROOT).stdout.split('\0').filter(Boolean);
  for (const file of files) {
    const from = join(ROOT, file);
    try {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      copyFileSync(from, join(clone, file));
    } catch (e) {
      // A file deleted in the working tree but still tracked is simply not part of the copy.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  const out = run('npm', ['pack', '--pack-destination', work], clone).stdout.trim().split('\n');
  return join(work, out[out.length - 1].trim());
}

/** A throw-away ES module project with the tarball installed; returns its folder. */
export function installTarball(tarball: string): string {
  const project = mkdtempSync(join(tmpdir(), 'myelin-consumer-'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2),
  );
  run('npm', ['install', '--prefer-offline', tarball], project);
  return project;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.csv': 'text/csv',
  '.json': 'application/json',
};

/**
 * Serves `mounts` (URL prefix -> folder) on 127.0.0.1; `isolated` adds COOP/COEP, which give
 * the page SharedArrayBuffer and so the wasm backend's worker threads.
 */
export async function serveFolders(
  mounts: Record<string, string>,
  isolated: boolean,
): Promise<{ url: string; server: Server }> {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = createServer((req, res) => {
    if (isolated) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    let path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.endsWith('/')) path += 'index.html';
    const prefix = prefixes.find((p) => path.startsWith(p));
    try {
      if (!prefix || path.includes('..')) throw new Error('outside');
      const body = readFileSync(join(mounts[prefix], path.slice(prefix.length)));
      res.setHeader('content-type', TYPES[extname(path)] ?? 'application/octet-stream');
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

/** Bytes under `dir`, as the files' sizes add up. */
export function folderBytes(dir: string): number {
  const out = run('du', ['-sb', dir], dir).stdout;
  return Number(out.split(/\s/)[0]);
}
