// Node-side helpers of the browser test: bundle the page code, serve it on 127.0.0.1, and find
// a Chromium that offers WebGPU through SwiftShader on a CPU-only machine.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.MYELIN_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that give headless Chromium a WebGPU adapter on the CPU and keep it off the network. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Bundles `entry` (compiled JS) for the browser; Node built-ins, used only by file I/O the page never calls, become empty modules. */
export async function bundle(entry: string): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'node-builtins-empty',
        setup(build) {
          build.onResolve(
            {
              filter: /^(node:|fs$|path$|os$|url$|worker_threads$|module$|crypto$|zlib$|stream$|util$|child_process$)/,
            },
            (args) => ({ path: args.path, namespace: 'empty' }),
          );
          build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({
            contents: 'module.exports = {};',
            loader: 'js',
          }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

/** Serves a page that loads `script` on 127.0.0.1; resolves with its address. */
export async function servePage(script: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/bundle.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(script);
      return;
    }
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><meta charset="utf-8"><script type="module" src="/bundle.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}/`, server };
}

/** Launches Chromium with a fresh profile; `close` also removes the profile. */
export async function launchChromium(): Promise<{ page: import('playwright-core').Page; close: () => Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'myelin-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const page = await context.newPage();
  return {
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM);
}
