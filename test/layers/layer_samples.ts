import type { Config } from '../../src/core/config.js';

/** The checks of the layer harness a sample may opt out of, each with the reason written down. */
export type HarnessCheck = 'gradients' | 'tfjs' | 'onnx' | 'mask';

/**
 * One way to build and call a layer for the layer harness (test/layers/layer_harness.test.ts),
 * like the arguments of Keras' `run_layer_test`: small shapes, so that every check is quick.
 */
export interface LayerSample {
  /** Options for the layer's constructor (what `layers.xxx(...)` takes). */
  args: Config;
  /** The input's shape with the batch, or one shape per input. */
  input: number[] | number[][];
  /** Integer inputs in [0, ints) (token ids) instead of floats in [-1, 1). */
  ints?: number;
  /**
   * String inputs drawn from these tokens (nested arrays of the input's shape). Myelin's
   * tensors hold numbers, so such a layer runs before a model, not in one: the harness checks
   * its output shape and config round trip (its save and load), not models or gradients.
   */
  strings?: string[];
  /** Float inputs in [lo, hi) instead of [-1, 1) (e.g. pixel values). */
  range?: [number, number];
  /** Call options, recorded in the model as in a functional call. */
  call?: Config;
  /**
   * The output mask given a [batch, time] mask on each input: 'same' (passed on), 'none'
   * (consumed or not supported), 'own' (the layer makes its own mask, [batch, time]). Default:
   * 'same' when the layer supports masking, else 'none'.
   */
  mask?: 'same' | 'none' | 'own';
  /** Checks this sample skips, with why ('tfjs' skips running the files in TF.js 4.22; Myelin still reads them). */
  skip?: Partial<Record<HarnessCheck, string>>;
  /** Why saving to TF.js' format must refuse this configuration (the harness checks it does). */
  tfjsRefuses?: string;
  /** Relative tolerance of the float64 gradient check (default 1e-5). */
  gradTol?: number;
}

/** Classes registered as layers that are not layers to test here, with why. */
export const NOT_LAYERS: Record<string, string> = {
  Sequential: 'a model: covered by test/models',
  Functional: 'a model: covered by test/models',
  Model: 'an alias of Functional',
  InputLayer: "every sample's model starts with one; it is never called on a tensor",
};

/** TF.js 4.22 cannot run its own preprocessing layers in a loaded model (it infers the model's input shape from their output shape). */
const TFJS_PREPROCESSING = 'TF.js 4.22 mis-infers the input shape of a loaded model starting with this layer';

const SEQ: number[] = [2, 4, 3];
const VOL: number[] = [1, 2, 2, 2, 2];
const VOLUMES = 'volumes have no time axis to mask';
const IMAGES = 'images have no time axis to mask';
const IMG: number[] = [2, 4, 4, 2];
const dense = (units: number): Config => ({ className: 'Dense', config: { units } });
const lstm = (config: Config): Config => ({ className: 'LSTM', config: { units: 2, ...config } });
const lstmCell = (units: number): Config => ({ className: 'LSTMCell', config: { units } });
const gruCell = (config: Config): Config => ({ className: 'GRUCell', config: { units: 2, ...config } });
/** TF.js runs a cell only inside an RNN layer, not as a layer of a model. */
const TFJS_CELL = 'TF.js cannot call a cell as a layer of a model (it expects one input shape)';

/**
 * Sample arguments for every registered layer class. A class registered without an entry here
 * fails the harness: a new layer is covered by adding its line.
 */
