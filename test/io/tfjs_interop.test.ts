import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { layers, sequential, setSeed, tensor, type LayersModel, type Tensor } from '../../src/index.js';
import { FileFormatError } from '../../src/io/format_error.js';
import { fromTfjsFiles, toTfjsFiles, type TfjsModelJson } from '../../src/io/tfjs_format.js';
import { dequantize } from '../../src/io/tfjs_weights.js';
import { assertClose } from '../helpers/gradcheck.js';

await tf.setBackend('cpu');

type Spec = tf.io.WeightsManifestEntry;

/** Loads Myelin's TF.js files in TF.js 4.22, as `tf.loadLayersModel` reads them from disk. */
function loadInTfjs(files: { modelJson: TfjsModelJson; shards: Record<string, Uint8Array> }): Promise<tf.LayersModel> {
  const parsed = JSON.parse(JSON.stringify(files.modelJson));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: parsed.modelTopology,
      weightSpecs: parsed.weightsManifest[0].weights,
      weightData: files.shards['weights.bin'].slice().buffer,
    }),
  );
}

/** A TF.js model's files as TF.js writes them: topology, weight specs and one buffer. */
async function tfjsArtifacts(m: tf.LayersModel): Promise<{ topology: object; specs: Spec[]; data: Uint8Array }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved as tf.io.ModelArtifacts;
  return {
    topology: JSON.parse(JSON.stringify(a.modelTopology)),
    specs: a.weightSpecs as Spec[],
    data: new Uint8Array(a.weightData as ArrayBuffer),
  };
}

/** The weights of `specs` in `data`, one Uint8Array each. */
function split(specs: Spec[], data: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let at = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1) * 4;
    out.set(s.name, data.slice(at, at + n));
    at += n;
  }
  return out;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const X = [
  [0.1, -0.4, 0.7, 1.2],
  [-1, 0.5, 0.25, -0.3],
];

