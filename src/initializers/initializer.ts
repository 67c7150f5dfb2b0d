import type { Config } from '../core/config.js';
import { getFloatX, type DType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { globalRng, Rng } from '../core/rng.js';
import { sizeOf } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';

// Re-exported so that code importing them from here keeps compiling; they live in core/config.ts.
export type { Config, SerializedObject } from '../core/config.js';

/**
 * Produces the initial value of a weight. Subclasses implement `call` and `getConfig`; the
 * static `className` is the name a serialized config uses to rebuild it.
 *
 * @example
 * const w = new GlorotUniform().call([4, 3]); // a [4, 3] tensor of floatX
 */
export abstract class Initializer {
  static readonly className: string = 'Initializer';

  /** Draws (or builds) a tensor of `shape`; `dtype` defaults to floatX. */
  abstract call(shape: readonly number[], dtype?: DType): Tensor;

  abstract getConfig(): Config;

  getClassName(): string {
    return (this.constructor as typeof Initializer).className;
  }
}

/**
 * Keras' fan computation: for a kernel of rank > 2 (convolutions) the receptive field size
 * (product of all but the last two dims) multiplies both fans.
 *
 * @example
 * computeFans([3, 3, 16, 32]); // { fanIn: 144, fanOut: 288 }
 */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  const receptiveField = sizeOf(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2] * receptiveField, fanOut: shape[shape.length - 1] * receptiveField };
}

/**
 * The generator an initializer draws from. An explicit seed gives the same values on every
 * call (Keras' stateless seeded initializers); otherwise the global, `setSeed`-able one.
 */
export function rngFor(seed: number | null | undefined): Rng {
  return seed === null || seed === undefined ? globalRng : new Rng(seed);
}

/** Fills a tensor of `shape` with `draw()` values. */
export function sample(shape: readonly number[], dtype: DType | undefined, draw: () => number): Tensor {
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = draw();
  return tensor(values, shape, floatDtype(dtype, 'initializer'));
}

/** Initializers produce float weights; an integer dtype is a user error. */
export function floatDtype(dtype: DType | undefined, who: string): DType {
  const dt = dtype ?? getFloatX();
  if (dt !== 'float32' && dt !== 'float64')
    throw new ValueError(`${who}: expected a float dtype (float32 or float64), got ${dt}`);
  return dt;
}

/** A normal draw truncated to two standard deviations (values beyond are re-drawn, as in Keras). */
export function truncatedNormalDraw(rng: Rng, mean: number, stddev: number): number {
  for (;;) {
    const z = rng.normal();
    if (Math.abs(z) <= 2) return mean + stddev * z;
  }
}

/** Checks a seed argument: undefined/null or an integer. */
export function checkSeed(seed: unknown, who: string): number | null {
  if (seed === undefined || seed === null) return null;
  if (typeof seed !== 'number' || !Number.isInteger(seed))
    throw new ValueError(`${who}: 'seed' must be an integer, got ${JSON.stringify(seed)}`);
  return seed;
}
