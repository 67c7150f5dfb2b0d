// Compiles the wasm backend's kernels (src/backends/wasm/assembly) into the four builds it
// chooses from at run time: shared memory or not, and with or without relaxed SIMD's fused
// multiply-add. See src/backends/wasm/asconfig.json for the targets.
import asc from 'assemblyscript/asc';

const TARGETS = ['threads', 'single', 'threads-fma', 'single-fma'];

for (const target of TARGETS) {
  const { error, stderr } = await asc.main(['--config', 'src/backends/wasm/asconfig.json', '--target', target]);
  if (error) {
    console.error(`build-wasm: target ${target} failed: ${error.message}\n${stderr.toString()}`);
    process.exit(1);
  }
}
