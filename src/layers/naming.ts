const counters = new Map<string, number>();

/**
 * Keras' default names: the first `dense`, then `dense_1`, `dense_2`, ...
 * @example uniqueName('dense'); // 'dense', then 'dense_1'
 */
export function uniqueName(prefix: string): string {
  const n = counters.get(prefix) ?? 0;
  counters.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/**
 * Keras' `to_snake_case` for class names: 'InputLayer' → 'input_layer', 'Conv2D' → 'conv2d',
 * 'ConvLSTM2D' → 'conv_lstm2d' (the group names of Keras weight files depend on it).
 * @example toSnakeCase('BatchNormalization'); // 'batch_normalization'
 */
export function toSnakeCase(name: string): string {
  const intermediate = name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  return intermediate.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
