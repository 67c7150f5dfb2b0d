import type { DType } from '../core/dtype.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import type { Config } from '../core/config.js';
import { Initializer, checkSeed, floatDtype, rngFor } from './initializer.js';

/**
 * A (semi-)orthogonal matrix, reshaped to `shape` and scaled by `gain` (Keras
 * `Orthogonal(gain=1.0, seed=None)`): the Q of the QR decomposition of a normal matrix of
 * shape [prod(shape[:-1]), shape[-1]], with signs fixed so R has a positive diagonal.
 *
 * @example
 * const q = new Orthogonal({ seed: 3 }).call([4, 4]); // matMul(transpose(q), q) ≈ eye(4)
 */
export class Orthogonal extends Initializer {
  static override readonly className: string = 'Orthogonal';
  readonly gain: number;
  readonly seed: number | null;

  constructor(args: { gain?: number; seed?: number | null } = {}) {
    super();
    this.gain = args.gain ?? 1;
    this.seed = checkSeed(args.seed, 'Orthogonal');
  }

  call(shape: readonly number[], dtype?: DType): Tensor {
    if (shape.length < 2)
      throw new ValueError(`Orthogonal initializer: the shape must have rank >= 2, got ${fmtShape(shape)}`);
    const rows = sizeOf(shape.slice(0, -1));
    const cols = shape[shape.length - 1];
    const tall = Math.max(rows, cols);
    const narrow = Math.min(rows, cols);
    const rng = rngFor(this.seed);
    // Column-major storage: columns[j] is the j-th column of the tall [tall, narrow] matrix.
    const columns = Array.from({ length: narrow }, () => Float64Array.from({ length: tall }, () => rng.normal()));
    orthonormalizeColumns(columns);
    const out = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        // When rows < cols the tall matrix is the transpose of the result.
        out[i * cols + j] = this.gain * (rows >= cols ? columns[j][i] : columns[i][j]);
      }
    }
    return tensor(out, shape, floatDtype(dtype, 'Orthogonal'));
  }

  getConfig(): Config {
    return { gain: this.gain, seed: this.seed };
  }
}

/**
 * Modified Gram-Schmidt in place: equals QR's Q with R's diagonal made positive, which is what
 * Keras obtains with `q * sign(diag(r))`.
 */
function orthonormalizeColumns(columns: Float64Array[]): void {
  for (let j = 0; j < columns.length; j++) {
    const v = columns[j];
    // Two passes ("twice is enough") keep large matrices orthogonal to machine precision.
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const q = columns[k];
        let dot = 0;
        for (let i = 0; i < v.length; i++) dot += q[i] * v[i];
        for (let i = 0; i < v.length; i++) v[i] -= dot * q[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i] /= norm;
  }
}

/**
 * `gain` times the identity matrix; 2-D shapes only, rectangular allowed (Keras `Identity(gain=1.0)`).
 * @example new Identity().call([2, 3]); // [[1, 0, 0], [0, 1, 0]]
 */
export class Identity extends Initializer {
  static override readonly className: string = 'Identity';
  readonly gain: number;

  constructor(args: { gain?: number } = {}) {
    super();
    this.gain = args.gain ?? 1;
  }

  call(shape: readonly number[], dtype?: DType): Tensor {
    if (shape.length !== 2)
      throw new ValueError(`Identity initializer: only 2-D shapes are supported, got ${fmtShape(shape)}`);
    const [rows, cols] = shape;
    const out = new Float64Array(rows * cols);
    for (let i = 0; i < Math.min(rows, cols); i++) out[i * cols + i] = this.gain;
    return tensor(out, shape, floatDtype(dtype, 'Identity'));
  }

  getConfig(): Config {
    return { gain: this.gain };
  }
}
