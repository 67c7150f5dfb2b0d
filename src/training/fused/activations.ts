/**
 * Activations of the fused dense step, on plain arrays: the forward value and the backward
 * product dz = dy · f'(z), for a batch of `rows` rows of `cols` values. Each one follows the
 * eager activation of the same name (src/activations, src/ops), which the tests use as the oracle.
 */
export interface HostActivation {
  forward(z: Float64Array, y: Float64Array, rows: number, cols: number): void;
  backward(dy: Float64Array, z: Float64Array, y: Float64Array, dz: Float64Array, rows: number, cols: number): void;
}

const elementwise = (f: (z: number) => number, df: (z: number, y: number) => number): HostActivation => ({
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = f(z[i]);
  },
  backward(dy, z, y, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = dy[i] * df(z[i], y[i]);
  },
});

const linear: HostActivation = {
  forward(z, y, rows, cols) {
    y.set(z.subarray(0, rows * cols));
  },
  backward(dy, _z, _y, dz, rows, cols) {
    dz.set(dy.subarray(0, rows * cols));
  },
};

/** Softmax along each row, shifted by the row max (0 when the max is not finite), as the op. */
const softmax: HostActivation = {
  forward(z, y, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) if (z[o + j] > max) max = z[o + j];
      if (!Number.isFinite(max)) max = 0;
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        const e = Math.exp(z[o + j] - max);
        y[o + j] = e;
        sum += e;
      }
      for (let j = 0; j < cols; j++) y[o + j] /= sum;
    }
  },
  backward(dy, _z, y, dz, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += dy[o + j] * y[o + j];
      for (let j = 0; j < cols; j++) dz[o + j] = y[o + j] * (dy[o + j] - dot);
    }
  },
};

const sigmoidOf = (z: number): number => 1 / (1 + Math.exp(-z));
// The constants of the eager activations: SELU's (Klambauer et al.), leaky ReLU's Keras default.
const SELU_SCALE = 1.0507009873554805,
  SELU_ALPHA = 1.6732632423543772;
const LEAKY_ALPHA = 0.2;

/** The activations the fused step runs, by canonical Keras name. */
export const HOST_ACTIVATIONS: Readonly<Record<string, HostActivation>> = {
  linear,
  relu: elementwise(
    (z) => (z > 0 ? z : 0),
    (z) => (z > 0 ? 1 : 0),
  ),
  sigmoid: elementwise(sigmoidOf, (_z, y) => y * (1 - y)),
  tanh: elementwise(Math.tanh, (_z, y) => 1 - y * y),
  softplus: elementwise((z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))), sigmoidOf),
  elu: elementwise(
    (z) => (z > 0 ? z : Math.expm1(z)),
    (z, y) => (z > 0 ? 1 : y + 1),
  ),
  selu: elementwise(
    (z) => (z > 0 ? SELU_SCALE * z : SELU_SCALE * SELU_ALPHA * Math.expm1(z)),
    (z, y) => (z > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA),
  ),
  leaky_relu: elementwise(
    (z) => (z > 0 ? z : LEAKY_ALPHA * z),
    (z) => (z > 0 ? 1 : LEAKY_ALPHA),
  ),
  softmax,
};
