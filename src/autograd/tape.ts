import { setRecordingProbe } from '../core/memory.js';
import type { Tensor } from '../core/tensor.js';

/**
 * Reverse-mode autodiff in the TF.js style: while a gradient function runs, every op whose
 * inputs depend on a watched tensor appends a node (inputs, output, backward) to the active
 * tape. Backprop walks the tape backwards. The tape lives only for one gradient call, so no
 * graph outlives it and nothing needs disposing.
 */
/**
 * d(loss)/d(input_i) from dy = d(loss)/d(output). `needs[i]` says whether input i's gradient is
 * used (the input depends on a watched tensor): an op whose gradients are costly (a matrix
 * product's, against a data batch) returns null for the others instead of computing them.
 */
export type BackwardFn = (dy: Tensor, needs: readonly boolean[]) => (Tensor | null)[];

export interface TapeNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly backward: BackwardFn;
}

export class Tape {
  readonly nodes: TapeNode[] = [];
  /** Ids of tensors that depend on a watched tensor. */
  readonly tracked = new Set<number>();

  watch(t: Tensor): void {
    this.tracked.add(t.id);
  }
}

const activeTapes: Tape[] = [];
let pausedDepth = 0;

/** True while some gradient function is recording. Ops use it to skip closure allocation. */
export function isRecording(): boolean {
  return activeTapes.length > 0 && pausedDepth === 0;
}

// A `tidy` closing while a tape records frees nothing the backward pass could need.
setRecordingProbe(isRecording);

/**
 * Records `output = name(inputs)` on every active tape that tracks one of the inputs, with the
 * backward function giving d(loss)/d(input_i) from dy = d(loss)/d(output). Returns `output`.
 */
export function record(name: string, inputs: readonly Tensor[], output: Tensor, backward: BackwardFn): Tensor {
  if (!isRecording()) return output;
  for (const tape of activeTapes) {
    let depends = false;
    for (const x of inputs)
      if (tape.tracked.has(x.id)) {
        depends = true;
        break;
      }
    if (!depends) continue;
    tape.nodes.push({ name, inputs, output, backward });
    tape.tracked.add(output.id);
  }
  return output;
}

/** Runs `fn` with a fresh tape active; the tape is removed even if `fn` throws. */
export function withTape<T>(tape: Tape, fn: () => T): T {
  activeTapes.push(tape);
  try {
    return fn();
  } finally {
    const i = activeTapes.lastIndexOf(tape);
    if (i >= 0) activeTapes.splice(i, 1);
  }
}

/** Runs `fn` without recording anything (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  pausedDepth++;
  try {
    return fn();
  } finally {
    pausedDepth--;
  }
}
