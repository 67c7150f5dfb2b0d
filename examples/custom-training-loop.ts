/**
 * A training loop written by hand: two variables, the gradient of a loss with respect to them,
 * and an optimizer applying it. This is what `model.fit` does for you.
 *
 *   node dist/examples/custom-training-loop.js [steps]     (default 200; a hand-written loop counts
 *                                                          steps, not epochs)
 */
import * as my from 'myelin';

const steps = Number(process.argv[2] ?? 200);
my.setSeed(0);

// Noisy samples of y = 3x - 2.
const x = my.randomUniform([100, 1], -1, 1);
const y = x
  .mul(3)
  .sub(2)
  .add(my.randomNormal([100, 1], 0, 0.1));

const w = my.variable(my.zeros([1, 1]), true, 'w');
const b = my.variable(my.zeros([1]), true, 'b');
const optimizer = my.optimizers.sgd({ learningRate: 0.1 });

for (let step = 1; step <= steps; step++) {
  const { value: loss, grads } = my.variableGrads(() => my.matMul(x, w).add(b).sub(y).square().mean(), [w, b]);
  optimizer.applyGradients(grads, [w, b]);
  if (step % 50 === 0 || step === steps) console.log(`step ${step}: loss ${loss.item().toFixed(5)}`);
}
console.log(`w = ${w.item().toFixed(3)} (true 3), b = ${b.item().toFixed(3)} (true -2)`);
