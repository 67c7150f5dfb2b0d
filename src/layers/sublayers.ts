import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { Layer } from './layer.js';
import type { Shape } from './symbolic.js';

/**
 * A layer built from other layers (attention from its projections, a Transformer block from
 * attention, norms and dense layers). Its weights are its own followed by its sublayers', in
 * the order the sublayers were added, which is Keras' tracking order; sublayer names are
 * prefixed with the owner's (`mha/query`), so weight names read `mha/query/kernel`.
 *
 * @example
 * class Twice extends LayerWithSublayers {
 *   inner = this.track(new Dense({ units: 4, name: `${this.name}/inner` }));
 *   call(x: Tensor | Tensor[]) { return this.inner.apply(this.inner.apply(x as Tensor) as Tensor) as Tensor; }
 * }
 */
export abstract class LayerWithSublayers extends Layer {
  private readonly sublayers: Layer[] = [];

  /** Adds `layer` to the weights of this one and returns it. */
  protected track<L extends Layer>(layer: L): L {
    if (!this.trainable) layer.trainable = false;
    this.sublayers.push(layer);
    return layer;
  }

  /** The sublayers, in the order their weights follow this layer's own (file formats walk them). */
  get trackedLayers(): readonly Layer[] {
    return this.sublayers;
  }

  protected override managesSublayer(layer: Layer): boolean {
    return this.sublayers.includes(layer);
  }

  /** Builds a sublayer for `shape` unless it is built already. */
  protected buildSublayer(layer: Layer, shape: Shape | Shape[]): void {
    if (layer.built) return;
    layer.build(shape);
    layer.built = true;
  }

  override get trainable(): boolean {
    return super.trainable;
  }

  override set trainable(value: boolean) {
    super.trainable = value;
    for (const layer of this.sublayers ?? []) layer.trainable = value;
  }

  override get trainableWeights(): Variable[] {
    if (!this.trainable) return [];
    return [...super.trainableWeights, ...this.sublayers.flatMap((l) => l.trainableWeights)];
  }

  override get nonTrainableWeights(): Variable[] {
    if (!this.trainable) return [...super.nonTrainableWeights, ...this.sublayers.flatMap((l) => l.weights)];
    return [...super.nonTrainableWeights, ...this.sublayers.flatMap((l) => l.nonTrainableWeights)];
  }

  override weightRegularizationLosses(): Tensor[] {
    return [...super.weightRegularizationLosses(), ...this.sublayers.flatMap((l) => l.weightRegularizationLosses())];
  }
}
