import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { broadcastTo } from '../ops/prims/binary.js';
import { expandDims } from '../ops/dims.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './symbolic.js';

export interface RepeatVectorArgs extends LayerArgs {
  /** How many times to repeat each sample's vector. */
  n: number;
}

/**
 * Repeats each sample's vector `n` times: [batch, features] → [batch, n, features] (Keras
 * `RepeatVector`), e.g. to feed an encoder's summary to every step of a decoder.
 * @example new RepeatVector({ n: 3 }).apply(zeros([2, 4])); // shape [2, 3, 4]
 */
export class RepeatVector extends Layer {
  static override readonly className: string = 'RepeatVector';
  readonly n: number;

  constructor(args: RepeatVectorArgs) {
    super(args);
    if (!Number.isInteger(args?.n) || args.n < 0)
      throw new ValueError(
        `RepeatVector '${this.name}': 'n' must be a non-negative integer, got ${JSON.stringify(args?.n)}`,
      );
    this.n = args.n;
    this.inputSpec = [{ ndim: 2 }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    return broadcastTo(expandDims(x, 1), [x.shape[0], this.n, x.shape[1]]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return [shape[0], this.n, shape[1]];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), n: this.n };
  }
}

registerLayer(RepeatVector.className, (config) => new RepeatVector(config as unknown as RepeatVectorArgs));