describe('TF.js files Myelin writes load in TF.js 4.22', () => {
  it('Bidirectional and TimeDistributed weights carry the wrapper name TF.js matches by; GRU without resetAfter; the 0.2 hard sigmoid', async () => {
    setSeed(3);
    const m = sequential({
      layers: [
        layers.bidirectional({
          layer: layers.lstm({ units: 3, recurrentActivation: 'hard_sigmoid_tfjs', returnSequences: true }),
          inputShape: [4, 2],
        }),
        layers.timeDistributed({ layer: layers.dense({ units: 2, activation: 'tanh' }) }),
        layers.gru({ units: 2, resetAfter: false, recurrentActivation: 'hard_sigmoid_tfjs' }),
        layers.dense({ units: 1, activation: 'hard_sigmoid_tfjs' }),
      ],
    });
    const x = tensor(
      Array.from({ length: 2 * 4 * 2 }, (_, i) => Math.sin(i) * 3),
      [2, 4, 2],
    );
    const expected = (m.predict(x) as Tensor).dataSync();
    const files = toTfjsFiles(m);
    const names = files.modelJson.weightsManifest[0].weights.map((w) => w.name);
    assert.ok(
      names.some((n) => /^bidirectional\w*\/forward_lstm\w*\/kernel$/.test(n)),
      names.join(', '),
    );
    assert.ok(
      names.some((n) => /^time_distributed\w*\/kernel$/.test(n)),
      names.join(', '),
    );
    const loaded = await loadInTfjs(files);
    assertClose((loaded.predict(tf.tensor(x.arraySync() as number[][][])) as tf.Tensor).dataSync(), expected, 1e-5);
    // And back into Myelin: the same numbers, and each hard sigmoid keeps its definition.
    const back = fromTfjsFiles(JSON.parse(JSON.stringify(files.modelJson)), files.shards);
    assertClose((back.predict(x) as Tensor).dataSync(), expected, 0);
    assert.equal((back.layers[3] as unknown as { activation: { name: string } }).activation.name, 'hard_sigmoid_tfjs');
  });

  it("a Keras 3 L2 (and L1) regularizer is written as TF.js' L1L2", async () => {
    const m = sequential({
      layers: [
        layers.dense({ units: 3, inputShape: [4], kernelRegularizer: { className: 'L2', config: { l2: 0.01 } } }),
        layers.dense({ units: 1, biasRegularizer: { className: 'L1', config: { l1: 0.02 } } }),
      ],
    });
    const files = toTfjsFiles(m);
    const loaded = await loadInTfjs(files);
    const c0 = loaded.layers[0].getConfig() as {
      kernelRegularizer: { className: string; config: Record<string, number> };
    };
    assert.equal(c0.kernelRegularizer.className, 'L1L2');
    assert.equal(c0.kernelRegularizer.config.l2, 0.01);
    const c1 = loaded.layers[1].getConfig() as { biasRegularizer: { config: Record<string, number> } };
    assert.equal(c1.biasRegularizer.config.l1, 0.02);
    assertClose(
      (loaded.predict(tf.tensor2d(X)) as tf.Tensor).dataSync(),
      (m.predict(tensor(X)) as Tensor).dataSync(),
      1e-6,
    );
  });

  it('what TF.js cannot represent is refused, naming the layer', () => {
    const refuse = (m: LayersModel, pattern: RegExp) =>
      assert.throws(
        () => toTfjsFiles(m),
        (e: unknown) => e instanceof FileFormatError && pattern.test((e as Error).message),
      );
    refuse(
      sequential({ layers: [layers.gru({ units: 2, inputShape: [3, 2], name: 'g' })] }),
      /layer 'g' \(GRU\) has resetAfter: true, which TF.js' GRU cannot represent; build it with resetAfter: false/,
    );
    refuse(
      sequential({
        layers: [layers.lstm({ units: 2, recurrentActivation: 'hard_sigmoid', inputShape: [3, 2], name: 'l' })],
      }),
      /layer 'l' \(LSTM\): recurrentActivation 'hard_sigmoid' is Keras 3's relu6\(x \+ 3\) \/ 6, which TF.js does not have.*'hard_sigmoid_tfjs'/,
    );
    refuse(
      sequential({ layers: [layers.dense({ units: 2, activation: 'leaky_relu', inputShape: [3], name: 'd' })] }),
      /layer 'd' \(Dense\): TF.js has no activation 'leaky_relu'/,
    );
  });
});

describe('TF.js files with wrappers load in Myelin', () => {
  it('Bidirectional and TimeDistributed saved by TF.js 4.22, and the same weights under converter-style names', async () => {
    const ref = tf.sequential({
      layers: [
        tf.layers.bidirectional({
          layer: tf.layers.lstm({ units: 3, returnSequences: true }) as tf.RNN,
          inputShape: [4, 2],
        }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }),
        tf.layers.gru({ units: 2, goBackwards: true }),
      ],
    });
    const x = Array.from({ length: 2 }, (_, n) =>
      Array.from({ length: 4 }, (_, t) => [Math.sin(n + t), Math.cos(n * t)]),
    );
    const want = (ref.predict(tf.tensor(x)) as tf.Tensor).dataSync();
    const { topology, specs, data } = await tfjsArtifacts(ref);
    const json = (weights: Spec[]) =>
      JSON.stringify({
        format: 'layers-model',
        modelTopology: topology,
        weightsManifest: [{ paths: ['w.bin'], weights }],
      });
    assertClose((fromTfjsFiles(json(specs), { 'w.bin': data }).predict(tensor(x)) as Tensor).dataSync(), want, 1e-6);
    // tensorflowjs_converter names a tf.keras model's weights after its variables: the cell
    // scope inside each direction, ':0' suffixes, and lists them alphabetically.
    const bytes = split(specs, data);
    const converted = specs
      .map((s) => ({
        ...s,
        name: s.name.replace(/\/(forward|backward)_(\w+)\//, (_m, d, n) => `/${d}_${n}/lstm_cell/`) + ':0',
      }))
      .map((s, i) => ({ spec: s, bytes: bytes.get(specs[i].name) as Uint8Array }))
      .sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1));
    const mine = fromTfjsFiles(json(converted.map((c) => c.spec)), {
      'w.bin': concatBytes(converted.map((c) => c.bytes)),
    });
    assertClose((mine.predict(tensor(x)) as Tensor).dataSync(), want, 1e-6);
  });
});

