// The backend conformance suite (test/backends/conformance/) and two trainings in Node through
// the optional `webgpu` package (Dawn), on Chromium's SwiftShader Vulkan driver. The Vulkan
// loader reads its paths only at process start, so everything runs in a child process that
// reports one JSON line; each section of the suite is one test here.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { assertSection } from '../backends/conformance/assert_section.js';
import { type CaseResult, SECTION_NAMES } from '../backends/conformance/suite.js';

const driverDir = process.env.MYELIN_VULKAN_DIR ?? '/usr/lib/chromium';
const icd = `${driverDir}/vk_swiftshader_icd.json`;
const skip = existsSync(icd) ? false : `no SwiftShader Vulkan driver at ${icd}: run scripts/ensure-chromium.sh`;

interface Report {
  adapter: string;
  results: CaseResult[];
  fit: Record<'ref' | 'webgpu', Record<string, number[]>>;
  sequences: Record<string, Record<'ref' | 'webgpu', number[]>>;
}

describe('webgpu backend in Node (Dawn on SwiftShader)', { skip }, () => {
  let report: Report;
  before(
    async () => {
      const child = fileURLToPath(new URL('./node_child.js', import.meta.url));
      const { stdout } = await promisify(execFile)(process.execPath, [child], {
        env: { ...process.env, LD_LIBRARY_PATH: driverDir, VK_ICD_FILENAMES: icd },
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      report = JSON.parse(stdout.trim().split('\n').pop()!) as Report;
    },
    // A hang guard, not a speed bar: SwiftShader emulates the GPU on the CPU, so a busy machine
    // stretches this child's run (about 35 s of CPU) to minutes.
    { timeout: 600_000 },
  );

  it('runs on the SwiftShader adapter', () => {
    assert.match(report.adapter, /swiftshader/i);
  });

  for (const section of SECTION_NAMES) it(`conformance: ${section}`, (t) => assertSection(t, report.results, section));

  it('model.fit (losses read asynchronously, metrics on CPU copies) matches the CPU run', () => {
    for (const key of ['loss', 'mae', 'val_loss', 'val_mae']) {
      const cpu = report.fit.ref[key],
        gpu = report.fit.webgpu[key];
      assert.equal(gpu?.length, 3, `${key} per epoch on webgpu`);
      gpu.forEach((v, i) =>
        assert.ok(Math.abs(v - cpu[i]) <= 1e-3 * Math.abs(cpu[i]), `${key}[${i}]: webgpu ${v} vs ref ${cpu[i]}`),
      );
    }
    assert.ok(report.fit.webgpu.loss[2] < report.fit.webgpu.loss[0], 'the loss falls');
  });

  it('recurrent layers train on the GPU too (masked embedding ids, stacked step gradients)', () => {
    for (const cell of ['lstm', 'gru', 'simpleRNN']) {
      const { ref, webgpu } = report.sequences[cell];
      assert.equal(webgpu.length, 3, `${cell}: a loss per epoch`);
      webgpu.forEach((v, i) =>
        assert.ok(Math.abs(v - ref[i]) <= 1e-4 * Math.abs(ref[i]), `${cell} loss[${i}]: webgpu ${v} vs ref ${ref[i]}`),
      );
      assert.ok(webgpu[2] < webgpu[0], `${cell}: the loss falls`);
    }
  });
});
