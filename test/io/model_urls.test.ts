// model.save and loadLayersModel with TF.js' URL schemes in Node: file:// writes TF.js' files
// (which TF.js loads), http(s):// loads with fetch and saves with a multipart POST, handlers
// work both ways with TF.js' own, and an unknown scheme is an error naming the valid ones.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  io,
  layers,
  loadLayersModel,
  loadModel,
  sequential,
  tensor,
  type LayersModel,
  type ModelArtifacts,
  type Tensor,
} from '../../src/index.js';

await tf.setBackend('cpu');

const x = tensor([
  [1, 2],
  [3, -4],
]);
const build = () =>
  sequential({
    layers: [layers.dense({ units: 3, inputShape: [2], activation: 'relu' }), layers.dense({ units: 1 })],
  });
const out = (m: LayersModel) => Array.from((m.predict(x) as Tensor).dataSync());

let root: string;
let server: Server;
let base: string;
const posted: { contentType: string; body: string }[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'myelin-urls-'));
  server = createServer(async (req: IncomingMessage, res) => {
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      posted.push({ contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('latin1') });
      res.end('{}');
      return;
    }
    try {
      res.end(await readFile(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

describe('file://', () => {
  it("writes TF.js' files, which TF.js and loadLayersModel load", async () => {
    const model = build();
    const result = await model.save(`file://${root}/tfjs`);
    assert.equal(result.modelArtifactsInfo.weightDataBytes, (2 * 3 + 3 + 3 + 1) * 4);
    assert.deepEqual((await readdir(join(root, 'tfjs'))).sort(), ['model.json', 'weights.bin']);
    const loaded = await loadLayersModel(`file://${root}/tfjs/model.json`);
    assert.deepEqual(out(loaded), out(model));
    const json = JSON.parse(await readFile(join(root, 'tfjs/model.json'), 'utf8'));
    const bin = await readFile(join(root, 'tfjs/weights.bin'));
    const theirs = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    const want = (theirs.predict(tf.tensor(x.arraySync() as number[][])) as tf.Tensor).dataSync();
    out(model).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6));
  });
  it("a model TF.js' format cannot hold is saved natively, with a warning, and still loads", async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const model = sequential({ layers: [layers.gru({ units: 2, inputShape: [3, 2] })] });
    await model.save(`file://${root}/gru`);
    assert.match(String(warn.mock.calls[0].arguments[0]), /saved in Myelin's native format.*resetAfter/);
    const seqX = tensor(
      Array.from({ length: 12 }, (_, i) => i / 10),
      [2, 3, 2],
    );
    const loaded = await loadLayersModel(`file://${root}/gru/model.json`);
    assert.deepEqual((loaded.predict(seqX) as Tensor).arraySync(), (model.predict(seqX) as Tensor).arraySync());
  });
  it('plain paths keep the native format; loadModel and loadLayersModel read it, with or without file://', async () => {
    const model = build();
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await model.save(join(root, 'native'));
    assert.deepEqual((await readdir(join(root, 'native'))).sort(), ['model.json', 'model.safetensors']);
    for (const m of [
      await loadModel(`file://${root}/native`),
      await loadLayersModel(`file://${root}/native/model.json`),
      await loadLayersModel(join(root, 'native')),
    ])
      assert.deepEqual(out(m), out(model));
  });
});

describe('http(s)://', () => {
  it('loadLayersModel fetches model.json and its weight files (TF.js and native formats)', async () => {
    const model = build();
    await model.save(`file://${root}/served`);
    assert.deepEqual(out(await loadLayersModel(`${base}/served/model.json`)), out(model));
    assert.deepEqual(out(await loadLayersModel(io.http(`${base}/served/model.json`))), out(model));
    await model.save(join(root, 'served-native'));
    assert.deepEqual(out(await loadLayersModel(`${base}/served-native/model.json`)), out(model));
    assert.deepEqual(out(await loadModel(`${base}/served-native`)), out(model));
    await assert.rejects(loadLayersModel(`${base}/nothing/model.json`), /answered 404/);
  });
  it('save POSTs model.json and model.weights.bin as TF.js does', async () => {
    posted.length = 0;
    const model = build();
    await model.save(`${base}/upload`);
    assert.equal(posted.length, 1);
    assert.match(posted[0].contentType, /^multipart\/form-data; boundary=/);
    assert.match(posted[0].body, /name="model.json"; filename="model.json"/);
    assert.match(posted[0].body, /name="model.weights.bin"; filename="model.weights.bin"/);
    assert.match(posted[0].body, /"paths":\["\.\/model\.weights\.bin"\]/);
  });
  it('maxBytes bounds what is fetched', async () => {
    await build().save(`file://${root}/big`);
    await assert.rejects(loadLayersModel(`${base}/big/model.json`, { maxBytes: 100 }), /maxBytes/);
  });
});

describe('save and load handlers', () => {
  it('withSaveHandler and fromMemory round trip, and interoperate with TF.js handlers', async () => {
    const model = build();
    let saved: ModelArtifacts | undefined;
    await model.save(
      io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    assert.deepEqual(out(await loadLayersModel(io.fromMemory(saved as ModelArtifacts))), out(model));
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const want = (theirs.predict(tf.tensor(x.arraySync() as number[][])) as tf.Tensor).dataSync();
    out(model).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6));
    // And back: a model TF.js saves through its handler loads in Myelin.
    let fromTfjs: tf.io.ModelArtifacts | undefined;
    await theirs.save(
      tf.io.withSaveHandler(async (a) => {
        fromTfjs = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    assert.deepEqual(out(await loadLayersModel(io.fromMemory(fromTfjs as ModelArtifacts))), out(model));
  });
});

describe('schemes', () => {
  it('an unknown scheme is an error naming the valid ones', async () => {
    await assert.rejects(
      build().save('s3://bucket/model'),
      /save: unknown URL scheme 's3:\/\/' in 's3:\/\/bucket\/model'; expected one of 'file:\/\/', 'http:\/\/', 'https:\/\/', 'indexeddb:\/\/', 'localstorage:\/\/', 'downloads:\/\/'/,
    );
    await assert.rejects(loadLayersModel('gs://bucket/model.json'), /loadLayersModel: unknown URL scheme 'gs:\/\/'/);
    await assert.rejects(loadLayersModel('downloads://m'), /'downloads:\/\/' only saves/);
  });
  it('browser schemes in Node say what to use instead', async () => {
    await assert.rejects(build().save('indexeddb://m'), /indexeddb:\/\/ needs a browser's indexedDB.*'file:\/\/path'/);
    await assert.rejects(build().save('localstorage://m'), /localstorage:\/\/ needs a browser's localStorage/);
  });
});
