// The thread pool's wake-up rule, in a real worker thread: a notify that brings no new job (one
// that arrives late, after the worker already took the job it announced) must not count as a
// new job. Taking it as one ran a fixed-split job twice, and the second decrement of the pending
// count left the main thread waiting forever (seen on a busy machine, mid-training).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { HEADER, SEQ } from '../../src/backends/wasm/protocol.js';

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.protocol).then(({ awaitNextJob }) => {
  const ctl = new Int32Array(workerData.ctl);
  let seen = Atomics.load(ctl, ${SEQ});
  parentPort.postMessage({ started: seen });
  for (;;) {
    seen = awaitNextJob(ctl, seen);
    parentPort.postMessage({ job: seen });
  }
});
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a worker woken without a new job sleeps again, and takes the next job once', async () => {
  const ctl = new Int32Array(new SharedArrayBuffer(HEADER * 4));
  Atomics.store(ctl, SEQ, 5);
  const protocol = new URL('../../src/backends/wasm/protocol.js', import.meta.url).href;
  const worker = new Worker(WORKER, { eval: true, workerData: { ctl: ctl.buffer, protocol } });
  const messages: { started?: number; job?: number }[] = [];
  worker.on('message', (m) => messages.push(m));
  try {
    for (let i = 0; i < 500 && messages.length === 0; i++) await sleep(10);
    assert.deepEqual(messages, [{ started: 5 }]);
    await sleep(30); // past the polling, asleep in Atomics.wait
    // Late notifies of job 5, which the worker had already seen.
    Atomics.notify(ctl, SEQ);
    await sleep(30);
    Atomics.notify(ctl, SEQ);
    await sleep(30);
    assert.deepEqual(messages, [{ started: 5 }], 'a wake-up without a new job was taken as one');
    Atomics.store(ctl, SEQ, 6);
    Atomics.notify(ctl, SEQ);
    for (let i = 0; i < 500 && messages.length < 2; i++) await sleep(10);
    await sleep(30);
    Atomics.notify(ctl, SEQ); // and the late notify of job 6
    await sleep(30);
    assert.deepEqual(messages, [{ started: 5 }, { job: 6 }]);
  } finally {
    await worker.terminate();
  }
});
