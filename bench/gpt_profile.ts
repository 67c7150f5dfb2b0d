// node dist/bench/gpt_profile.js [--steps N] [--backend wasm] [--threads N] [--kernels] [--generate]
// The baby GPT (4 pre-norm decoder blocks, 4 heads, embedding 128, context 64, batch 12,
// vocabulary 65, AdamW, no dropout) built from the public layers: prints training tokens/s,
// optionally the time spent in each backend kernel (--kernels) and cached generation tokens/s
// at context 64 and 256 (--generate). Its PyTorch twin is bench/torch_gpt.py (`train|gen64|gen256 --threads N`), W6's.
import { backend, setBackend } from '../src/backend/registry.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const STEPS = Number(flag('--steps', '30'));
const WARMUP = Number(flag('--warmup', '5'));
const BATCH = 12,
  CONTEXT = Number(flag('--context', '64')),
  VOCAB = 65,
  DIM = 128,
  HEADS = 4,
  LAYERS = 4;

type My = typeof import('../src/index.js');

/**
 * The baby GPT as a functional model: token + position embedding, blocks, final norm, logits.
 * @example const model = babyGpt(await import('../src/index.js'), 64);
 */
export function babyGpt(my: My, context: number) {
  const ids = my.input({ shape: [context], dtype: 'int32' });
  let h = my.layers
    .tokenAndPositionEmbedding({ vocabularySize: VOCAB, sequenceLength: context, embeddingDim: DIM })
    .apply(ids) as import('../src/index.js').SymbolicTensor;
  for (let i = 0; i < LAYERS; i++)
    h = my.layers
      .transformerDecoder({ intermediateDim: 4 * DIM, numHeads: HEADS, normalizeFirst: true, activation: 'gelu' })
      .apply(h) as import('../src/index.js').SymbolicTensor;
  h = my.layers.layerNormalization({ epsilon: 1e-5 }).apply(h) as import('../src/index.js').SymbolicTensor;
  const logits = my.layers.dense({ units: VOCAB }).apply(h) as import('../src/index.js').SymbolicTensor;
  return my.model({ inputs: ids, outputs: logits });
}

/** Wraps every kernel of the active backend with a timer; returns the table of totals. */
function timeKernels(): Map<string, { ms: number; wallMs: number; calls: number }> {
  const be = backend() as unknown as Record<string, unknown>;
  const totals = new Map<string, { ms: number; wallMs: number; calls: number }>();
  const proto = Object.getPrototypeOf(be) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const f = be[name];
    if (typeof f !== 'function' || name === 'constructor' || name.startsWith('#')) continue;
    if (['view', 'read', 'readAsync', 'dispose', 'upload', 'setThreads', 'startWorkers', 'shutdown'].includes(name))
      continue;
    be[name] = function (this: unknown, ...a: unknown[]) {
      // Processor time, not wall time: on a busy machine the wait for a core would dominate.
      const t = process.cpuUsage(),
        w = performance.now();
      const r = (f as (...x: unknown[]) => unknown).apply(be, a);
      const wall = performance.now() - w;
      const used = process.cpuUsage(t);
      const shapes = (xs: unknown[]) =>
        xs
          .filter((x) => typeof x === 'object' && x !== null && 'shape' in x)
          .map((x) => `[${(x as { shape: number[] }).shape}]`)
          .join('');
      const key =
        name === 'unary' || name === 'binary' || name === 'reduce'
          ? `${name}:${String(a[0])}${args.includes('--shapes') ? shapes(a) : ''}`
          : name === 'matmul'
            ? `matmul${shapes(a)}${a[2] ? 'T' : ''}${a[3] ? 'T' : ''}`
            : name === 'transpose'
              ? `transpose${shapes(a)}`
              : name;
      const e = totals.get(key) ?? { ms: 0, wallMs: 0, calls: 0 };
      e.ms += (used.user + used.system) / 1000;
      e.wallMs += wall;
      e.calls++;
      totals.set(key, e);
      return r;
    };
  }
  return totals;
}

