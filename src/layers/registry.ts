import { ValueError } from '../core/errors.js';
import type { Config, SerializedObject } from '../initializers/initializer.js';
import type { Layer } from './layer.js';

/** Rebuilds a layer from its `getConfig()`. */
export type LayerFactory = (config: Config) => Layer;

const factories = new Map<string, LayerFactory>();

/**
 * Makes a layer class known to `deserializeLayer` (and so to model configs) under its class
 * name. Custom layers register the same way.
 *
 * @example
 * registerLayer('MyLayer', (config) => new MyLayer(config));
 */
export function registerLayer(className: string, factory: LayerFactory): void {
  factories.set(className, factory);
}

/** The class names `deserializeLayer` knows. */
export function layerClassNames(): string[] {
  return [...factories.keys()].sort();
}

/**
 * Rebuilds a layer from `{className, config}`. Only registered classes are built: configs are
 * data, never code.
 *
 * @example deserializeLayer({ className: 'Dense', config: { units: 3 } })
 */
export function deserializeLayer(serialized: SerializedObject): Layer {
  if (!serialized || typeof serialized !== 'object' || typeof serialized.className !== 'string') {
    throw new ValueError(`deserializeLayer: expected {className, config}, got ${JSON.stringify(serialized)}`);
  }
  const factory = factories.get(serialized.className);
  if (!factory) {
    throw new ValueError(
      `Unknown layer class '${serialized.className}'. Known classes: ${layerClassNames().join(', ')} (register custom layers with registerLayer)`,
    );
  }
  return factory({ ...(serialized.config ?? {}) });
}

/**
 * The `{className, config}` form of a layer.
 * @example serializeLayer(layers.dense({ units: 3 })); // { className: 'Dense', config: {...} }
 */
export function serializeLayer(layer: Layer): SerializedObject {
  return { className: layer.getClassName(), config: layer.getConfig() };
}
