/**
 * One harness for every layer (Keras' `run_layer_test`): each registered layer class, built from
 * each of its sample arguments (layer_samples.ts), is run on random inputs and checked for
 * output shape against computeOutputShape, config round trip, save and load (Myelin's format;
 * TF.js' format, loaded in TF.js 4.22, where TF.js has the class; ONNX, run in ONNX Runtime,
 * where exported), float64 gradients, and mask propagation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../src/core/config.js';
import { getFloatX, setFloatX } from '../../src/core/dtype.js';
import type { Tensor } from '../../src/core/tensor.js';
import { model as functionalModel, loadFromBuffers, saveToBuffers, setSeed, tensor } from '../../src/index.js';
import { FileFormatError } from '../../src/io/format_error.js';
import { onnxSupportedLayers } from '../../src/io/onnx_export.js';
import { toTfjsFiles } from '../../src/io/tfjs_format.js';
import {
  deserializeLayer,
  input,
  isShapeList,
  layerRegistry,
  serializeLayer,
  type Layer,
  type Shape,
  type StringData,
  type SymbolicTensor,
} from '../../src/layers/index.js';
import '../../src/models/index.js';
import { checkAgainstOrt } from '../helpers/onnx_runtime.js';
import {
  assertSameOutputs,
  checkSampledGradients,
  checkTfjsRoundTrip,
  inputShapes,
  inputVariable,
  isSingle,
  predictList,
  sampleInputs,
  tfjsKnows,
} from './harness_checks.js';
import { LAYER_SAMPLES, NOT_LAYERS, type LayerSample } from './layer_samples.js';

await tf.setBackend('cpu');

const build = (className: string, args: Config): Layer =>
  deserializeLayer({ className, config: structuredClone(args) });

const list = (y: Tensor | Tensor[]): Tensor[] => (Array.isArray(y) ? y : [y]);
const shapeList = (s: Shape | Shape[]): Shape[] => (isShapeList(s) ? s : [s]);

function callOn(layer: Layer, sample: LayerSample, xs: Tensor[], extra: Config = {}): Tensor[] {
  return list(layer.apply(isSingle(sample) ? xs[0] : xs, { ...(sample.call ?? {}), ...extra }) as Tensor | Tensor[]);
}

/** A functional model around a fresh layer built from the sample. */
function modelOf(className: string, sample: LayerSample) {
  const ins = inputShapes(sample).map((s) =>
    input({ shape: s.slice(1), dtype: sample.ints !== undefined ? 'int32' : undefined }),
  );
  const layer = build(className, sample.args);
  const outs = layer.apply(isSingle(sample) ? ins[0] : ins, sample.call ?? {}) as SymbolicTensor | SymbolicTensor[];
  return functionalModel({ inputs: ins, outputs: outs });
}

function checkShapes(layer: Layer, sample: LayerSample, outs: Tensor[]): void {
  const shapes = inputShapes(sample);
  const concrete = shapeList(layer.computeOutputShape(isSingle(sample) ? shapes[0] : shapes, sample.call ?? {}));
  assert.deepEqual(
    outs.map((o) => [...o.shape]),
    concrete,
    'output shapes vs computeOutputShape',
  );
  const unknownBatch = shapes.map((s) => [null, ...s.slice(1)]);
  const symbolic = shapeList(
    layer.computeOutputShape(isSingle(sample) ? unknownBatch[0] : unknownBatch, sample.call ?? {}),
  );
  assert.deepEqual(
    symbolic,
    concrete.map((s) => [null, ...s.slice(1)]),
    'computeOutputShape with an unknown batch',
  );
}

function checkConfigRoundTrip(className: string, layer: Layer, sample: LayerSample, xs: Tensor[], outs: Tensor[]) {
  // Every sample option is one the layer's factory accepts (factories refuse unknown ones).
  const accepted = layer.acceptedOptions();
  assert.deepEqual(
    Object.keys(sample.args).filter((k) => !accepted.includes(k)),
    [],
    'options the factory would refuse',
  );
  const serialized = JSON.parse(JSON.stringify(serializeLayer(layer)));
  assert.equal(serialized.className, className);
  const copy = deserializeLayer(serialized);
  assert.deepEqual(JSON.parse(JSON.stringify(serializeLayer(copy))), serialized, 'getConfig after fromConfig');
  callOn(copy, sample, xs);
  copy.setWeights(layer.getWeights());
  assertSameOutputs(callOn(copy, sample, xs), outs, 0, 'rebuilt from its config');
}