async function main(): Promise<void> {
  const my = await import('../src/index.js');
  setBackend(flag('--backend', 'wasm'));
  const threads = Number(flag('--threads', '0'));
  if (threads > 0) my.setThreadCount?.(threads);
  const be = backend() as { startWorkers?: () => void; readyThreads?: number; threads?: number };
  be.startWorkers?.();
  for (let i = 0; i < 300 && be.readyThreads !== undefined && be.readyThreads < (be.threads ?? 1); i++)
    await new Promise((r) => setTimeout(r, 10));

  const model = babyGpt(my, CONTEXT);
  model.compile({
    optimizer: my.optimizers.adamw({ learningRate: 1e-3, beta2: 0.99, weightDecay: 0.1, globalClipNorm: 1 }),
    loss: new my.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  let seed = 1;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const batch = () => {
    const x = Int32Array.from({ length: BATCH * CONTEXT }, () => Math.floor(rand() * VOCAB));
    const y = Int32Array.from({ length: BATCH * CONTEXT }, () => Math.floor(rand() * VOCAB));
    return [my.tensor(x, [BATCH, CONTEXT], 'int32'), my.tensor(y, [BATCH, CONTEXT], 'int32')] as const;
  };
  const data = Array.from({ length: 8 }, batch);
  let loss = 0;
  // Timers go in before the warm-up: the replayed step holds the kernels it recorded.
  const kernels = args.includes('--kernels') ? timeKernels() : null;
  for (let i = 0; i < WARMUP; i++) loss = (await model.trainOnBatch(data[i % 8][0], data[i % 8][1])) as number;
  kernels?.clear();
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    loss = (await model.trainOnBatch(data[i % 8][0], data[i % 8][1])) as number;
    const used = process.cpuUsage(c);
    times.push(performance.now() - t);
    cpus.push((used.user + used.system) / 1000);
  }
  cpus.sort((a, b) => a - b);
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  const total = times.reduce((a, b) => a + b, 0);
  const out: Record<string, unknown> = {
    who: 'myelin',
    backend: backend().name,
    flavor: (backend() as { flavor?: string }).flavor,
    threads: (backend() as { threads?: number }).threads,
    context: CONTEXT,
    stepMs: +med.toFixed(2),
    // Processor time of the step (every thread): what a busy machine's waiting does not inflate.
    cpuMs: +cpus[Math.floor(cpus.length / 2)].toFixed(2),
    cpuTokensPerSec: Math.round((BATCH * CONTEXT) / (cpus[Math.floor(cpus.length / 2)] / 1000)),
    tokensPerSec: Math.round((BATCH * CONTEXT) / (med / 1000)),
    meanTokensPerSec: Math.round((BATCH * CONTEXT * STEPS) / (total / 1000)),
    loss: +loss.toFixed(4),
    tensors: my.memory().numTensors,
  };
  if (kernels) {
    const rows = [...kernels].sort((a, b) => b[1].ms - a[1].ms);
    const kernelTotal = rows.reduce((s, [, v]) => s + v.ms, 0);
    const kernelWall = rows.reduce((s, [, v]) => s + v.wallMs, 0);
    console.error(
      `kernels: ${(kernelTotal / STEPS).toFixed(2)} ms of processor time (${(kernelWall / STEPS).toFixed(2)} ms wall), of ${(cpus.reduce((a, b) => a + b, 0) / STEPS).toFixed(2)} ms a step (${(total / STEPS).toFixed(2)} ms wall)`,
    );
    for (const [k, v] of rows.slice(0, Number(flag('--top', '30'))))
      console.error(
        `  ${k.padEnd(40)} ${(v.ms / STEPS).toFixed(3).padStart(8)} ms  ${(v.wallMs / STEPS).toFixed(3).padStart(8)} ms wall  ${String(v.calls / STEPS).padStart(6)} calls`,
      );
  }
  if (args.includes('--generate')) out.generate = await generation(my, model);
  console.log(JSON.stringify(out));
  await (backend() as { shutdown?: () => Promise<void> }).shutdown?.();
}

/** Greedy decoding with the blocks' key/value caches (decodeStep): new tokens a second at context 64 and 256. */
async function generation(my: My, _trained: unknown): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const context of [64, 256]) {
    const model = babyGpt(my, context);
    const layers = model.layers as unknown as { className?: string; constructor: { name: string } }[];
    const embed = layers.find((l) => l.constructor.name === 'TokenAndPositionEmbedding') as unknown as {
      apply(x: unknown, kw?: unknown): unknown;
    };
    // One token a step on head-major key/value caches, as generate's cached path runs them.
    const blocks = layers.filter((l) => l.constructor.name === 'TransformerDecoder') as unknown as {
      decodeStep(x: unknown, cache: unknown): { output: unknown; cache: unknown };
    }[];
    const rest = layers.filter((l) => ['LayerNormalization', 'Dense'].includes(l.constructor.name)) as unknown as {
      apply(x: unknown): unknown;
    }[];
    const run = () => {
      let token = 1;
      let caches: unknown[] = blocks.map(() => null);
      for (let pos = 0; pos < context; pos++) {
        my.tidy(() => {
          const ids = my.tensor([[token]], [1, 1], 'int32');
          let h = embed.apply(ids, { startIndex: pos });
          caches = caches.map((c, i) => {
            const r = blocks[i].decodeStep(h, c);
            h = r.output;
            const { key, value } = r.cache as { key: import('../src/index.js').Tensor; value: typeof key };
            my.keep(key);
            my.keep(value);
            if (c) my.dispose([(c as { key: typeof key }).key, (c as { value: typeof key }).value]);
            return r.cache;
          });
          for (const l of rest) h = l.apply(h);
          token = (my.argMax(h as never, -1) as import('../src/index.js').Tensor).dataSync()[0];
        });
      }
    };
    run();
    run();
    const t = performance.now(),
      c = process.cpuUsage();
    run();
    const used = process.cpuUsage(c);
    result[`cachedTokensPerSec${context}`] = Math.round(context / ((performance.now() - t) / 1000));
    result[`cpuCachedTokensPerSec${context}`] = Math.round(context / ((used.user + used.system) / 1e6));
  }
  return result;
}

await main();
