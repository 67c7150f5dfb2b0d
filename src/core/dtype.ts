import { ValueError } from './errors.js';

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
    default:
      throw new ValueError(unsupportedDType(dtype, 'dtype'));
  }
}

/**
 * Throws a ValueError naming `who` unless `dtype` is one Myelin's tensors hold.
 * @example checkDType('float16', 'cast'); // ValueError: cast: unsupported dtype 'float16'; ...
 */
export function checkDType(dtype: unknown, who: string): DType {
  if ((DTYPES as readonly unknown[]).includes(dtype)) return dtype as DType;
  throw new ValueError(unsupportedDType(dtype, who));
}

function unsupportedDType(dtype: unknown, who: string): string {
  const hint =
    dtype === 'float16' || dtype === 'bfloat16'
      ? ` (${dtype} is not supported: compute in float32, e.g. convert half-precision data with Float32Array.from)`
      : dtype === 'int64' || dtype === 'uint64'
        ? ` (64-bit integers are not supported: use int32 when the values fit, float64 otherwise)`
        : '';
  return `${who}: unsupported dtype ${typeof dtype === 'string' ? `'${dtype}'` : String(dtype)}; expected one of ${DTYPES.join(', ')}${hint}`;
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
    throw new ValueError(`setFloatX: expected 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  }
  floatX = dtype;
}