function checkMask(layer: Layer, sample: LayerSample, xs: Tensor[], outs: Tensor[]): void {
  const [batch, time] = xs[0].shape;
  const maskOf = (x: Tensor, full: boolean) =>
    tensor(
      Array.from({ length: batch * x.shape[1] }, (_, i) => full || i !== x.shape[1] - 1),
      [batch, x.shape[1]],
      'bool',
    );
  const masks = xs.map((x) => maskOf(x, false));
  const full = xs.map((x) => maskOf(x, true));
  const one = (ms: Tensor[]) => (isSingle(sample) ? ms[0] : ms);
  // A mask that keeps every step changes nothing.
  assertSameOutputs(callOn(layer, sample, xs, { mask: one(full) }), outs, 1e-6, 'called with an all-true mask');
  callOn(layer, sample, xs, { mask: one(masks) });
  const got = layer.computeMask(isSingle(sample) ? xs[0] : xs, one(masks));
  const first = Array.isArray(got) ? got[0] : got;
  const expected = sample.mask ?? (layer.supportsMasking ? 'same' : 'none');
  if (expected === 'none') assert.equal(first ?? null, null, 'the output has no mask');
  else {
    assert.ok(first, `the output carries a mask (${expected})`);
    if (expected === 'same') assert.deepEqual(first.arraySync(), masks[0].arraySync(), 'the input mask passes on');
    else assert.deepEqual([...first.shape], [batch, time], 'its own mask is [batch, time]');
  }
}

function checkGradients(className: string, sample: LayerSample, seed: number): void {
  const saved = getFloatX();
  setFloatX('float64');
  try {
    const xs = sampleInputs(sample, 'float64', seed);
    const layer = build(className, sample.args);
    callOn(layer, sample, xs);
    const floats = sample.ints === undefined;
    const vars = floats ? xs.map((x, k) => inputVariable(x, k)) : [];
    const args = floats ? vars : xs;
    const params = [...vars, ...layer.trainableWeights];
    assert.ok(params.length > 0, 'something to differentiate');
    checkSampledGradients(() => callOn(layer, sample, args as Tensor[]), params, { rtol: sample.gradTol ?? 1e-5 });
  } finally {
    setFloatX(saved);
  }
}

/** Nested arrays of strings of the sample's shape, drawn from its tokens by the seed. */
function stringInputs(sample: LayerSample, seed: number): Tensor[] {
  const tokens = sample.strings as string[];
  let k = seed;
  const nest = (shape: number[]): StringData =>
    shape.length === 0
      ? tokens[(k = (k * 31 + 7) % 1009) % tokens.length]
      : Array.from({ length: shape[0] }, () => nest(shape.slice(1)));
  // Layers that take strings receive them where other layers receive tensors.
  return inputShapes(sample).map((s) => nest(s) as unknown as Tensor);
}

async function runSample(className: string, sample: LayerSample, seed: number): Promise<void> {
  setSeed(seed);
  const xs = sample.strings ? stringInputs(sample, seed) : sampleInputs(sample, 'float32', seed);
  const layer = build(className, sample.args);
  const outs = callOn(layer, sample, xs);
  checkShapes(layer, sample, outs);
  checkConfigRoundTrip(className, layer, sample, xs, outs);
  // String inputs cannot enter a model: the config round trip is their save and load.
  if (sample.strings) return;

  const model = modelOf(className, sample);
  assert.deepEqual(
    model.outputs.map((o) => o.shape),
    outs.map((o) => [null, ...o.shape.slice(1)]),
    'symbolic output shapes',
  );
  const predicted = predictList(model, xs);
  const loaded = loadFromBuffers(saveToBuffers(model));
  assertSameOutputs(predictList(loaded, xs), predicted, 0, 'saved and loaded');
  if (sample.tfjsRefuses)
    assert.throws(
      () => toTfjsFiles(model),
      (e: Error) => e instanceof FileFormatError && e.message.startsWith('toTfjsFiles: layer '),
      `saving to TF.js' format refuses: ${sample.tfjsRefuses}`,
    );
  else if (tfjsKnows(className)) await checkTfjsRoundTrip(model, xs, 1e-4, !sample.skip?.tfjs);
  if (onnxSupportedLayers().includes(className) && !sample.skip?.onnx) await checkAgainstOrt(model, xs);
  if (!sample.skip?.gradients) checkGradients(className, sample, seed);
  const sequences = xs.every((x) => x.rank >= 3 || (sample.ints !== undefined && x.rank === 2));
  if (sequences && !sample.skip?.mask) checkMask(layer, sample, xs, outs);
}

describe('layer harness: every registered layer class', () => {
  const classes = layerRegistry.classNames().sort();

  it('has sample arguments for every registered class', () => {
    const missing = classes.filter((c) => !(c in LAYER_SAMPLES) && !(c in NOT_LAYERS));
    assert.deepEqual(missing, [], `layer classes without sample arguments in test/layers/layer_samples.ts`);
    const stale = Object.keys(LAYER_SAMPLES).filter((c) => !classes.includes(c));
    assert.deepEqual(stale, [], 'samples for classes that are not registered');
  });

  for (const className of classes) {
    (LAYER_SAMPLES[className] ?? []).forEach((sample, i) => {
      it(`${className} ${JSON.stringify(sample.args)} on ${JSON.stringify(sample.input)}`, async () => {
        await runSample(className, sample, 1 + i);
      });
    });
  }
});
