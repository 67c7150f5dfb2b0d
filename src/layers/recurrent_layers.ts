import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import {
  getActivation,
  serializeActivation,
  type Activation,
  type ActivationIdentifier,
} from '../activations/index.js';
import type { Config } from '../core/config.js';
import { add, mul, sub } from '../ops/prims/binary.js';
import { concat } from '../ops/prims/concat.js';
import { ones } from '../ops/creation.js';
import { matMul } from '../ops/prims/matmul.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { slice } from '../ops/prims/slice.js';
import { split } from '../ops/stack.js';
import { lstmCellFused } from '../ops/prims/lstm_cell.js';
import { lstmSequenceFused } from '../ops/prims/lstm_sequence.js';
import { noGrad } from '../autograd/tape.js';
import { RecurrentLayer, type RecurrentArgs, type StepResult, type WholeSequence } from './recurrent.js';
import { registerLayerClass } from './registry.js';

/** The recurrent product h·U, with the recurrent dropout mask applied to h when training. */
function recurrentProduct(h: Tensor, kernel: Tensor, mask: Tensor | null): Tensor {
  return matMul(mask ? mul(h, mask) : h, kernel);
}

/**
 * Fully connected recurrence, `h_t = activation(x_t·W + h_{t-1}·U + b)` (Keras `SimpleRNN`).
 * Kernel [inputDim, units], recurrent kernel [units, units], bias [units].
 *
 * @example
 * const rnn = new SimpleRNN({ units: 8, returnSequences: true });
 * rnn.apply(ones([2, 5, 3])); // shape [2, 5, 8]
 */
export class SimpleRNN extends RecurrentLayer {
  static override readonly className: string = 'SimpleRNN';
  protected readonly gates = 1;
  protected readonly stateCount = 1;

  protected step(x: Tensor, [h]: Tensor[], recurrentMask: Tensor | null): StepResult {
    const out = this.activation.apply(add(x, recurrentProduct(h, this.recurrentKernel as Variable, recurrentMask)));
    return { output: out, states: [out] };
  }
}

/** Arguments of `lstm` and `gru`: the gate activation on top of the shared ones. */
export interface GatedRecurrentArgs extends RecurrentArgs {
  /** Activation of the gates; default 'sigmoid' (Keras 3). */
  recurrentActivation?: ActivationIdentifier;
}

export interface LSTMArgs extends GatedRecurrentArgs {
  /** Initialise the forget gate's bias to 1 (Jozefowicz et al. 2015); default true. */
  unitForgetBias?: boolean;
}

/**
 * Long short-term memory (Hochreiter & Schmidhuber 1997), Keras layout: kernel
 * [inputDim, 4·units], recurrent kernel [units, 4·units], bias [4·units], gates in the order
 * input, forget, cell, output. States are [h, c].
 *
 * @example
 * const lstm = new LSTM({ units: 16, returnState: true });
 * const [out, h, c] = lstm.apply(ones([2, 5, 3])) as Tensor[];
 */
export class LSTM extends RecurrentLayer {
  static override readonly className: string = 'LSTM';
  protected readonly gates = 4;
  protected readonly stateCount = 2;
  readonly recurrentActivation: Activation;
  readonly unitForgetBias: boolean;

  constructor(args: LSTMArgs) {
    super(args);
    this.recurrentActivation = getActivation(
      args.recurrentActivation === undefined ? 'sigmoid' : args.recurrentActivation,
    );
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  override build(inputShape: Parameters<RecurrentLayer['build']>[0]): void {
    super.build(inputShape);
    if (!this.bias || !this.unitForgetBias) return;
    // Keras: bias = [init(units), ones(units), init(2·units)].
    const u = this.units;
    noGrad(() => {
      const init = this.biasInitializer;
      const dtype = this.dtype;
      (this.bias as Variable).assign(concat([init.call([u], dtype), ones([u], dtype), init.call([2 * u], dtype)]));
    });
  }

  protected step(x: Tensor, [h, c]: Tensor[], recurrentMask: Tensor | null): StepResult {
    const z = add(x, recurrentProduct(h, this.recurrentKernel as Variable, recurrentMask));
    // The default activations have a fused cell on most backends: one kernel instead of a dozen.
    const fused = this.defaultActivations ? lstmCellFused(z, c) : null;
    if (fused) return { output: fused[0], states: fused };
    const [zi, zf, zc, zo] = split(z, 4, 1);
    const i = this.recurrentActivation.apply(zi);
    const f = this.recurrentActivation.apply(zf);
    const cNew = add(mul(f, c), mul(i, this.activation.apply(zc)));
    const o = this.recurrentActivation.apply(zo);
    const hNew = mul(o, this.activation.apply(cNew));
    return { output: hNew, states: [hNew, cNew] };
  }

  /** Every step in one fused kernel (default activations, a backend that has it). */
  protected override wholeSequence(projected: Tensor, [h0, c0]: Tensor[]): WholeSequence | null {
    if (!this.defaultActivations) return null;
    const fused = lstmSequenceFused(projected, this.recurrentKernel as Variable, h0, c0);
    if (!fused) return null;
    const [hs, cs] = fused;
    const [steps, batch, units] = hs.shape;
    const lastOf = (t: Tensor) => reshape(slice(t, [steps - 1, 0, 0], [1, batch, units]), [batch, units]);
    const h = lastOf(hs);
    return { sequence: hs, last: h, states: [h, lastOf(cs)] };
  }

  /** True for sigmoid gates and a tanh activation, the ones the fused cell computes. */
  private get defaultActivations(): boolean {
    return (
      serializeActivation(this.recurrentActivation) === 'sigmoid' && serializeActivation(this.activation) === 'tanh'
    );
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      recurrentActivation: serializeActivation(this.recurrentActivation),
      unitForgetBias: this.unitForgetBias,
    };
  }
}

