// Layer normalization over the last axis on the backend's fused kernels, with its gradient beside
// it. The LayerNormalization layer calls it when the backend has the kernels and builds the same
// function from moments otherwise.
import { isRecording, record } from '../../autograd/tape.js';
import type { Tensor } from '../../core/tensor.js';
import { wrap } from '../convert.js';
import { add, div, mul, sub } from './binary.js';
import { sum } from './reduce.js';
import { rsqrt, square } from './unary.js';

/**
 * (x - mean)·rstd·gamma + beta over the last axis of `x`, with rstd = 1/sqrt(variance + epsilon)
 * (biased variance), gamma and beta vectors of the last axis' size or null; null when the
 * backend has no fused layer normalization.
 * @example const y = fusedLayerNorm(x, gamma, beta, 1e-5) ?? composite(x);
 */
export function fusedLayerNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, epsilon: number): Tensor | null {
  const be = x.backend;
  if (!be.layerNorm || !be.layerNormGrad || x.rank === 0) return null;
  const cols = x.shape[x.rank - 1];
  for (const p of [gamma, beta])
    if (p && (p.backend !== be || p.dtype !== x.dtype || p.rank !== 1 || p.shape[0] !== cols)) return null;
  const [yH, meanH, rstdH] = be.layerNorm(x, gamma, beta, epsilon);
  const rows = x.shape.slice(0, -1);
  const y = wrap(yH, x.shape, x.dtype);
  const mean = wrap(meanH, rows, x.dtype),
    rstd = wrap(rstdH, rows, x.dtype);
  const inputs = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  if (!isRecording()) {
    mean.dispose();
    rstd.dispose();
    return y;
  }
  return record('layerNorm', inputs, y, (dy) => {
    let dx: Tensor, dGamma: Tensor, dBeta: Tensor;
    if (isRecording()) [dx, dGamma, dBeta] = layerNormGradComposite(x, gamma, dy, epsilon);
    else {
      const [dxH, dgH, dbH] = be.layerNormGrad!(x, mean, rstd, gamma, dy);
      [dx, dGamma, dBeta] = [wrap(dxH, x.shape, x.dtype), wrap(dgH, [cols], x.dtype), wrap(dbH, [cols], x.dtype)];
    }
    return [dx, ...(gamma ? [dGamma] : []), ...(beta ? [dBeta] : [])];
  });
}

/**
 * The fused kernel's gradient from primitives, its statistics recomputed from x, so that an
 * outer gradient (a second derivative) can differentiate it.
 */
function layerNormGradComposite(
  x: Tensor,
  gamma: Tensor | null,
  dy: Tensor,
  epsilon: number,
): [Tensor, Tensor, Tensor] {
  const a = x.rank - 1,
    cols = x.shape[a];
  const centered = sub(x, div(sum(x, a, true), cols));
  const s = rsqrt(add(div(sum(square(centered), a, true), cols), epsilon));
  const xHat = mul(centered, s);
  const g = gamma ? mul(dy, gamma) : dy;
  const meanG = div(sum(g, a, true), cols);
  const meanGX = div(sum(mul(g, xHat), a, true), cols);
  const dx = mul(s, sub(sub(g, meanG), mul(xHat, meanGX)));
  const lead = Array.from({ length: a }, (_, i) => i);
  return [dx, sum(mul(dy, xHat), lead), sum(dy, lead)];
}