export const LAYER_SAMPLES: Record<string, LayerSample[]> = {
  // Core
  Dense: [
    { args: { units: 3 }, input: [2, 4] },
    { args: { units: 2, activation: 'tanh', useBias: false }, input: SEQ },
  ],
  Activation: [{ args: { activation: 'tanh' }, input: SEQ }],
  Dropout: [{ args: { rate: 0.5 }, input: SEQ }],
  Flatten: [
    { args: {}, input: IMG },
    { args: { dataFormat: 'channels_first' }, input: [2, 3, 2, 2] },
  ],
  Reshape: [{ args: { targetShape: [3, -1] }, input: [2, 2, 3] }],
  Embedding: [
    { args: { inputDim: 5, outputDim: 3 }, input: [2, 4], ints: 5 },
    {
      args: { inputDim: 5, outputDim: 2, maskZero: true },
      input: [2, 4],
      ints: 5,
      mask: 'own',
      skip: { onnx: 'ONNX export refuses masks' },
    },
  ],
  Masking: [{ args: { maskValue: 0 }, input: SEQ, mask: 'own' }],
  EinsumDense: [
    { args: { equation: 'ab,bc->ac', outputShape: [3], biasAxes: 'c' }, input: [2, 4] },
    { args: { equation: 'abc,cde->abde', outputShape: [null, 2, 2], biasAxes: 'de' }, input: SEQ },
  ],
  // Recurrent
  SimpleRNN: [{ args: { units: 3, returnSequences: true }, input: SEQ }],
  LSTM: [
    { args: { units: 2 }, input: SEQ, mask: 'none' },
    {
      args: { units: 2, returnSequences: true, returnState: true, goBackwards: true },
      input: SEQ,
      skip: { onnx: 'ONNX export writes single-output layers only' },
    },
  ],
  GRU: [
    {
      args: { units: 2, returnSequences: true },
      input: SEQ,
      tfjsRefuses: 'TF.js has no GRU with resetAfter',
    },
    { args: { units: 2, resetAfter: false, recurrentActivation: 'hard_sigmoid_tfjs' }, input: SEQ, mask: 'none' },
  ],
  Bidirectional: [
    { args: { layer: lstm({ returnSequences: true }), mergeMode: 'concat' }, input: SEQ },
    {
      args: { layer: { className: 'GRU', config: { units: 2, resetAfter: false } }, mergeMode: 'sum' },
      input: SEQ,
      mask: 'none',
      skip: { onnx: "ONNX export writes mergeMode 'concat' only" },
    },
    {
      args: {
        layer: lstm({ returnSequences: true }),
        backwardLayer: { className: 'GRU', config: { units: 3, returnSequences: true, goBackwards: true } },
      },
      input: SEQ,
      tfjsRefuses: 'TF.js has no backwardLayer',
      skip: { onnx: "ONNX's bidirectional ops run one kind of cell" },
    },
    {
      args: { layer: { className: 'RNN', config: { cell: lstmCell(2) } }, mergeMode: 'ave' },
      input: SEQ,
      mask: 'none',
      skip: {
        tfjs: "TF.js 4.22's Bidirectional cannot rebuild a wrapped RNN from its config",
        onnx: 'the RNN with cells is not exported',
      },
    },
  ],
  TimeDistributed: [{ args: { layer: dense(2) }, input: SEQ }],
  // Generic recurrent layer and its cells
  RNN: [
    { args: { cell: { className: 'SimpleRNNCell', config: { units: 3 } } }, input: SEQ, mask: 'none' },
    { args: { cell: lstmCell(2), returnSequences: true, returnState: true }, input: SEQ },
    {
      args: {
        cell: { className: 'StackedRNNCells', config: { cells: [lstmCell(3), gruCell({ resetAfter: false })] } },
        returnSequences: true,
        goBackwards: true,
      },
      input: SEQ,
    },
    { args: { cell: gruCell({}) }, input: SEQ, mask: 'none', tfjsRefuses: 'TF.js has no GRU cell with resetAfter' },
  ],
  SimpleRNNCell: [
    {
      args: { units: 3 },
      input: [
        [2, 4],
        [2, 3],
      ],
      skip: { tfjs: TFJS_CELL },
    },
  ],
  LSTMCell: [
    {
      args: { units: 2 },
      input: [
        [2, 4],
        [2, 2],
        [2, 2],
      ],
      skip: { tfjs: TFJS_CELL },
    },
  ],
  GRUCell: [
    {
      args: { units: 2 },
      input: [
        [2, 4],
        [2, 2],
      ],
      tfjsRefuses: 'TF.js has no GRU cell with resetAfter',
    },
    {
      args: { units: 2, resetAfter: false },
      input: [
        [2, 4],
        [2, 2],
      ],
      skip: { tfjs: TFJS_CELL },
    },
  ],
  StackedRNNCells: [
    {
      args: { cells: [lstmCell(3), lstmCell(2)] },
      input: [
        [2, 4],
        [2, 3],
        [2, 3],
        [2, 2],
        [2, 2],
      ],
      skip: { tfjs: TFJS_CELL },
    },
  ],
  ConvLSTM2D: [
    { args: { filters: 2, kernelSize: 2 }, input: [1, 3, 3, 3, 1], mask: 'none' },
    {
      args: { filters: 1, kernelSize: [2, 3], padding: 'same', returnSequences: true, goBackwards: true },
      input: [2, 2, 3, 2, 2],
    },
    { args: { filters: 1, kernelSize: 2, strides: 2, returnState: true }, input: [1, 2, 4, 4, 1], mask: 'none' },
  ],
  // Convolution and pooling
  Conv1D: [
    { args: { filters: 2, kernelSize: 2 }, input: SEQ },
    {
      args: { filters: 2, kernelSize: 2, padding: 'causal', dilationRate: 2 },
      input: [2, 5, 2],
      skip: { tfjs: "TF.js 4.22's Conv1D throws on causal padding" },
    },
  ],
  Conv2D: [
    { args: { filters: 2, kernelSize: 2 }, input: IMG },
    { args: { filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }, input: IMG },
  ],
  Conv2DTranspose: [
    { args: { filters: 2, kernelSize: 2, strides: 2 }, input: [2, 2, 2, 2] },
    {
      args: { filters: 1, kernelSize: 3, strides: 2, padding: 'same', outputPadding: [0, 1] },
      input: [1, 2, 3, 2],
      tfjsRefuses: "TF.js' Conv2DTranspose has no outputPadding",
    },
    {
      args: { filters: 1, kernelSize: 2, strides: 3, outputPadding: 2 },
      input: [1, 2, 2, 1],
      tfjsRefuses: "TF.js' Conv2DTranspose has no outputPadding",
    },
  ],
  DepthwiseConv2D: [{ args: { kernelSize: 2, depthMultiplier: 2 }, input: IMG }],
  SeparableConv2D: [{ args: { filters: 2, kernelSize: 2 }, input: IMG }],
  Conv3D: [
    { args: { filters: 2, kernelSize: 2 }, input: VOL, skip: { mask: VOLUMES } },
    {
      args: { filters: 1, kernelSize: [3, 2, 2], strides: [2, 1, 2], padding: 'same', dilationRate: 1 },
      input: [1, 3, 3, 4, 2],
      skip: { mask: VOLUMES },
    },
    { args: { filters: 1, kernelSize: 2, dilationRate: [2, 1, 1] }, input: [1, 3, 2, 2, 1], skip: { mask: VOLUMES } },
  ],
  MaxPooling3D: [
    { args: { poolSize: 2 }, input: VOL, skip: { mask: VOLUMES } },
    { args: { poolSize: [2, 2, 1], strides: 1, padding: 'same' }, input: [1, 3, 2, 3, 2], skip: { mask: VOLUMES } },
  ],
  AveragePooling3D: [
    { args: { poolSize: 2 }, input: VOL, skip: { mask: VOLUMES } },
    {
      args: { poolSize: [3, 2, 2], strides: [2, 1, 2], padding: 'same' },
      input: [1, 3, 2, 3, 2],
      skip: { mask: VOLUMES },
    },
  ],
  MaxPooling1D: [{ args: { poolSize: 2 }, input: SEQ }],
  AveragePooling1D: [{ args: { poolSize: 2, strides: 1, padding: 'same' }, input: SEQ }],
  GlobalAveragePooling1D: [{ args: {}, input: SEQ }],
  GlobalMaxPooling1D: [
    { args: {}, input: SEQ },
    { args: { keepdims: true }, input: SEQ, tfjsRefuses: 'TF.js has no keepdims' },
  ],
  MaxPooling2D: [{ args: { poolSize: 2 }, input: IMG }],
  AveragePooling2D: [{ args: { poolSize: 2, strides: 1 }, input: IMG }],
  GlobalAveragePooling2D: [{ args: {}, input: IMG }],
  GlobalMaxPooling2D: [{ args: {}, input: IMG }],
  ZeroPadding2D: [{ args: { padding: [1, 2] }, input: IMG }],
  Cropping2D: [
    {
      args: {
        cropping: [
          [1, 0],
          [0, 1],
        ],
      },
      input: IMG,
    },
  ],
  UpSampling2D: [
    { args: { size: [2, 1] }, input: IMG },
    {
      args: { size: [2, 3], interpolation: 'bilinear' },
      input: [2, 3, 2, 2],
      skip: { tfjs: "TF.js samples without Keras' half-pixel centres" },
    },
  ],
  // Normalization, noise and augmentation
  BatchNormalization: [{ args: {}, input: [3, 4] }],
  LayerNormalization: [
    { args: {}, input: SEQ },
    { args: { axis: [1, 2], center: false }, input: SEQ },
  ],
  GaussianNoise: [{ args: { stddev: 0.1 }, input: SEQ }],
  SpatialDropout2D: [{ args: { rate: 0.5 }, input: IMG }],
  RandomFlip: [{ args: { seed: 1 }, input: IMG }],
  RandomTranslation: [
    { args: { heightFactor: 0.2, widthFactor: [-0.1, 0.3], seed: 1 }, input: IMG, skip: { mask: IMAGES } },
  ],
  RandomRotation: [{ args: { factor: 0.1, fillMode: 'constant', seed: 1 }, input: IMG, skip: { mask: IMAGES } }],
  RandomZoom: [
    { args: { heightFactor: [-0.3, 0.2], interpolation: 'nearest', seed: 1 }, input: IMG, skip: { mask: IMAGES } },
  ],
  RandomContrast: [{ args: { factor: 0.5, valueRange: [-1, 1], seed: 1 }, input: IMG, skip: { mask: IMAGES } }],
  // Merging
  Add: [{ args: {}, input: [SEQ, SEQ] }],
  Subtract: [{ args: {}, input: [SEQ, SEQ] }],
  Multiply: [{ args: {}, input: [SEQ, SEQ, SEQ] }],
  Average: [{ args: {}, input: [SEQ, SEQ] }],
  Maximum: [{ args: {}, input: [SEQ, SEQ] }],
  Minimum: [{ args: {}, input: [SEQ, SEQ] }],
  Concatenate: [
    { args: {}, input: [SEQ, [2, 4, 2]] },
    { args: { axis: 1 }, input: [SEQ, [2, 2, 3]], mask: 'none', skip: { mask: 'the inputs differ in length' } },
  ],
  Dot: [
    {
      args: { axes: -1 },
      input: [
        [2, 3],
        [2, 3],
      ],
    },
    { args: { axes: [2, 2], normalize: true }, input: [SEQ, [2, 2, 3]], mask: 'none' },
  ],
  RepeatVector: [{ args: { n: 3 }, input: [2, 4] }],
  // Activation layers
  ReLU: [
    { args: {}, input: SEQ },
    {
      args: { maxValue: 0.5, negativeSlope: 0.1, threshold: 0.2 },
      input: SEQ,
      tfjsRefuses: 'TF.js has only maxValue',
    },
    { args: { maxValue: 0.6 }, input: SEQ },
  ],
  LeakyReLU: [{ args: { negativeSlope: 0.2 }, input: SEQ }],
  PReLU: [
    { args: { alphaInitializer: { className: 'RandomUniform', config: { seed: 3 } } }, input: SEQ },
    { args: { sharedAxes: [1, 2], alphaInitializer: 'ones' }, input: IMG },
  ],
  ELU: [
    { args: {}, input: SEQ },
    { args: { alpha: 0.5 }, input: SEQ, tfjsRefuses: "TF.js' ELU takes alpha 1 only" },
  ],
  ThresholdedReLU: [{ args: { theta: 0.1 }, input: SEQ }],
  Softmax: [
    {
      args: {},
      input: SEQ,
      skip: { mask: 'a mask broadcasts from the right (Keras), not as [batch, time]; see activation_layers.test' },
    },
    {
      args: { axis: [1, 2] },
      input: SEQ,
      skip: { mask: 'as above' },
      tfjsRefuses: 'TF.js takes one axis',
    },
  ],
  // Shapes
  Permute: [{ args: { dims: [2, 1] }, input: SEQ, mask: 'none' }],
  UpSampling1D: [{ args: { size: 2 }, input: SEQ, mask: 'none' }],
  ZeroPadding1D: [
    { args: { padding: [1, 2] }, input: SEQ },
    { args: { padding: 1, dataFormat: 'channels_first' }, input: SEQ },
  ],
  Cropping1D: [{ args: { cropping: [1, 0] }, input: SEQ }],
  // Noise and normalization
  GaussianDropout: [{ args: { rate: 0.3 }, input: SEQ }],
  AlphaDropout: [{ args: { rate: 0.3 }, input: SEQ }],
  SpatialDropout1D: [{ args: { rate: 0.3 }, input: SEQ }],
  SpatialDropout3D: [
    { args: { rate: 0.3 }, input: [2, 2, 2, 2, 2], skip: { mask: 'volumes have no time axis to mask' } },
  ],
  GroupNormalization: [
    { args: { groups: 2 }, input: IMG, skip: { mask: IMAGES } },
    { args: { groups: -1, axis: 1, center: false }, input: [2, 2, 3] },
  ],
  UnitNormalization: [
    { args: {}, input: SEQ },
    { args: { axis: [1, 2] }, input: SEQ },
  ],
  // Preprocessing
  Rescaling: [{ args: { scale: 1 / 255, offset: -0.5 }, input: IMG, range: [0, 255] }],
  Resizing: [
    { args: { height: 3, width: 5 }, input: IMG, skip: { tfjs: TFJS_PREPROCESSING } },
    {
      args: { height: 2, width: 2, interpolation: 'nearest', cropToAspectRatio: true },
      input: [2, 4, 3, 1],
      skip: { tfjs: TFJS_PREPROCESSING },
    },
    {
      args: { height: 3, width: 3, padToAspectRatio: true, fillValue: 0.5 },
      input: [2, 2, 4, 1],
      skip: { tfjs: TFJS_PREPROCESSING },
    },
  ],
  CenterCrop: [
    { args: { height: 2, width: 3 }, input: IMG, skip: { tfjs: TFJS_PREPROCESSING } },
    { args: { height: 5, width: 3 }, input: IMG, skip: { tfjs: TFJS_PREPROCESSING } },
  ],
  Normalization: [
    { args: { mean: [0.1, 0.2, 0.3], variance: [1, 2, 0.5] }, input: SEQ },
    { args: { axis: [1, 2] }, input: SEQ },
    { args: { axis: null, mean: 0.5, variance: 4, invert: true }, input: SEQ },
  ],
  Discretization: [
    { args: { binBoundaries: [-0.5, 0, 0.5] }, input: SEQ, skip: { gradients: 'bin indices are piecewise constant' } },
    {
      args: { binBoundaries: [0], outputMode: 'one_hot' },
      input: [2, 4],
      skip: { gradients: 'bin indicators are piecewise constant' },
    },
  ],
  CategoryEncoding: [
    {
      args: { numTokens: 5 },
      input: [2, 4],
      ints: 5,
      skip: { gradients: 'integer inputs and no weights', tfjs: TFJS_PREPROCESSING },
    },
    {
      args: { numTokens: 5, outputMode: 'count' },
      input: [2, 4],
      ints: 5,
      skip: { gradients: 'as above', tfjs: TFJS_PREPROCESSING },
    },
    {
      args: { numTokens: 5, outputMode: 'one_hot' },
      input: [2, 4, 1],
      ints: 5,
      skip: { gradients: 'as above', tfjs: TFJS_PREPROCESSING },
    },
  ],
  StringLookup: [
    { args: { vocabulary: ['a', 'b', 'c'] }, input: [2, 4], strings: ['a', 'b', 'c', 'z', ''] },
    {
      args: { vocabulary: ['b', 'a'], numOovIndices: 2, maskToken: '' },
      input: [2, 4],
      strings: ['a', 'b', 'c', 'z', ''],
    },
    { args: { vocabulary: ['a', 'é'], outputMode: 'count' }, input: [2, 4], strings: ['a', 'é', 'z'] },
    { args: { vocabulary: ['a'], outputMode: 'one_hot', salt: 5 }, input: [3, 1], strings: ['a', 'b', 'z'] },
  ],
  Hashing: [
    { args: { numBins: 4 }, input: [2, 4], ints: 50, skip: { gradients: 'integer inputs and no weights' } },
    {
      args: { numBins: 5, maskValue: 0, outputMode: 'multi_hot' },
      input: [2, 4],
      ints: 50,
      skip: { gradients: 'as above' },
    },
    {
      args: { numBins: 3, salt: [133, 137], outputMode: 'one_hot' },
      input: [2, 1],
      ints: 50,
      skip: { gradients: 'as above' },
    },
    { args: { numBins: 3, maskValue: '' }, input: [2, 4], strings: ['A', 'B', ''] },
  ],
  IntegerLookup: [
    { args: { vocabulary: [3, 1, 2] }, input: [2, 4], ints: 5, skip: { gradients: 'integer inputs and no weights' } },
    {
      args: { vocabulary: [3, 1], numOovIndices: 2, maskToken: 0 },
      input: [2, 4],
      ints: 5,
      skip: { gradients: 'as above' },
    },
    {
      args: { vocabulary: [4, 2], outputMode: 'multi_hot' },
      input: [2, 4],
      ints: 5,
      skip: { gradients: 'as above' },
    },
  ],
  // Attention and Transformers
  MultiHeadAttention: [
    { args: { numHeads: 2, keyDim: 2 }, input: SEQ },
    {
      args: { numHeads: 2, keyDim: 2, valueDim: 3, outputShape: [2] },
      input: [SEQ, [2, 5, 2]],
      skip: { onnx: 'ONNX export writes single-input layers only' },
    },
  ],
  GroupedQueryAttention: [{ args: { headDim: 2, numQueryHeads: 2, numKeyValueHeads: 1 }, input: SEQ }],
  Attention: [
    { args: {}, input: [SEQ, [2, 5, 3]] },
    { args: { useScale: true, scoreMode: 'concat' }, input: [SEQ, [2, 5, 3]] },
  ],
  AdditiveAttention: [{ args: {}, input: [SEQ, [2, 5, 3]] }],
  PositionEmbedding: [{ args: { sequenceLength: 6 }, input: SEQ }],
  SinePositionEncoding: [{ args: {}, input: [2, 4, 4] }],
  RotaryEmbedding: [{ args: {}, input: [2, 4, 4] }],
  ReversibleEmbedding: [
    { args: { inputDim: 5, outputDim: 3 }, input: [2, 4], ints: 5 },
    {
      args: { inputDim: 5, outputDim: 2, maskZero: true, tieWeights: false },
      input: [2, 4],
      ints: 5,
      mask: 'own',
      skip: { onnx: 'ONNX export refuses masks' },
    },
    { args: { inputDim: 6, outputDim: 4 }, input: [2, 3, 4], call: { reverse: true } },
    {
      args: { inputDim: 6, outputDim: 4, tieWeights: false, logitSoftCap: 2 },
      input: [2, 3, 4],
      call: { reverse: true },
    },
  ],
  TokenAndPositionEmbedding: [
    {
      args: { vocabularySize: 6, sequenceLength: 5, embeddingDim: 4, maskZero: true },
      input: [2, 4],
      ints: 6,
      mask: 'own',
      skip: { onnx: 'ONNX export refuses masks' },
    },
  ],
  TransformerEncoder: [{ args: { intermediateDim: 4, numHeads: 2 }, input: [2, 3, 4], gradTol: 1e-4 }],
  TransformerDecoder: [{ args: { intermediateDim: 4, numHeads: 2 }, input: [2, 3, 4], gradTol: 1e-4 }],
};
