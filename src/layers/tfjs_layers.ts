/**
 * The `layers` namespace with TF.js' further names: its spellings of pooling and cropping
 * factories (`maxPool2d`, `globalMaxPool1d`, `cropping2D`, ...), `layers.input`, and
 * `layers.Layer`, the base class TF.js custom layers extend (Myelin's `Layer`). Every factory
 * of the Keras-named namespace is here too, so new layers appear under both.
 * @example class Scale extends layers.Layer { ... }  layers.maxPool2d({ poolSize: 2 });
 */
import { input } from './input_layer.js';
import { Layer } from './layer.js';
import { layers as kerasNames } from './index.js';

const aliases = {
  maxPool1d: kerasNames.maxPooling1d,
  maxPool2d: kerasNames.maxPooling2d,
  avgPool1d: kerasNames.averagePooling1d,
  avgPool2d: kerasNames.averagePooling2d,
  avgPooling1d: kerasNames.averagePooling1d,
  avgPooling2d: kerasNames.averagePooling2d,
  globalMaxPool1d: kerasNames.globalMaxPooling1d,
  globalMaxPool2d: kerasNames.globalMaxPooling2d,
  globalAvgPool1d: kerasNames.globalAveragePooling1d,
  globalAvgPool2d: kerasNames.globalAveragePooling2d,
  cropping2D: kerasNames.cropping2d,
  input,
  Layer,
};

/**
 * Layer factories, as in TF.js, with TF.js' alternative names. Each checks its options: a key
 * the layer does not accept (`activaton`) is an error naming it and the closest valid one.
 * @example
 * const m = sequential({ layers: [
 *   layers.conv2d({ filters: 8, kernelSize: 3, inputShape: [28, 28, 1] }),
 *   layers.maxPool2d({ poolSize: 2 }),
 * ] });
 */
export const layers: typeof kerasNames & typeof aliases = { ...kerasNames, ...aliases };
