/**
 * The layers API: classes, the `layers` namespace of TF.js-style factories, the base `Layer`
 * for custom layers and the class registry used by model configs.
 */
import { strictFactories } from '../core/options.js';
import { Activation, type ActivationArgs } from './activation.js';
import type { LayerArgs } from './layer.js';
import { Dense, type DenseArgs } from './dense.js';
import { Dropout, type DropoutArgs } from './dropout.js';
import { InputLayer, type InputLayerArgs } from './input_layer.js';
import { Flatten, Reshape, type FlattenArgs, type ReshapeArgs } from './reshaping.js';

import { Embedding, type EmbeddingArgs } from './embedding.js';
import { ReversibleEmbedding, type ReversibleEmbeddingArgs } from './reversible_embedding.js';
import { SimpleRNN, LSTM, GRU, type LSTMArgs, type GRUArgs } from './recurrent_layers.js';
import type { RecurrentArgs } from './recurrent.js';
import {
  Bidirectional,
  TimeDistributed,
  type BidirectionalArgs,
  type TimeDistributedArgs,
} from './recurrent_wrappers.js';
import { Masking, type MaskingArgs } from './masking.js';
import { Conv1D, type Conv1DArgs } from './convolutional_1d.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D, type GlobalPooling1DArgs } from './pooling_1d.js';
import { Conv2D, Conv2DTranspose, type Conv2DArgs, type Conv2DTransposeArgs } from './convolutional.js';
import {
  DepthwiseConv2D,
  SeparableConv2D,
  type DepthwiseConv2DArgs,
  type SeparableConv2DArgs,
} from './convolutional_depthwise.js';
import {
  Cropping2D,
  UpSampling2D,
  ZeroPadding2D,
  type Cropping2DArgs,
  type UpSampling2DArgs,
  type ZeroPadding2DArgs,
} from './convolutional_resizing.js';
import {
  AveragePooling2D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  MaxPooling2D,
  type GlobalPooling2DArgs,
  type Pooling2DArgs,
} from './pooling.js';
import {
  BatchNormalization,
  LayerNormalization,
  type BatchNormalizationArgs,
  type LayerNormalizationArgs,
} from './normalization.js';
import { GaussianNoise, SpatialDropout2D, type GaussianNoiseArgs, type SpatialDropout2DArgs } from './noise.js';
import { RandomFlip, type RandomFlipArgs } from './augmentation.js';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, type ConcatenateArgs } from './merging.js';
import { Dot, type DotArgs } from './merging_dot.js';
import { RepeatVector, type RepeatVectorArgs } from './repeat_vector.js';
import { AveragePooling1D, MaxPooling1D, type Pooling1DArgs } from './pooling_1d_windows.js';
import { EinsumDense, type EinsumDenseArgs } from './einsum_dense.js';
import { MultiHeadAttention, type MultiHeadAttentionArgs } from './multi_head_attention.js';
import { GroupedQueryAttention, type GroupedQueryAttentionArgs } from './grouped_query_attention.js';
import { AdditiveAttention, Attention, type AdditiveAttentionArgs, type AttentionArgs } from './dot_attention.js';
import {
  PositionEmbedding,
  RotaryEmbedding,
  SinePositionEncoding,
  type PositionEmbeddingArgs,
  type RotaryEmbeddingArgs,
  type SinePositionEncodingArgs,
} from './position.js';
import { TokenAndPositionEmbedding, type TokenAndPositionEmbeddingArgs } from './token_position_embedding.js';
import { TransformerEncoder, type TransformerEncoderArgs } from './transformer_encoder.js';
import { TransformerDecoder, type TransformerDecoderArgs } from './transformer_decoder.js';
import {
  ELU,
  LeakyReLU,
  PReLU,
  ReLU,
  Softmax,
  ThresholdedReLU,
  type ELUArgs,
  type LeakyReLUArgs,
  type PReLUArgs,
  type ReLUArgs,
  type SoftmaxArgs,
  type ThresholdedReLUArgs,
} from './activation_layers.js';
import { Permute, type PermuteArgs } from './reshaping.js';
import {
  Cropping1D,
  UpSampling1D,
  ZeroPadding1D,
  type Cropping1DArgs,
  type UpSampling1DArgs,
  type ZeroPadding1DArgs,
} from './reshaping_1d.js';
import {
  AlphaDropout,
  GaussianDropout,
  SpatialDropout1D,
  SpatialDropout3D,
  type AlphaDropoutArgs,
  type RandomDropArgs,
  type SpatialDropoutArgs,
} from './noise_dropouts.js';
import {
  GroupNormalization,
  UnitNormalization,
  type GroupNormalizationArgs,
  type UnitNormalizationArgs,
} from './normalization_groups.js';
import {
  CenterCrop,
  Rescaling,
  Resizing,
  type CenterCropArgs,
  type RescalingArgs,
  type ResizingArgs,
} from './preprocessing_image.js';
import {
  CategoryEncoding,
  Discretization,
  Normalization,
  type CategoryEncodingArgs,
  type DiscretizationArgs,
  type NormalizationArgs as PreprocessingNormalizationArgs,
} from './preprocessing_numeric.js';
import { IntegerLookup, StringLookup, type IntegerLookupArgs, type StringLookupArgs } from './preprocessing_lookup.js';
import { Hashing, type HashingArgs } from './preprocessing_hashing.js';
import { Lambda, type LambdaArgs } from './lambda.js';
import {
  GRUCell,
  LSTMCell,
  SimpleRNNCell,
  StackedRNNCells,
  type GRUCellArgs,
  type LSTMCellArgs,
  type SimpleRNNCellArgs,
  type StackedRNNCellsArgs,
} from './recurrent_cells.js';
import { RNN, type RNNArgs } from './rnn.js';
import { AveragePooling3D, Conv3D, MaxPooling3D, type Conv3DArgs, type Pooling3DArgs } from './convolutional_3d.js';
import {
  RandomContrast,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
  type RandomContrastArgs,
  type RandomRotationArgs,
  type RandomTranslationArgs,
  type RandomZoomArgs,
} from './augmentation_affine.js';
import { ConvLSTM2D, type ConvLSTM2DArgs } from './conv_lstm.js';

