// Runs in a child process whose environment points the `webgpu` package's Dawn at a Vulkan
// driver (the parent sets LD_LIBRARY_PATH and VK_ICD_FILENAMES before the process starts, as
// the loader reads them only then). Prints one JSON line of results.
import { RefBackend } from '../../src/backends/ref/index.js';
import { initWebGPU } from '../../src/backends/webgpu/register.js';
import { runConformance } from './cases.js';

const gpu = await initWebGPU();
const results = await runConformance(gpu, new RefBackend());
console.log(JSON.stringify({ adapter: gpu.adapter, results }));
process.exit(0);
