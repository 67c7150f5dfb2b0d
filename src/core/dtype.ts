/** Element types a tensor can hold. `float64` exists for gradient checks on the reference backend. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** The typed-array constructor that stores values of `dtype`. */
export function arrayTypeOf(
  dtype: DType,
): Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor {
  switch (dtype) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int32':
      return Int32Array;
    case 'bool':
      return Uint8Array;
  }
}

export function allocArray(dtype: DType, size: number): TypedArray {
  return new (arrayTypeOf(dtype))(size);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/**
 * The dtype of a binary op's result: floats win over integers, float64 over float32,
 * int32 over bool. Mixing is allowed (unlike TF.js) because users mix literal numbers freely.
 */
export function upcast(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

let floatX: 'float32' | 'float64' = 'float32';

/** The float dtype new weights and tensors made from plain numbers get (Keras' `floatx`). */
export function getFloatX(): 'float32' | 'float64' {
  return floatX;
}

/**
 * Sets the default float dtype. `setFloatX('float64')` is how gradient checks build float64 layers.
 * @example setFloatX('float64'); const w = randomNormal([3, 3]); // float64
 */
export function setFloatX(dtype: 'float32' | 'float64'): void {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`setFloatX: expected 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  }
  floatX = dtype;
}