export { Layer, isShapeList, type LayerArgs, type CallArgs } from './layer.js';
export { SymbolicTensor, Node, type Shape } from './symbolic.js';
export type { InputSpec } from './input_spec.js';
export {
  registerLayer,
  registerLayerClass,
  deserializeLayer,
  serializeLayer,
  layerClassNames,
  layerRegistry,
  type LayerFactory,
} from './registry.js';
export { collectLosses, addLoss, isCollectingLosses } from './losses_collector.js';
export { Activation, type ActivationArgs } from './activation.js';
export { Dense, type DenseArgs } from './dense.js';
export { Dropout, type DropoutArgs } from './dropout.js';
export { InputLayer, input, type InputLayerArgs, type InputArgs } from './input_layer.js';
export { Flatten, Reshape, type FlattenArgs, type ReshapeArgs, type DataFormat } from './reshaping.js';

export { Embedding, type EmbeddingArgs } from './embedding.js';
export {
  ReversibleEmbedding,
  type ReversibleEmbeddingArgs,
  type ReversibleEmbeddingCallArgs,
} from './reversible_embedding.js';
export { RecurrentLayer, type RecurrentArgs, type RecurrentCallArgs, type StepResult } from './recurrent.js';
export { SimpleRNN, LSTM, GRU, type LSTMArgs, type GRUArgs, type GatedRecurrentArgs } from './recurrent_layers.js';
export {
  Bidirectional,
  TimeDistributed,
  type BidirectionalArgs,
  type TimeDistributedArgs,
  type MergeMode,
} from './recurrent_wrappers.js';
export { Masking, type MaskingArgs } from './masking.js';
export { Conv1D, type Conv1DArgs, type Conv1DPadding } from './convolutional_1d.js';
export { GlobalAveragePooling1D, GlobalMaxPooling1D, type GlobalPooling1DArgs } from './pooling_1d.js';
export type { SequenceDataFormat } from './sequence_format.js';
export { Conv2D, Conv2DTranspose, type Conv2DArgs, type Conv2DTransposeArgs } from './convolutional.js';
export {
  DepthwiseConv2D,
  SeparableConv2D,
  type DepthwiseConv2DArgs,
  type SeparableConv2DArgs,
} from './convolutional_depthwise.js';
export {
  Cropping2D,
  UpSampling2D,
  ZeroPadding2D,
  type Cropping2DArgs,
  type UpSampling2DArgs,
  type ZeroPadding2DArgs,
} from './convolutional_resizing.js';
export {
  AveragePooling2D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  MaxPooling2D,
  type GlobalPooling2DArgs,
  type Pooling2DArgs,
} from './pooling.js';
export {
  BatchNormalization,
  LayerNormalization,
  type BatchNormalizationArgs,
  type LayerNormalizationArgs,
} from './normalization.js';
export { GaussianNoise, SpatialDropout2D, type GaussianNoiseArgs, type SpatialDropout2DArgs } from './noise.js';
export { RandomFlip, type RandomFlipArgs, type FlipMode } from './augmentation.js';
export {
  Merge,
  Add,
  Subtract,
  Multiply,
  Average,
  Maximum,
  Minimum,
  Concatenate,
  type ConcatenateArgs,
} from './merging.js';
export { Dot, type DotArgs } from './merging_dot.js';
export { RepeatVector, type RepeatVectorArgs } from './repeat_vector.js';
export { AveragePooling1D, MaxPooling1D, type Pooling1DArgs } from './pooling_1d_windows.js';
export { EinsumDense, analyzeEinsumDense, type EinsumDenseArgs, type EinsumDenseShapes } from './einsum_dense.js';
export { LayerWithSublayers } from './sublayers.js';
export { AttentionLayerBase, type AttentionCallArgs, type AttentionInputs } from './attention_base.js';
export { causalMask, maskedSoftmax } from './attention_masks.js';
export {
  MultiHeadAttention,
  type MultiHeadAttentionArgs,
  type AttentionCache,
  type CachedAttentionResult,
} from './multi_head_attention.js';
export { GroupedQueryAttention, type GroupedQueryAttentionArgs } from './grouped_query_attention.js';
export {
  Attention,
  AdditiveAttention,
  type AttentionArgs,
  type AdditiveAttentionArgs,
  type DotAttentionCallArgs,
} from './dot_attention.js';
export {
  PositionEmbedding,
  SinePositionEncoding,
  RotaryEmbedding,
  type PositionEmbeddingArgs,
  type SinePositionEncodingArgs,
  type RotaryEmbeddingArgs,
  type PositionCallArgs,
} from './position.js';
export { TokenAndPositionEmbedding, type TokenAndPositionEmbeddingArgs } from './token_position_embedding.js';
export {
  TransformerEncoder,
  type TransformerEncoderArgs,
  type TransformerEncoderCallArgs,
} from './transformer_encoder.js';
export {
  TransformerDecoder,
  type TransformerDecoderArgs,
  type TransformerDecoderCallArgs,
} from './transformer_decoder.js';
export type { TransformerBlockArgs } from './transformer_common.js';
export {
  ReLU,
  LeakyReLU,
  PReLU,
  ELU,
  ThresholdedReLU,
  Softmax,
  type ReLUArgs,
  type LeakyReLUArgs,
  type PReLUArgs,
  type ELUArgs,
  type ThresholdedReLUArgs,
  type SoftmaxArgs,
} from './activation_layers.js';
export { Permute, type PermuteArgs } from './reshaping.js';
export {
  UpSampling1D,
  ZeroPadding1D,
  Cropping1D,
  type UpSampling1DArgs,
  type ZeroPadding1DArgs,
  type Cropping1DArgs,
} from './reshaping_1d.js';
export {
  GaussianDropout,
  AlphaDropout,
  SpatialDropout1D,
  SpatialDropout3D,
  type RandomDropArgs,
  type AlphaDropoutArgs,
  type SpatialDropoutArgs,
} from './noise_dropouts.js';
export {
  GroupNormalization,
  UnitNormalization,
  type GroupNormalizationArgs,
  type UnitNormalizationArgs,
} from './normalization_groups.js';
export {
  Rescaling,
  Resizing,
  CenterCrop,
  type RescalingArgs,
  type ResizingArgs,
  type CenterCropArgs,
} from './preprocessing_image.js';
export {
  Normalization,
  Discretization,
  CategoryEncoding,
  type NormalizationArgs as PreprocessingNormalizationArgs,
  type DiscretizationArgs,
  type CategoryEncodingArgs,
  type CategoryEncodingCallArgs,
} from './preprocessing_numeric.js';
export type { CategoryOutputMode, AdaptData } from './preprocessing_encoding.js';
export {
  IntegerLookup,
  StringLookup,
  type IntegerLookupArgs,
  type StringLookupArgs,
} from './preprocessing_lookup.js';
export { Hashing, type HashingArgs } from './preprocessing_hashing.js';
export type { StringData } from './preprocessing_strings.js';
export { Lambda, type LambdaArgs, type LambdaFunction } from './lambda.js';
export {
  RNNCell,
  SimpleRNNCell,
  LSTMCell,
  GRUCell,
  StackedRNNCells,
  type SimpleRNNCellArgs,
  type LSTMCellArgs,
  type GRUCellArgs,
  type StackedRNNCellsArgs,
} from './recurrent_cells.js';
export { RNN, type RNNArgs } from './rnn.js';
export { Conv3D, MaxPooling3D, AveragePooling3D, type Conv3DArgs, type Pooling3DArgs } from './convolutional_3d.js';
export {
  RandomTranslation,
  RandomRotation,
  RandomZoom,
  RandomContrast,
  type RandomTranslationArgs,
  type RandomRotationArgs,
  type RandomZoomArgs,
  type RandomContrastArgs,
  type RandomTransformArgs,
  type Factor,
} from './augmentation_affine.js';
export { ConvLSTM2D, type ConvLSTM2DArgs } from './conv_lstm.js';
/**
 * Layer factories, as in TF.js. Each checks its options: a key the layer does not accept
 * (`activaton`) is an error naming it and the closest valid one.
 * @example
 * const m = sequential({ layers: [
 *   layers.dense({ units: 16, activation: 'relu', inputShape: [13] }),
 *   layers.dropout({ rate: 0.2 }),
 *   layers.dense({ units: 1 }),
 * ] });
 */
