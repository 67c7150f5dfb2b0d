import { ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';

/** Per-sample weights as given: a tensor of shape [n], or a plain array of n numbers. */
export type SampleWeightData = Tensor | readonly number[] | Float32Array | Float64Array;

/** The weights as numbers, checked: one per sample, each finite (a NaN would poison the loss). */
function sampleWeightValues(sampleWeight: SampleWeightData, n: number, arg: string, call: string): ArrayLike<number> {
  const isTensor = sampleWeight instanceof Tensor;
  if (!isTensor && !Array.isArray(sampleWeight) && !ArrayBuffer.isView(sampleWeight))
    throw new ValueError(
      `${call}: '${arg}' must be a tensor or an array of numbers (one weight per sample), got ${sampleWeight === null ? 'null' : typeof sampleWeight}`,
    );
  const shape = isTensor ? sampleWeight.shape : [(sampleWeight as ArrayLike<number>).length];
  if (shape.length !== 1 || shape[0] !== n)
    throw new ValueError(`${call}: '${arg}' must have shape [${n}] (one weight per sample), got ${fmtShape(shape)}`);
  const values = isTensor ? sampleWeight.dataSync() : (sampleWeight as ArrayLike<number>);
  for (let i = 0; i < n; i++) {
    const w = values[i];
    if (typeof w !== 'number' || !Number.isFinite(w))
      throw new ValueError(
        `${call}: '${arg}' is ${typeof w === 'number' ? w : JSON.stringify(w)} at sample ${i}; every sample weight must be a finite number`,
      );
  }
  return values;
}

/**
 * Per-sample weights from `sampleWeight` and/or `classWeight` (Keras: the class of a sample is
 * its integer label, or the argmax of a one-hot target). Returns undefined when neither is set.
 * Every weight is checked here, before training, so a bad one is named (rather than surfacing
 * later as a NaN loss).
 * @example combineSampleWeights(3, labels, [1, 2, 1]); // a [3] tensor
 */
export function combineSampleWeights(
  n: number,
  y: Tensor,
  sampleWeight?: SampleWeightData,
  classWeight?: Record<number, number>,
  call = 'fit',
  arg = 'sampleWeight',
): Tensor | undefined {
  if (!sampleWeight && !classWeight) return undefined;
  const w = new Float64Array(n).fill(1);
  if (sampleWeight) {
    const sw = sampleWeightValues(sampleWeight, n, arg, call);
    for (let i = 0; i < n; i++) w[i] = sw[i];
  }
  if (classWeight) {
    if (typeof classWeight !== 'object')
      throw new ValueError(`${call}: 'classWeight' must be an object {class: weight}, got ${typeof classWeight}`);
    for (const [cls, cw] of Object.entries(classWeight)) {
      if (typeof cw !== 'number' || !Number.isFinite(cw))
        throw new ValueError(
          `${call}: 'classWeight' for class ${cls} is ${typeof cw === 'number' ? cw : JSON.stringify(cw)}; class weights must be finite numbers`,
        );
    }
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