export interface GRUArgs extends GatedRecurrentArgs {
  /** Apply the reset gate after the recurrent product (Keras 3 and cuDNN default, true). */
  resetAfter?: boolean;
}

/**
 * Gated recurrent unit (Cho et al. 2014), Keras layout: kernel [inputDim, 3·units], recurrent
 * kernel [units, 3·units], gates in the order update (z), reset (r), candidate (h); with
 * `resetAfter` (default) the bias is [2, 3·units]: row 0 for the input, row 1 for the
 * recurrent product.
 *
 * @example
 * const gru = new GRU({ units: 16 });
 * gru.apply(ones([2, 5, 3])); // shape [2, 16]
 */
export class GRU extends RecurrentLayer {
  static override readonly className: string = 'GRU';
  protected readonly gates = 3;
  protected readonly stateCount = 1;
  readonly recurrentActivation: Activation;
  readonly resetAfter: boolean;
  private recurrentBias: Tensor | null = null;
  private gateKernel: Tensor | null = null;
  private candidateKernel: Tensor | null = null;

  constructor(args: GRUArgs) {
    super(args);
    this.recurrentActivation = getActivation(
      args.recurrentActivation === undefined ? 'sigmoid' : args.recurrentActivation,
    );
    this.resetAfter = args.resetAfter ?? true;
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  protected override inputBias(): Tensor | null {
    if (!this.bias || !this.resetAfter) return this.bias;
    return reshape(slice(this.bias, [0, 0], [1, -1]), [3 * this.units]);
  }

  protected override beginSequence(): void {
    const u = this.units;
    const rk = this.recurrentKernel as Variable;
    this.recurrentBias = this.bias && this.resetAfter ? reshape(slice(this.bias, [1, 0], [1, -1]), [3 * u]) : null;
    this.gateKernel = this.resetAfter ? null : slice(rk, [0, 0], [u, 2 * u]);
    this.candidateKernel = this.resetAfter ? null : slice(rk, [0, 2 * u], [u, u]);
  }

  protected step(x: Tensor, [h]: Tensor[], recurrentMask: Tensor | null): StepResult {
    const [xz, xr, xh] = split(x, 3, 1);
    let z: Tensor, hh: Tensor;
    if (this.resetAfter) {
      let inner = recurrentProduct(h, this.recurrentKernel as Variable, recurrentMask);
      if (this.recurrentBias) inner = add(inner, this.recurrentBias);
      const [rz, rr, rh] = split(inner, 3, 1);
      z = this.recurrentActivation.apply(add(xz, rz));
      const r = this.recurrentActivation.apply(add(xr, rr));
      hh = this.activation.apply(add(xh, mul(r, rh)));
    } else {
      const hIn = recurrentMask ? mul(h, recurrentMask) : h;
      const [rz, rr] = split(matMul(hIn, this.gateKernel as Tensor), 2, 1);
      z = this.recurrentActivation.apply(add(xz, rz));
      const r = this.recurrentActivation.apply(add(xr, rr));
      hh = this.activation.apply(add(xh, matMul(mul(r, hIn), this.candidateKernel as Tensor)));
    }
    // h = z·h_prev + (1 - z)·candidate
    const hNew = add(hh, mul(z, sub(h, hh)));
    return { output: hNew, states: [hNew] };
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      recurrentActivation: serializeActivation(this.recurrentActivation),
      resetAfter: this.resetAfter,
    };
  }
}

registerLayerClass(SimpleRNN);
registerLayerClass(LSTM);
registerLayerClass(GRU);