export const layers = strictFactories('layers', {
  dense: (args: DenseArgs) => new Dense(args),
  activation: (args: ActivationArgs) => new Activation(args),
  dropout: (args: DropoutArgs) => new Dropout(args),
  flatten: (args: FlattenArgs = {}) => new Flatten(args),
  reshape: (args: ReshapeArgs) => new Reshape(args),
  inputLayer: (args: InputLayerArgs) => new InputLayer(args),
  embedding: (args: EmbeddingArgs) => new Embedding(args),
  reversibleEmbedding: (args: ReversibleEmbeddingArgs) => new ReversibleEmbedding(args),
  simpleRNN: (args: RecurrentArgs) => new SimpleRNN(args),
  lstm: (args: LSTMArgs) => new LSTM(args),
  gru: (args: GRUArgs) => new GRU(args),
  bidirectional: (args: BidirectionalArgs) => new Bidirectional(args),
  timeDistributed: (args: TimeDistributedArgs) => new TimeDistributed(args),
  masking: (args: MaskingArgs = {}) => new Masking(args),
  conv1d: (args: Conv1DArgs) => new Conv1D(args),
  globalAveragePooling1d: (args: GlobalPooling1DArgs = {}) => new GlobalAveragePooling1D(args),
  globalMaxPooling1d: (args: GlobalPooling1DArgs = {}) => new GlobalMaxPooling1D(args),
  conv2d: (args: Conv2DArgs) => new Conv2D(args),
  conv2dTranspose: (args: Conv2DTransposeArgs) => new Conv2DTranspose(args),
  depthwiseConv2d: (args: DepthwiseConv2DArgs) => new DepthwiseConv2D(args),
  separableConv2d: (args: SeparableConv2DArgs) => new SeparableConv2D(args),
  maxPooling2d: (args: Pooling2DArgs = {}) => new MaxPooling2D(args),
  averagePooling2d: (args: Pooling2DArgs = {}) => new AveragePooling2D(args),
  globalAveragePooling2d: (args: GlobalPooling2DArgs = {}) => new GlobalAveragePooling2D(args),
  globalMaxPooling2d: (args: GlobalPooling2DArgs = {}) => new GlobalMaxPooling2D(args),
  zeroPadding2d: (args: ZeroPadding2DArgs = {}) => new ZeroPadding2D(args),
  cropping2d: (args: Cropping2DArgs = {}) => new Cropping2D(args),
  upSampling2d: (args: UpSampling2DArgs = {}) => new UpSampling2D(args),
  batchNormalization: (args: BatchNormalizationArgs = {}) => new BatchNormalization(args),
  layerNormalization: (args: LayerNormalizationArgs = {}) => new LayerNormalization(args),
  spatialDropout2d: (args: SpatialDropout2DArgs) => new SpatialDropout2D(args),
  gaussianNoise: (args: GaussianNoiseArgs) => new GaussianNoise(args),
  randomFlip: (args: RandomFlipArgs = {}) => new RandomFlip(args),
  add: (args: LayerArgs = {}) => new Add(args),
  subtract: (args: LayerArgs = {}) => new Subtract(args),
  multiply: (args: LayerArgs = {}) => new Multiply(args),
  average: (args: LayerArgs = {}) => new Average(args),
  maximum: (args: LayerArgs = {}) => new Maximum(args),
  minimum: (args: LayerArgs = {}) => new Minimum(args),
  concatenate: (args: ConcatenateArgs = {}) => new Concatenate(args),
  dot: (args: DotArgs) => new Dot(args),
  repeatVector: (args: RepeatVectorArgs) => new RepeatVector(args),
  maxPooling1d: (args: Pooling1DArgs = {}) => new MaxPooling1D(args),
  averagePooling1d: (args: Pooling1DArgs = {}) => new AveragePooling1D(args),
  einsumDense: (args: EinsumDenseArgs) => new EinsumDense(args),
  multiHeadAttention: (args: MultiHeadAttentionArgs) => new MultiHeadAttention(args),
  groupedQueryAttention: (args: GroupedQueryAttentionArgs) => new GroupedQueryAttention(args),
  /** Keras 3 exports GroupedQueryAttention under this name too. */
  groupQueryAttention: (args: GroupedQueryAttentionArgs) => new GroupedQueryAttention(args),
  attention: (args: AttentionArgs = {}) => new Attention(args),
  additiveAttention: (args: AdditiveAttentionArgs = {}) => new AdditiveAttention(args),
  positionEmbedding: (args: PositionEmbeddingArgs) => new PositionEmbedding(args),
  tokenAndPositionEmbedding: (args: TokenAndPositionEmbeddingArgs) => new TokenAndPositionEmbedding(args),
  sinePositionEncoding: (args: SinePositionEncodingArgs = {}) => new SinePositionEncoding(args),
  sinusoidalPositionEncoding: (args: SinePositionEncodingArgs = {}) => new SinePositionEncoding(args),
  rotaryEmbedding: (args: RotaryEmbeddingArgs = {}) => new RotaryEmbedding(args),
  transformerEncoder: (args: TransformerEncoderArgs) => new TransformerEncoder(args),
  transformerDecoder: (args: TransformerDecoderArgs) => new TransformerDecoder(args),
  reLU: (args: ReLUArgs = {}) => new ReLU(args),
  leakyReLU: (args: LeakyReLUArgs = {}) => new LeakyReLU(args),
  pReLU: (args: PReLUArgs = {}) => new PReLU(args),
  eLU: (args: ELUArgs = {}) => new ELU(args),
  /** TF.js' spelling of `eLU`. */
  elu: (args: ELUArgs = {}) => new ELU(args),
  /** TF.js' spelling of `pReLU`. */
  prelu: (args: PReLUArgs = {}) => new PReLU(args),
  thresholdedReLU: (args: ThresholdedReLUArgs = {}) => new ThresholdedReLU(args),
  softmax: (args: SoftmaxArgs = {}) => new Softmax(args),
  permute: (args: PermuteArgs) => new Permute(args),
  upSampling1d: (args: UpSampling1DArgs = {}) => new UpSampling1D(args),
  zeroPadding1d: (args: ZeroPadding1DArgs = {}) => new ZeroPadding1D(args),
  cropping1d: (args: Cropping1DArgs = {}) => new Cropping1D(args),
  gaussianDropout: (args: RandomDropArgs) => new GaussianDropout(args),
  alphaDropout: (args: AlphaDropoutArgs) => new AlphaDropout(args),
  spatialDropout1d: (args: SpatialDropoutArgs) => new SpatialDropout1D(args),
  spatialDropout3d: (args: SpatialDropoutArgs) => new SpatialDropout3D(args),
  groupNormalization: (args: GroupNormalizationArgs = {}) => new GroupNormalization(args),
  unitNormalization: (args: UnitNormalizationArgs = {}) => new UnitNormalization(args),
  rescaling: (args: RescalingArgs) => new Rescaling(args),
  resizing: (args: ResizingArgs) => new Resizing(args),
  centerCrop: (args: CenterCropArgs) => new CenterCrop(args),
  normalization: (args: PreprocessingNormalizationArgs = {}) => new Normalization(args),
  discretization: (args: DiscretizationArgs) => new Discretization(args),
  categoryEncoding: (args: CategoryEncodingArgs) => new CategoryEncoding(args),
  integerLookup: (args: IntegerLookupArgs = {}) => new IntegerLookup(args),
  stringLookup: (args: StringLookupArgs = {}) => new StringLookup(args),
  hashing: (args: HashingArgs) => new Hashing(args),
  lambda: (args: LambdaArgs) => new Lambda(args),
  rnn: (args: RNNArgs) => new RNN(args),
  simpleRNNCell: (args: SimpleRNNCellArgs) => new SimpleRNNCell(args),
  lstmCell: (args: LSTMCellArgs) => new LSTMCell(args),
  gruCell: (args: GRUCellArgs) => new GRUCell(args),
  stackedRNNCells: (args: StackedRNNCellsArgs) => new StackedRNNCells(args),
  conv3d: (args: Conv3DArgs) => new Conv3D(args),
  maxPooling3d: (args: Pooling3DArgs = {}) => new MaxPooling3D(args),
  averagePooling3d: (args: Pooling3DArgs = {}) => new AveragePooling3D(args),
  randomTranslation: (args: RandomTranslationArgs) => new RandomTranslation(args),
  randomRotation: (args: RandomRotationArgs) => new RandomRotation(args),
  randomZoom: (args: RandomZoomArgs) => new RandomZoom(args),
  randomContrast: (args: RandomContrastArgs) => new RandomContrast(args),
  convLstm2d: (args: ConvLSTM2DArgs) => new ConvLSTM2D(args),
  /** The same layer under the Keras class name's spelling. */
  convLSTM2d: (args: ConvLSTM2DArgs) => new ConvLSTM2D(args),
});
