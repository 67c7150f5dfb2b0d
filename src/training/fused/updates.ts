import { Adagrad } from '../../optimizers/adagrad.js';
import { Adam } from '../../optimizers/adam.js';
import type { Optimizer } from '../../optimizers/optimizer.js';
import { RMSprop } from '../../optimizers/rmsprop.js';
import { SGD } from '../../optimizers/sgd.js';

/**
 * An optimizer's update as a loop over plain arrays: the formula of its `updateStep` (the tests
 * hold the two together), slots in the order `updateStep` creates them, each named as the
 * optimizer names it (`<variable name>/<slot>`) and starting at `initial`.
 */
export interface ArrayUpdate {
  readonly slots: readonly { readonly name: string; readonly initial: number }[];
  update(
    param: Float32Array | Float64Array,
    grad: Float64Array,
    slots: (Float32Array | Float64Array)[],
    learningRate: number,
  ): void;
}

function sgd(o: SGD): ArrayUpdate {
  const { momentum, nesterov } = o;
  if (momentum === 0) {
    return {
      slots: [],
      update: (p, g, _slots, lr) => {
        for (let i = 0; i < p.length; i++) p[i] -= g[i] * lr;
      },
    };
  }
  return {
    slots: [{ name: 'momentum', initial: 0 }],
    update: (p, g, [m], lr) => {
      for (let i = 0; i < p.length; i++) {
        m[i] = m[i] * momentum - g[i] * lr;
        p[i] += nesterov ? m[i] * momentum - g[i] * lr : m[i];
      }
    },
  };
}

function adam(o: Adam): ArrayUpdate | null {
  if (o.amsgrad) return null;
  const { beta1, beta2, epsilon } = o;
  return {
    slots: [
      { name: 'momentum', initial: 0 },
      { name: 'velocity', initial: 0 },
    ],
    update: (p, g, [m, v], lr) => {
      const t = o.iterations + 1;
      const alpha = (lr * Math.sqrt(1 - Math.pow(beta2, t))) / (1 - Math.pow(beta1, t));
      for (let i = 0; i < p.length; i++) {
        m[i] += (g[i] - m[i]) * (1 - beta1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - beta2);
        p[i] -= (alpha * m[i]) / (Math.sqrt(v[i]) + epsilon);
      }
    },
  };
}

function rmsprop(o: RMSprop): ArrayUpdate {
  const { rho, momentum, epsilon, centered } = o;
  // Slots in updateStep's creation order: velocity, then average_gradient, then momentum.
  const slots = [{ name: 'velocity', initial: 0 }];
  if (centered) slots.push({ name: 'average_gradient', initial: 0 });
  if (momentum > 0) slots.push({ name: 'momentum', initial: 0 });
  return {
    slots,
    update: (p, g, state, lr) => {
      const s = state[0],
        avg = centered ? state[1] : null,
        mom = momentum > 0 ? state[state.length - 1] : null;
      for (let i = 0; i < p.length; i++) {
        s[i] = s[i] * rho + g[i] * g[i] * (1 - rho);
        let denominator = s[i] + epsilon;
        if (avg) {
          avg[i] = avg[i] * rho + g[i] * (1 - rho);
          denominator = s[i] - avg[i] * avg[i] + epsilon;
        }
        const increment = (g[i] * lr) / Math.sqrt(denominator);
        if (mom) {
          mom[i] = mom[i] * momentum + increment;
          p[i] -= mom[i];
        } else {
          p[i] -= increment;
        }
      }
    },
  };
}

function adagrad(o: Adagrad): ArrayUpdate {
  const { epsilon } = o;
  return {
    slots: [{ name: 'accumulator', initial: o.initialAccumulatorValue }],
    update: (p, g, [acc], lr) => {
      for (let i = 0; i < p.length; i++) {
        acc[i] += g[i] * g[i];
        p[i] -= (g[i] * lr) / Math.sqrt(acc[i] + epsilon);
      }
    },
  };
}

/**
 * The array form of `optimizer`'s update, read from its public hyperparameters, or why there is
 * none. Exact classes only: a subclass (AdamW, or one of your own) may update differently.
 */
export function arrayUpdate(optimizer: Optimizer): ArrayUpdate | string {
  const o = optimizer;
  if (o.weightDecay || o.clipNorm || o.clipValue || o.globalClipNorm)
    return `optimizer '${o.name}' uses weight decay or gradient clipping, which the fused step does not do`;
  const update =
    o.constructor === SGD
      ? sgd(o as SGD)
      : o.constructor === Adam
        ? adam(o as Adam)
        : o.constructor === RMSprop
          ? rmsprop(o as RMSprop)
          : o.constructor === Adagrad
            ? adagrad(o as Adagrad)
            : null;
  return update ?? `optimizer '${o.name}' (${o.className}) has no fused update (fused: SGD, Adam, RMSprop, Adagrad)`;
}
