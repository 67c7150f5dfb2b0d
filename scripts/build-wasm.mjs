// Compiles the WebAssembly kernels: the wasm backend's (src/backends/wasm/assembly) into the four
// builds it chooses from at run time (shared memory or not, with or without relaxed SIMD's fused
// multiply-add; targets in src/backends/wasm/asconfig.json), and the fused training step's small
// module (src/training/fused/assembly), which is embedded in a JavaScript module so it loads
// wherever the library's JavaScript does, with no file to fetch.
import asc from 'assemblyscript/asc';
import fs from 'node:fs';

const TARGETS = ['threads', 'single', 'threads-fma', 'single-fma'];

async function compile(args, what) {
  const { error, stderr } = await asc.main(args);
  if (error) {
    console.error(`build-wasm: ${what} failed: ${error.message}\n${stderr.toString()}`);
    process.exit(1);
  }
}

for (const target of TARGETS) {
  await compile(['--config', 'src/backends/wasm/asconfig.json', '--target', target], `target ${target}`);
}

const denseWasm = 'dist/src/training/fused/dense_kernels.wasm';
fs.mkdirSync('dist/src/training/fused', { recursive: true });
await compile(
  [
    'src/training/fused/assembly/dense.ts',
    '--outFile',
    denseWasm,
    '-O3',
    '--runtime',
    'stub',
    '--noAssert',
    '--use',
    'abort=',
  ],
  'fused dense kernels',
);
const base64 = fs.readFileSync(denseWasm).toString('base64');
fs.rmSync(denseWasm);
fs.writeFileSync(
  'dist/src/training/fused/dense_kernels_wasm.js',
  `// Built by scripts/build-wasm.mjs from src/training/fused/assembly/dense.ts.\nexport const DENSE_KERNELS_WASM = '${base64}';\n`,
);
