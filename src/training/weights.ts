import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';

/**
 * Per-sample weights from `sampleWeight` and/or `classWeight` (Keras: the class of a sample is
 * its integer label, or the argmax of a one-hot target). Returns undefined when neither is set.
 */
export function combineSampleWeights(
  n: number,
  y: Tensor,
  sampleWeight?: Tensor,
  classWeight?: Record<number, number>,
  call = 'fit',
): Tensor | undefined {
  if (!sampleWeight && !classWeight) return undefined;
  const w = new Float64Array(n).fill(1);
  if (sampleWeight) {
    if (sampleWeight.rank !== 1 || sampleWeight.shape[0] !== n) {
      throw new ValueError(
        `${call}: 'sampleWeight' must have shape [${n}] (one weight per sample), got ${fmtShape(sampleWeight.shape)}`,
      );
    }
    const sw = sampleWeight.dataSync();
    for (let i = 0; i < n; i++) w[i] = sw[i];
  }
  if (classWeight) {
    const labels = y.dataSync();
    const width = y.rank >= 2 ? y.shape[y.rank - 1] : 1;
    for (let i = 0; i < n; i++) {
      let cls: number;
      if (width > 1) {
        let best = 0;
        for (let k = 1; k < width; k++) if (labels[i * width + k] > labels[i * width + best]) best = k;
        cls = best;
      } else cls = Math.round(labels[i]);
      const cw = classWeight[cls];
      if (cw === undefined) {
        throw new ValueError(
          `${call}: 'classWeight' has no weight for class ${cls} (found in sample ${i}); it covers classes ${Object.keys(classWeight).join(', ')}`,
        );
      }
      w[i] *= cw;
    }
  }
  return tensor(Float32Array.from(w), [n], 'float32');
}
