import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, mock } from 'node:test';
import { layers, sequential, setSeed, ValueError } from '../../src/index.js';
import { atomicWriteFile, WriteError } from '../../src/io/atomic_write.js';
import { loadModel, saveModel } from '../../src/io/model_files.js';
import { saveToBuffers } from '../../src/io/native.js';
import { saveTfjsModel } from '../../src/io/tfjs_format.js';

const temporaries = (dir: string) => readdirSync(dir).filter((n) => n.includes('.tmp-'));

/** Makes every file write put down half its bytes and then fail as a full disk does. */
async function withFullDisk<T>(run: () => Promise<T>): Promise<T> {
  const probe = join(mkdtempSync(join(tmpdir(), 'myelin-probe-')), 'p');
  const handle = await open(probe, 'w');
  const proto = Object.getPrototypeOf(handle) as { writeFile: (data: Uint8Array) => Promise<void> };
  await handle.close();
  const original = proto.writeFile;
  const failing = mock.method(proto, 'writeFile', async function (this: unknown, data: Uint8Array) {
    await original.call(this, data.subarray(0, data.byteLength >> 1));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
  });
  try {
    return await run();
  } finally {
    failing.mock.restore();
  }
}

/** A process id that no process has now (a child that has exited). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid as number;
}

setSeed(5);
const model = sequential({ layers: [layers.dense({ units: 3, inputShape: [2] })] });

describe('a failed write', () => {
  it('removes its temporary file, names the target in a WriteError and leaves the old file whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myelin-write-'));
    const target = join(dir, 'weights.bin');
    writeFileSync(target, 'old contents');
    const error = await withFullDisk(() =>
      atomicWriteFile(target, new Uint8Array(10_000)).then(
        () => null,
        (e) => e,
      ),
    );
    assert.ok(error instanceof WriteError, `expected a WriteError, got ${error}`);
    assert.match(
      error.message,
      new RegExp(
        `Cannot write '${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' \\(10000 bytes\\): ENOSPC: no space left on device`,
      ),
    );
    assert.equal((error.cause as { code: string }).code, 'ENOSPC');
    assert.deepEqual(temporaries(dir), []);
    assert.equal(readFileSync(target, 'utf8'), 'old contents');
  });

  it('of a checkpoint leaves no temporary behind and the previous checkpoint loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myelin-ckpt-'));
    const path = join(dir, 'last.safetensors');
    await saveModel(model, path);
    await assert.rejects(
      withFullDisk(() => saveModel(model, path)),
      (e: Error) => e instanceof WriteError && e.message.includes(path),
    );
    assert.deepEqual(temporaries(dir), []);
    assert.equal((await loadModel(path)).countParams(), 9);
  });
});

describe('a successful write', () => {
  it('removes the stale temporaries of the same file, and only those', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myelin-stale-'));
    const dead = deadPid();
    const stale = [
      `.model.safetensors.tmp-${dead}-lq2x1-a1b2c3`, // a writer killed mid-write
      `.model.safetensors.tmp-${process.pid}-lq2x2-d4e5f6`, // an earlier failed write of this process
      `.model.json.tmp-${dead}-lq2x3-g7h8i9`,
    ];
    const kept = [
      `.other.bin.tmp-${dead}-lq2x4-j0k1l2`, // another file's
      `.model.safetensors.tmp-${process.ppid}-lq2x5-m3n4o5`, // a live process' (the test runner)
      'model.safetensors.tmp-notes.txt',
    ];
    for (const name of [...stale, ...kept]) writeFileSync(join(dir, name), 'partial');
    await saveModel(model, dir);
    assert.deepEqual(temporaries(dir).sort(), kept.sort());
    assert.equal((await loadModel(dir)).countParams(), 9);
  });
});

describe('what save refuses', () => {
  it('an empty path, which would write into the current directory', async () => {
    const before = readdirSync('.');
    await assert.rejects(
      model.save(''),
      (e: Error) => e instanceof ValueError && /saveModel: the path is empty \(""\); give a directory/.test(e.message),
    );
    await assert.rejects(saveModel(model, '  '), /saveModel: the path is empty/);
    await assert.rejects(saveTfjsModel(model, ''), /saveTfjsModel: the path is empty/);
    await assert.rejects(atomicWriteFile('', new Uint8Array(1)), /atomicWriteFile: the path is empty/);
    assert.deepEqual(readdirSync('.'), before);
  });

  it("a layer named '__optimizer__', whose weights would load back as optimizer state", () => {
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2], name: '__optimizer__' })] });
    m.compile({ optimizer: 'adam', loss: 'mse' });
    assert.throws(
      () => saveToBuffers(m),
      (e: Error) =>
        e instanceof ValueError &&
        /weight '__optimizer__\/kernel' belongs to a layer named '__optimizer__', a name saved files reserve for optimizer state.*rename the layer/.test(
          e.message,
        ),
    );
  });
});
