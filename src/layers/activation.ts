import type { Tensor } from '../core/tensor.js';
import {
  getActivation,
  serializeActivation,
  type Activation as ActivationFn,
  type ActivationIdentifier,
} from '../activations/index.js';
import type { Config } from '../core/config.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';

export interface ActivationArgs extends LayerArgs {
  activation: ActivationIdentifier;
}

/**
 * Applies an activation function element-wise (shape unchanged).
 * @example new Activation({ activation: 'softmax' }).apply(logits);
 */
export class Activation extends Layer {
  static override readonly className: string = 'Activation';
  readonly activation: ActivationFn;

  constructor(args: ActivationArgs) {
    super(args);
    this.activation = getActivation(args.activation);
    this.supportsMasking = true; // as in Keras 3: the input mask passes through
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return this.activation.apply(inputs as Tensor);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), activation: serializeActivation(this.activation) };
  }
}

registerLayerClass(Activation);
