/**
 * The type names TF.js programs write in TypeScript, for the same Myelin types: every rank of
 * tensor is a `Tensor` (Myelin checks ranks at run time, not in the types).
 * @example function predict(x: Tensor2D): Scalar { ... }
 */
import type { Tensor } from './tensor.js';
import type { Variable } from './variable.js';

export type Scalar = Tensor;
export type Tensor1D = Tensor;
export type Tensor2D = Tensor;
export type Tensor3D = Tensor;
export type Tensor4D = Tensor;
export type Tensor5D = Tensor;
export type Tensor6D = Tensor;
/** TF.js' rank names. */
export type Rank = 'R0' | 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6';
/** TF.js' name for a layer's weight. */
export type LayerVariable = Variable;
