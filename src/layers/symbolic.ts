import type { DType } from '../core/dtype.js';
import { fmtShape } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Layer } from './layer.js';

/** A shape whose unknown dimensions (the batch, usually) are `null`. */
export type Shape = (number | null)[];

let nextSymbolicId = 0;

/**
 * A placeholder for a tensor in a functional model: it has a dtype and a shape (batch `null`)
 * but no values, and remembers the layer call (node) that produced it.
 *
 * @example
 * const x = input({ shape: [4] });              // SymbolicTensor [null, 4]
 * const h = layers.dense({ units: 8 }).apply(x); // SymbolicTensor [null, 8]
 */
export class SymbolicTensor {
  readonly id = nextSymbolicId++;
  readonly shape: Shape;

  constructor(
    readonly dtype: DType,
    shape: readonly (number | null)[],
    /** The layer whose call produced this tensor. */
    readonly sourceLayer: Layer,
    /** That call. */
    readonly node: Node,
    /** Which of the call's outputs this is. */
    readonly tensorIndex: number,
  ) {
    this.shape = [...shape];
  }

  get rank(): number {
    return this.shape.length;
  }

  /** `layer_name` for a single-output layer, `layer_name:index` otherwise. */
  get name(): string {
    return this.node.outputs.length > 1 ? `${this.sourceLayer.name}:${this.tensorIndex}` : this.sourceLayer.name;
  }

  toString(): string {
    return `SymbolicTensor '${this.name}' ${this.dtype} ${fmtShape(this.shape)}`;
  }
}

/**
 * One call of a layer on symbolic inputs: the edges of a functional model's graph. An
 * InputLayer has one node with no inputs.
 */
export class Node {
  outputs: SymbolicTensor[] = [];

  constructor(
    readonly layer: Layer,
    readonly inputs: readonly SymbolicTensor[],
    /** Extra call arguments given at construction (e.g. `{training: true}`), replayed on execution. */
    readonly callArgs: Config = {},
  ) {}
}
