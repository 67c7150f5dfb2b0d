import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError, ones, type Tensor } from '../../src/index.js';
import { Dense, Layer, deserializeLayer, input, layers, serializeLayer } from '../../src/layers/index.js';
import { model, modelFromConfig, sequential } from '../../src/models/index.js';

/** Arguments for the factories that have required ones; the others are tried with `{}`. */
const REQUIRED: Record<string, () => Record<string, unknown>> = {
  dense: () => ({ units: 2 }),
  activation: () => ({ activation: 'relu' }),
  dropout: () => ({ rate: 0.1 }),
  reshape: () => ({ targetShape: [2] }),
  inputLayer: () => ({ inputShape: [2] }),
  embedding: () => ({ inputDim: 3, outputDim: 2 }),
  simpleRNN: () => ({ units: 2 }),
  lstm: () => ({ units: 2 }),
  gru: () => ({ units: 2 }),
  bidirectional: () => ({ layer: layers.lstm({ units: 2 }) }),
  timeDistributed: () => ({ layer: layers.dense({ units: 2 }) }),
  conv1d: () => ({ filters: 2, kernelSize: 2 }),
  conv2d: () => ({ filters: 2, kernelSize: 2 }),
  conv2dTranspose: () => ({ filters: 2, kernelSize: 2 }),
  depthwiseConv2d: () => ({ kernelSize: 2 }),
  separableConv2d: () => ({ filters: 2, kernelSize: 2 }),
  spatialDropout2d: () => ({ rate: 0.1 }),
  gaussianNoise: () => ({ stddev: 0.1 }),
};

type Factory = (args?: Record<string, unknown>) => Layer;
const factories = layers as unknown as Record<string, Factory>;

function sample(name: string): Layer | undefined {
  try {
    return factories[name](REQUIRED[name]?.() ?? {});
  } catch {
    return undefined; // a layer added later with required arguments this list does not know
  }
}

