import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs, UsageError } from './args.js';

/** The built page, beside the compiled library in the package (dist/playground/site). */
export const PLAYGROUND_DIR = fileURLToPath(new URL('../../playground/site/', import.meta.url));

export const PLAYGROUND_HELP = `Usage: myelin playground [--port N] [--host ADDRESS]

Serves the playground page: pick a dataset (Boston, iris, digits, two moons), a model and an
optimizer, train in the browser, watch the loss and metric curves and the decision boundary,
and download the trained model. The page is served cross-origin isolated (COOP/COEP headers),
so the wasm backend computes on every core.

Options:
  --port N          Port to listen on (default 8321; 0 picks a free one).
  --host ADDRESS    Address to listen on (default 127.0.0.1).`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
};

/**
 * Serves `dir` (the built playground) with the headers that make the page cross-origin
 * isolated; resolves with the server and its address once listening.
 * @example const { url } = await servePlayground({ port: 0 });
 */
export async function servePlayground(
  options: { port?: number; host?: string; dir?: string } = {},
): Promise<{ server: Server; url: string }> {
  const dir = options.dir ?? PLAYGROUND_DIR;
  if (!existsSync(join(dir, 'index.html')))
    throw new UsageError(`the playground is not built (no ${join(dir, 'index.html')}); run 'npm run playground'`);
  const server = createServer((req, res) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = path === '/' ? 'index.html' : path.slice(1);
    if (file.includes('..') || !Object.hasOwn(TYPES, extname(file))) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    try {
      const body = readFileSync(join(dir, file));
      res.setHeader('content-type', TYPES[extname(file)]);
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8321, host, resolve);
  });
  const { port } = server.address() as { port: number };
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/` };
}

/**
 * `myelin playground`: serves the page until interrupted; returns the exit status on a usage error.
 * @example await runPlaygroundCommand(['--port', '9000'], io);
 */
export async function runPlaygroundCommand(
  argv: readonly string[],
  io: { out: (l: string) => void; err: (l: string) => void },
): Promise<number> {
  try {
    const { values } = parseCommandArgs(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(PLAYGROUND_HELP);
      return 0;
    }
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536))
      throw new UsageError(`option --port expects a port number (0-65535), got '${values.port}'`);
    const { url } = await servePlayground({ port, host: values.host });
    io.out(`Myelin playground at ${url} (Ctrl-C to stop)`);
    return await new Promise<number>(() => {});
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`myelin playground: ${e.message}`);
    return 2;
  }
}