describe('TF.js converter output', () => {
  /** An Embedding, then eleven Dense layers: 'dense_10' sorts before 'dense_2', and all before 'embedding'. */
  function manyLayers(): tf.LayersModel {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 3, name: 'embedding' }));
    m.add(tf.layers.flatten({ name: 'flatten' }));
    for (let i = 1; i <= 11; i++) m.add(tf.layers.dense({ units: 4, activation: 'tanh', name: `dense_${i}` }));
    return m;
  }
  const ids = [
    [1, 2, 3],
    [9, 0, 4],
  ];

  it('weights listed alphabetically (as tensorflowjs_converter writes them) are matched to layers by name', async () => {
    const ref = manyLayers();
    const { topology, specs, data } = await tfjsArtifacts(ref);
    const bytes = split(specs, data);
    const sorted = [...specs].sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.notDeepEqual(
      sorted.map((s) => s.name),
      specs.map((s) => s.name),
    );
    const shard = concatBytes(sorted.map((s) => bytes.get(s.name) as Uint8Array));
    const modelJson = {
      format: 'layers-model',
      modelTopology: topology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: sorted }],
    };
    const mine = fromTfjsFiles(JSON.stringify(modelJson), { 'group1-shard1of1.bin': shard });
    const reference = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: topology, weightSpecs: sorted, weightData: shard.slice().buffer }),
    );
    const want = (reference.predict(tf.tensor2d(ids)) as tf.Tensor).dataSync();
    assertClose((mine.predict(tensor(ids)) as Tensor).dataSync(), want, 1e-6);
  });

  it('names that do not fit the model are reported together, not assigned by position', async () => {
    const { topology, specs, data } = await tfjsArtifacts(manyLayers());
    const renamed = specs.map((s) => (s.name === 'dense_3/bias' ? { ...s, name: 'dense_99/bias' } : s));
    const modelJson = {
      format: 'layers-model',
      modelTopology: topology,
      weightsManifest: [{ paths: ['w.bin'], weights: renamed }],
    };
    assert.throws(
      () => fromTfjsFiles(JSON.stringify(modelJson), { 'w.bin': data }),
      /do not match model .* by name: no weight for 'dense_3\/bias' \[4\] of layer 'dense_3' \(Dense\); unexpected weights dense_99\/bias/,
    );
  });

  /** Round to the nearest IEEE half-precision value's bits (normal range, as weights are). */
  function toHalf(v: number): number {
    if (v === 0) return 0;
    const sign = v < 0 ? 0x8000 : 0;
    const a = Math.abs(v);
    let e = Math.floor(Math.log2(a));
    if (e < -14) return sign | Math.round(a / 2 ** -24);
    let m = Math.round((a / 2 ** e - 1) * 1024);
    if (m === 1024) {
      m = 0;
      e += 1;
    }
    return sign | ((e + 15) << 10) | m;
  }

  /** The converter's quantization: affine uint8/uint16 codes per weight, or float16. */
  function quantize(
    values: Float32Array,
    dtype: 'uint8' | 'uint16' | 'float16',
  ): { bytes: Uint8Array; q: Spec['quantization'] } {
    if (dtype === 'float16') {
      const out = new Uint16Array(values.length);
      values.forEach((v, i) => {
        out[i] = toHalf(v);
      });
      return { bytes: new Uint8Array(out.buffer), q: { dtype } };
    }
    const levels = dtype === 'uint8' ? 255 : 65535;
    let min = Math.min(...values),
      max = Math.max(...values);
    if (min === max) max = min + 1;
    const scale = (max - min) / levels;
    const codes = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
    values.forEach((v, i) => {
      codes[i] = Math.round((v - min) / scale);
    });
    min = Math.fround(min);
    return { bytes: new Uint8Array(codes.buffer), q: { dtype, scale, min } };
  }

  for (const dtype of ['uint8', 'uint16', 'float16'] as const)
    it(`${dtype}-quantized weights are dequantised as TF.js 4.22 does`, async () => {
      const ref = manyLayers();
      const { topology, specs, data } = await tfjsArtifacts(ref);
      const bytes = split(specs, data);
      const parts = specs.map((s) => {
        const raw = bytes.get(s.name) as Uint8Array;
        return { spec: s, ...quantize(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), dtype) };
      });
      const quantized = parts.map((p) => ({ ...p.spec, quantization: p.q }));
      const shard = concatBytes(parts.map((p) => p.bytes));
      const modelJson = {
        format: 'layers-model',
        modelTopology: topology,
        weightsManifest: [{ paths: ['q.bin'], weights: quantized }],
      };
      const mine = fromTfjsFiles(JSON.stringify(modelJson), { 'q.bin': shard });
      // TF.js' own decoder gives the reference values, and its model the reference predictions.
      const decoded = tf.io.decodeWeights(shard.slice().buffer, quantized);
      for (const v of mine.weights) {
        const name = v.name;
        assert.deepEqual([...v.dataSync()], [...(decoded[name] as tf.Tensor).dataSync()], name);
      }
      const reference = await tf.loadLayersModel(
        tf.io.fromMemory({ modelTopology: topology, weightSpecs: quantized, weightData: shard.slice().buffer }),
      );
      const want = (reference.predict(tf.tensor2d(ids)) as tf.Tensor).dataSync();
      assertClose((mine.predict(tensor(ids)) as Tensor).dataSync(), want, 1e-6);
    });

  it('a quantization entry without scale and min, or of an unknown dtype, is refused', () => {
    const json = (q: unknown) =>
      JSON.stringify({
        format: 'layers-model',
        modelTopology: { class_name: 'Sequential', config: { layers: [] } },
        weightsManifest: [
          { paths: ['w.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float32', quantization: q }] },
        ],
      });
    assert.throws(
      () => fromTfjsFiles(json({ dtype: 'uint8' }), { 'w.bin': new Uint8Array(2) }),
      /uint8 quantization needs a finite 'scale' and 'min'/,
    );
    assert.throws(
      () => fromTfjsFiles(json({ dtype: 'int4' }), { 'w.bin': new Uint8Array(2) }),
      /unsupported quantization/,
    );
  });

  it('an int32 weight whose quantized codes decode past the int32 range is refused, not wrapped', () => {
    const json = (scale: number) =>
      JSON.stringify({
        format: 'layers-model',
        modelTopology: { class_name: 'Sequential', config: { layers: [] } },
        weightsManifest: [
          {
            paths: ['w.bin'],
            weights: [{ name: 'ids', shape: [2], dtype: 'int32', quantization: { dtype: 'uint16', scale, min: 0 } }],
          },
        ],
      });
    const codes = new Uint8Array(new Uint16Array([1, 60000]).buffer);
    assert.throws(
      () => fromTfjsFiles(json(5e4), { 'w.bin': codes }),
      /model\.json: weight 'ids': the uint16-quantized int32 value at 1 decodes to 3000000000, outside the int32 range/,
    );
    // In range, the codes decode (rounded) as TF.js decodes them.
    assert.deepEqual([...dequantize(codes, { dtype: 'uint16', scale: 1.5, min: 0 }, 'int32')], [2, 90000]);
  });
});