describe('layer options', () => {
  it('every layer factory accepts every key of its own config, and rejects a misspelt one', () => {
    let checked = 0;
    for (const name of Object.keys(factories)) {
      const layer = sample(name);
      if (!layer) continue;
      const { name: _ignored, ...config } = layer.getConfig();
      const again = factories[name](config);
      assert.equal(again.getClassName(), layer.getClassName(), name);
      assert.throws(
        () => factories[name]({ ...(REQUIRED[name]?.() ?? {}), nmae: 'x' }),
        (e: unknown) =>
          e instanceof ValueError &&
          e.message.includes(`: unknown option 'nmae' (did you mean 'name'?). Valid options: `) &&
          /Valid options: .*\bname\b/.test(e.message),
        name,
      );
      checked++;
    }
    assert.ok(checked >= 30, `checked ${checked} factories`);
  });

  it('names the misspelt key and the closest valid one for representative layers', () => {
    const cases: [() => unknown, RegExp][] = [
      [
        () => layers.dense({ units: 2, activaton: 'relu' } as never),
        /layers\.dense: unknown option 'activaton' \(did you mean 'activation'\?\)\. Valid options: .*activation.*units/,
      ],
      [
        () => layers.dense({ units: 2, use_bias: false } as never),
        /unknown option 'use_bias' \(did you mean 'useBias'\?\)/,
      ],
      [
        () => layers.conv2d({ filters: 3, kernelSize: 3, stride: 2 } as never),
        /layers\.conv2d: unknown option 'stride' \(did you mean 'strides'\?\)/,
      ],
      [
        () => layers.lstm({ units: 2, returnSequence: true } as never),
        /layers\.lstm: unknown option 'returnSequence' \(did you mean 'returnSequences'\?\)/,
      ],
      [() => layers.embedding({ inputDim: 4, outputDim: 2, maskzero: true } as never), /did you mean 'maskZero'\?/],
      [
        () => layers.batchNormalization({ momentun: 0.9 } as never),
        /layers\.batchNormalization: unknown option 'momentun' \(did you mean 'momentum'\?\)/,
      ],
      [
        () => layers.dropout({ rate: 0.5, sed: 1 } as never),
        /layers\.dropout: unknown option 'sed' \(did you mean 'seed'\?\)/,
      ],
      [() => layers.flatten({ weights: [] } as never), /layers\.flatten: unknown option 'weights'\. Valid options: /],
    ];
    for (const [make, message] of cases) assert.throws(make, message);
  });

  it('accepts the options a layer takes beyond its config (Dense inputDim) and the base ones', () => {
    const d = layers.dense({
      units: 2,
      inputDim: 3,
      name: 'opt_dense',
      trainable: false,
      dtype: 'float32',
      batchSize: 4,
    });
    assert.deepEqual(d.batchInputShape, [4, 3]);
    layers.dense({ units: 1, batchInputShape: [null, 3], activityRegularizer: 'l2' });
  });

  it('checks layers built with new at their first call', () => {
    const layer = new Dense({ units: 2, activaton: 'relu' } as never);
    assert.throws(
      () => layer.apply(ones([1, 3])),
      /Dense 'dense(_\d+)?': unknown option 'activaton' \(did you mean 'activation'\?\)/,
    );
    assert.throws(
      () => sequential({ layers: [new Dense({ units: 2, inputShape: [3], kernel_initializer: 'zeros' } as never)] }),
      /unknown option 'kernel_initializer' \(did you mean 'kernelInitializer'\?\)/,
    );
    const ok = new Dense({ units: 2 });
    assert.deepEqual((ok.apply(ones([1, 3])) as Tensor).shape, [1, 2]);
  });

  it('custom layers get the rule without a list of their own', () => {
    class Scale extends Layer {
      static override readonly className = 'OptionsScale';
      readonly factor: number;
      constructor(args: { factor?: number; name?: string } = {}) {
        super(args);
        this.factor = args.factor ?? 2;
      }
      call(x: Tensor | Tensor[]): Tensor {
        return x as Tensor;
      }
      override getConfig() {
        return { ...super.getConfig(), factor: this.factor };
      }
    }
    new Scale({ factor: 3 }).apply(ones([2]));
    assert.throws(
      () => new Scale({ facter: 3 } as never).apply(ones([2])),
      /OptionsScale '.*': unknown option 'facter' \(did you mean 'factor'\?\)/,
    );
  });

  it('keeps loading configs that carry keys Myelin does not have (files from Keras, TF.js, older versions)', () => {
    const layer = deserializeLayer({
      className: 'Dense',
      config: {
        units: 3,
        name: 'from_file',
        inputDim: 4,
        someKerasOnlySetting: 1,
        kernelInitializer: { className: 'GlorotUniform', config: { seed: null, extra: 1 } },
      },
    });
    assert.equal((layer as Dense).units, 3);
    assert.deepEqual((layer.apply(ones([1, 4])) as Tensor).shape, [1, 3], 'no late error on first call either');
    const x = input({ shape: [4] });
    const m = model({ inputs: x, outputs: layers.dense({ units: 1 }).apply(x) as never });
    const config = JSON.parse(JSON.stringify({ className: 'Functional', config: m.getConfig() }));
    config.config.layers[1].config.futureOption = true;
    assert.deepEqual(modelFromConfig(config).outputShapes, [[null, 1]]);
    assert.equal(serializeLayer(layer).config.someKerasOnlySetting, undefined);
  });

  it('checks the options of model, sequential and input', () => {
    const x = input({ shape: [2] });
    assert.throws(
      () => model({ inputs: x, output: x } as never),
      /model: unknown option 'output' \(did you mean 'outputs'\?\)/,
    );
    assert.throws(
      () => sequential({ layer: [] } as never),
      /sequential: unknown option 'layer' \(did you mean 'layers'\?\)/,
    );
    assert.throws(
      () => input({ shape: [2], dtpye: 'int32' } as never),
      /input: unknown option 'dtpye' \(did you mean 'dtype'\?\)/,
    );
  });
});
