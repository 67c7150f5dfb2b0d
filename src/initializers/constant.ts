import type { DType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { fill } from '../ops/creation.js';
import type { Config } from '../core/config.js';
import { Initializer, floatDtype } from './initializer.js';

/**
 * Fills a weight with one value (Keras `Constant(value=0.0)`).
 * @example new Constant({ value: 0.1 }).call([3]); // [0.1, 0.1, 0.1]
 */
export class Constant extends Initializer {
  static override readonly className: string = 'Constant';
  readonly value: number;

  constructor(args: { value?: number } = {}) {
    super();
    this.value = args.value ?? 0;
    if (typeof this.value !== 'number')
      throw new ValueError(`Constant initializer: 'value' must be a number, got ${JSON.stringify(this.value)}`);
  }

  call(shape: readonly number[], dtype?: DType): Tensor {
    return fill(shape, this.value, floatDtype(dtype, this.getClassName()));
  }

  getConfig(): Config {
    return { value: this.value };
  }
}

/**
 * All zeros (the default bias initializer).
 * @example new Zeros().call([2]); // [0, 0]
 */
export class Zeros extends Initializer {
  static override readonly className: string = 'Zeros';

  call(shape: readonly number[], dtype?: DType): Tensor {
    return fill(shape, 0, floatDtype(dtype, 'Zeros'));
  }

  getConfig(): Config {
    return {};
  }
}

/**
 * All ones.
 * @example new Ones().call([2]); // [1, 1]
 */
export class Ones extends Initializer {
  static override readonly className: string = 'Ones';

  call(shape: readonly number[], dtype?: DType): Tensor {
    return fill(shape, 1, floatDtype(dtype, 'Ones'));
  }

  getConfig(): Config {
    return {};
  }
}
