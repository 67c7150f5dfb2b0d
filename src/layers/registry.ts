import type { Config, SerializedObject } from '../core/config.js';
import { Registry, type ConfigurableClass, type EntryNames } from '../core/registry.js';
import { ValueError } from '../core/errors.js';
import { Layer } from './layer.js';

/** Rebuilds a layer from its `getConfig()`. */
export type LayerFactory = (config: Config) => Layer;

/** Layer classes by class name: what model configs and saved files are rebuilt from. */
export const layerRegistry = new Registry<Layer>({
  kind: 'layer class',
  getter: 'deserializeLayer',
  registerWith: 'registerLayer',
  alsoAccepts: 'a Layer',
  isInstance: (value): value is Layer => value instanceof Layer,
  classNameOf: (layer) => layer.getClassName(),
  configOf: (layer) => layer.getConfig(),
  sorted: true,
});

/**
 * Makes a layer class known to `deserializeLayer` (and so to model configs) under its class
 * name, built by `factory`. Custom layers register the same way (or with
 * `serialization.registerClass(MyLayer)`).
 *
 * @example
 * registerLayer('MyLayer', (config) => new MyLayer(config));
 */
export function registerLayer(className: string, factory: LayerFactory, spellings?: EntryNames): void {
  layerRegistry.register(className, factory, spellings);
}

/**
 * Registers a layer class under its static `className`, built with `new cls(config)`.
 * @example registerLayerClass(Dense);
 */
export function registerLayerClass(cls: ConfigurableClass<Layer>, spellings?: EntryNames): void {
  layerRegistry.registerClass(cls, spellings);
}

/** The class names `deserializeLayer` knows. */
export function layerClassNames(): string[] {
  return layerRegistry.names();
}

/**
 * Rebuilds a layer from `{className, config}`. Only registered classes are built: configs are
 * data, never code. Config keys the class does not know are ignored (files written by Keras
 * and TF.js carry some), unlike the options of `layers.dense(...)`.
 *
 * @example deserializeLayer({ className: 'Dense', config: { units: 3 } })
 */
export function deserializeLayer(serialized: SerializedObject): Layer {
  if (!serialized || typeof serialized !== 'object' || typeof serialized.className !== 'string') {
    throw new ValueError(`deserializeLayer: expected {className, config}, got ${JSON.stringify(serialized)}`);
  }
  return layerRegistry.fromConfig(serialized);
}

/**
 * The `{className, config}` form of a layer.
 * @example serializeLayer(layers.dense({ units: 3 })); // { className: 'Dense', config: {...} }
 */
export function serializeLayer(layer: Layer): SerializedObject {
  return layerRegistry.serialize(layer);
}
