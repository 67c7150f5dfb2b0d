import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { valueAndGradsOf } from '../../src/autograd/gradients.js';
import { Rng } from '../../src/core/rng.js';
import type { Tensor } from '../../src/core/tensor.js';
import { Variable } from '../../src/core/variable.js';
import { add, mul, sum, tensor, type LayersModel } from '../../src/index.js';
import { fromTfjsFiles, toTfjsFiles } from '../../src/io/tfjs_format.js';
import { rand64 } from '../helpers/gradcheck.js';
import type { LayerSample } from './layer_samples.js';

/** The sample's inputs: seeded floats in [-1, 1) (or its range), or integer ids. */
export function sampleInputs(sample: LayerSample, dtype: 'float32' | 'float64', seed: number): Tensor[] {
  const shapes = inputShapes(sample);
  return shapes.map((shape, k) => {
    const rng = new Rng(seed + 17 * k);
    const n = shape.reduce((a, b) => a * b, 1);
    if (sample.ints !== undefined) {
      // Every id but the first one of each sample may be 0 (padding); the first never is.
      const ids = Int32Array.from({ length: n }, (_, i) =>
        i % shape[1] === 0
          ? 1 + Math.floor(rng.uniform() * ((sample.ints as number) - 1))
          : Math.floor(rng.uniform() * (sample.ints as number)),
      );
      return tensor(ids, shape, 'int32');
    }
    const [lo, hi] = sample.range ?? [-1, 1];
    return tensor(
      Float64Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform()),
      shape,
      dtype,
    );
  });
}

/** The sample's input shapes, always as a list. */
export function inputShapes(sample: LayerSample): number[][] {
  return Array.isArray(sample.input[0]) ? (sample.input as number[][]) : [sample.input as number[]];
}

/** Whether the sample has one input (the layer is called on a tensor, not a list). */
export function isSingle(sample: LayerSample): boolean {
  return !Array.isArray(sample.input[0]);
}

/** Asserts two lists of tensors are equal in shape and close in value. */
export function assertSameOutputs(got: Tensor[], want: Tensor[], tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: number of outputs`);
  got.forEach((g, k) => {
    assert.deepEqual([...g.shape], [...want[k].shape], `${what}: output ${k} shape`);
    const a = g.dataSync();
    const b = want[k].dataSync();
    for (let i = 0; i < a.length; i++)
      assert.ok(
        Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])),
        `${what}: output ${k} element ${i}: ${a[i]} vs ${b[i]}`,
      );
  });
}

/** A list of a model's outputs, whatever `predict` returned. */
export function predictList(model: LayersModel, xs: Tensor[]): Tensor[] {
  const out = model.predict(xs.length === 1 ? xs[0] : xs);
  return Array.isArray(out) ? out : [out];
}

/** Whether TF.js 4.22 registers a class of this name (so its files can name it). */
export function tfjsKnows(className: string): boolean {
  return className in tf.serialization.SerializationMap.getMap().classNameMap;
}

/**
 * Saves `model` in TF.js' format, loads the files in Myelin and (unless `inTfjs` is false) in
 * TF.js 4.22, and checks that they predict what the model predicts.
 */
export async function checkTfjsRoundTrip(model: LayersModel, xs: Tensor[], tol: number, inTfjs = true): Promise<void> {
  const files = toTfjsFiles(model);
  const want = predictList(model, xs);
  assertSameOutputs(predictList(fromTfjsFiles(files.modelJson, files.shards), xs), want, 1e-6, 'TF.js files in Myelin');
  if (!inTfjs) return;
  const parsed = JSON.parse(JSON.stringify(files.modelJson));
  const theirs = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: parsed.modelTopology,
      weightSpecs: parsed.weightsManifest[0].weights,
      weightData: files.shards['weights.bin'].slice().buffer,
    }),
  );
  const tfxs = xs.map((x) =>
    tf.tensor(Array.from(x.dataSync()), [...x.shape], x.dtype === 'int32' ? 'int32' : 'float32'),
  );
  const out = theirs.predict(tfxs.length === 1 ? tfxs[0] : tfxs);
  const list = Array.isArray(out) ? out : [out];
  const got = list.map((t) => tensor(Float64Array.from(t.dataSync()), t.shape as number[], 'float32'));
  assertSameOutputs(got, want, tol, 'TF.js 4.22');
  tf.dispose([...tfxs, ...list]);
  theirs.dispose();
}

/**
 * Checks the gradients of `f` with respect to `params` (float64 variables: the layer's weights
 * and its float inputs) against central finite differences, at `budget` elements in all (at
 * least one of each variable, spread over it), so that layers with many weights stay quick.
 */
export function checkSampledGradients(
  f: () => Tensor | Tensor[],
  params: Variable[],
  { rtol = 1e-5, atol = 1e-8, eps = 1e-6, budget = 24 } = {},
): void {
  const probe = f();
  const outs = Array.isArray(probe) ? probe : [probe];
  const weights = outs.map((o, i) => rand64([...o.shape], 99 + i, 0.5, 1.5));
  const objective = (): Tensor => {
    const y = f();
    const list = Array.isArray(y) ? y : [y];
    return list.map((o, i) => sum(mul(o, weights[i]))).reduce((a, b) => add(a, b));
  };
  const { grads } = valueAndGradsOf(objective, params);
  params.forEach((p, k) => {
    assert.equal(p.dtype, 'float64', `gradient checks need float64 (${p.name})`);
    const base = p.dataSync() as Float64Array;
    const got = grads[k].dataSync();
    const count = Math.min(base.length, Math.max(1, Math.floor(budget / params.length)));
    const step = base.length / count;
    for (let j = 0; j < count; j++) {
      // Offset by the variable's position so that single probes do not all land on element 0.
      const i = Math.floor(j * step + ((k * 7) % Math.max(1, Math.floor(step))));
      const at = (delta: number): number => {
        const v = base.slice();
        v[i] += delta;
        p.assign(tensor(v, p.shape, 'float64'));
        return objective().dataSync()[0];
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      p.assign(tensor(base, p.shape, 'float64'));
      const err = Math.abs(got[i] - numeric);
      assert.ok(
        err <= atol + rtol * Math.max(Math.abs(numeric), Math.abs(got[i])),
        `${p.name}[${i}]: analytic ${got[i]} vs numeric ${numeric} (error ${err})`,
      );
    }
  });
}

/** A float64 input as a Variable, so that its gradient is checked with the weights'. */
export function inputVariable(x: Tensor, k: number): Variable {
  return new Variable(x, true, `input_${k}`);
}
