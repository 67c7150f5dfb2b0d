import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { CompiledState } from './compile.js';
import { checkFinite, checkSampleCounts, checkShapes, toTensorList } from './data.js';
import type { TrainableModel } from './trainable_model.js';
import type { ModelData } from './types.js';

/** Validated inputs and targets in model order. */
export function prepareData(
  model: TrainableModel,
  x: ModelData,
  y: ModelData,
  call: string,
): { xs: Tensor[]; ys: Tensor[]; n: number } {
  const xs = checkShapes(toTensorList(x, model.inputNames, 'x', call), model.inputNames, model.inputShapes, 'x', call);
  const ys = checkShapes(
    toTensorList(y, model.outputNames, 'y', call),
    model.outputNames,
    model.outputShapes,
    'y',
    call,
  );
  const n = checkSampleCounts(
    [
      { arg: 'x', tensors: xs },
      { arg: 'y', tensors: ys },
    ],
    call,
  );
  checkFinite(xs, 'x', call);
  checkFinite(ys, 'y', call);
  if (model.compiled) checkSparseLabels(model, model.compiled, ys, call);
  return { xs, ys, n };
}

/**
 * Sparse categorical losses need integer class ids in [0, classes): checked on the whole
 * dataset up front, so the error names the sample in the user's data (not in a shuffled batch).
 */
function checkSparseLabels(model: TrainableModel, state: CompiledState, ys: Tensor[], call: string): void {
  state.losses.forEach((loss, i) => {
    if (loss.name !== 'sparse_categorical_crossentropy') return;
    const classes = model.outputShapes[i].at(-1);
    const y = ys[i];
    const label = ys.length > 1 ? `y[${i}] (output '${model.outputNames[i]}')` : 'y';
    // One class id per prediction: y has the output's shape without its class axis (or with a 1 there).
    const outRank = model.outputShapes[i].length;
    if (!(y.rank === outRank - 1 || (y.rank === outRank && y.shape[y.rank - 1] === 1))) {
      const expected = model.outputShapes[i].slice(0, -1);
      throw new ValueError(
        `${call}: sparseCategoricalCrossentropy expects ${label} to hold one integer class id per prediction (shape ${fmtShape(expected)} or ${fmtShape([...expected, 1])}), got shape ${fmtShape(y.shape)}; for one-hot targets use categoricalCrossentropy`,
      );
    }
    const v = y.dataSync();
    for (let k = 0; k < v.length; k++) {
      if (!Number.isInteger(v[k]) || v[k] < 0 || (typeof classes === 'number' && v[k] >= classes)) {
        throw new ValueError(
          `${call}: sparseCategoricalCrossentropy expects ${label} to hold integer class ids in [0, ${typeof classes === 'number' ? classes - 1 : 'classes - 1'}] (the output has ${classes} units), got ${v[k]} at sample ${k}`,
        );
      }
    }
  });
}
