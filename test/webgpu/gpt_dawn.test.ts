// models.gpt trains on WebGPU in Node (Dawn on SwiftShader) with the reference backend's losses,
// step by step. As in node_dawn.test.ts, the Vulkan loader reads its paths at process start, so
// it runs in a child.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const driverDir = process.env.MYELIN_VULKAN_DIR ?? '/usr/lib/chromium';
const icd = `${driverDir}/vk_swiftshader_icd.json`;
const skip = existsSync(icd) ? false : `no SwiftShader Vulkan driver at ${icd}: run scripts/ensure-chromium.sh`;

it('a GPT trains on WebGPU (Dawn) with the reference backend losses', { skip, timeout: 300_000 }, () => {
  const child = fileURLToPath(new URL('./gpt_child.js', import.meta.url));
  const out = execFileSync(process.execPath, [child], {
    env: { ...process.env, LD_LIBRARY_PATH: driverDir, VK_ICD_FILENAMES: icd },
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const report = JSON.parse(out.trim().split('\n').pop() as string) as {
    adapter: string;
    ref: number[];
    webgpu: number[];
  };
  assert.match(report.adapter, /swiftshader/i);
  assert.equal(report.webgpu.length, 5);
  report.webgpu.forEach((v, i) =>
    assert.ok(
      Math.abs(v - report.ref[i]) <= 1e-3 * Math.abs(report.ref[i]),
      `step ${i}: webgpu ${v} vs ref ${report.ref[i]}`,
    ),
  );
  assert.ok(report.webgpu[4] < report.webgpu[0], `the loss falls: ${report.webgpu.join(', ')}`);
});
