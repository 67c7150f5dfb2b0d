import { ValueError, fmtShape } from '../core/errors.js';
import { scoped, scopedWithSurvivors } from '../core/memory.js';
import { broadcastAxes, shapesEqual } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { trainableVariables, type Variable } from '../core/variable.js';
import { add } from '../ops/prims/binary.js';
import { ones, zerosLike } from '../ops/creation.js';
import { sum } from '../ops/prims/reduce.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { Tape, isRecording, noGrad, withTape } from './tape.js';

/**
 * Gradients of `y` (recorded on `tape`) with respect to `xs`, seeded with `dy` (ones by default).
 * A tensor `y` does not depend on gets a zero gradient.
 */
function backprop(tape: Tape, y: Tensor, xs: readonly Tensor[], dy?: Tensor, reached?: boolean[]): Tensor[] {
  const seed = dy ?? ones(y.shape, y.dtype);
  if (!shapesEqual(seed.shape, y.shape)) {
    throw new ValueError(
      `gradient: dy has shape ${fmtShape(seed.shape)} but the function's output has shape ${fmtShape(y.shape)}`,
    );
  }
  const grads = new Map<number, Tensor>([[y.id, seed]]);
  // Only nodes on a path from some x to y matter; walking all recorded nodes is still correct.
  for (let i = tape.nodes.length - 1; i >= 0; i--) {
    const node = tape.nodes[i];
    const g = grads.get(node.output.id);
    if (!g) continue;
    const inputGrads = node.backward(
      g,
      node.inputs.map((input) => tape.tracked.has(input.id)),
    );
    node.inputs.forEach((input, k) => {
      let gi = inputGrads[k];
      if (!gi || !tape.tracked.has(input.id)) return;
      if (!shapesEqual(gi.shape, input.shape)) gi = unbroadcast(gi, input.shape, node.name, k);
      const prev = grads.get(input.id);
      grads.set(input.id, prev ? add(prev, gi) : gi);
    });
  }
  if (reached) xs.forEach((x, i) => (reached[i] = grads.has(x.id)));
  return xs.map((x) => grads.get(x.id) ?? zerosLike(x));
}

/**
 * Sums a gradient computed at an op's output shape back to the shape of an input that was
 * broadcast up to it (NumPy rules), so gradient rules never undo broadcasting themselves.
 */
function unbroadcast(g: Tensor, shape: readonly number[], op: string, k: number): Tensor {
  const axes = broadcastAxes(shape, g.shape);
  if (!axes) {
    throw new Error(
      `internal: gradient of '${op}' input ${k} has shape ${fmtShape(g.shape)}, which does not broadcast from ${fmtShape(shape)}`,
    );
  }
  return reshape(sum(g, axes), shape);
}

function checkScalarOutput(y: unknown, fn: string): Tensor {
  if (!(y instanceof Tensor)) throw new ValueError(`${fn}: the function must return a tensor, got ${typeof y}`);
  return y;
}

/**
 * Runs `f` while recording, returning its value and the gradients of its output with respect
 * to `xs`. The building block of every other gradient function.
 */
export function valueAndGradsOf(
  f: () => Tensor,
  xs: readonly Tensor[],
  dy?: Tensor,
  fn = 'valueAndGrads',
  scope = true,
  reached?: boolean[],
): { value: Tensor; grads: Tensor[] } {
  const run = () => {
    const tape = new Tape();
    for (const x of xs) tape.watch(x);
    const value = checkScalarOutput(withTape(tape, f), fn);
    // Backward ops are not recorded on this tape (but are on any outer one: higher-order gradients).
    return { value, grads: backprop(tape, value, xs, dy, reached) };
  };
  // As in TF.js, intermediates of the forward and backward pass are freed when the call returns
  // (only the value and the gradients survive), so custom loops stay flat on every backend.
  // Inside an outer gradient call (higher-order gradients) the outer tape still needs them.
  return scope && !isRecording() ? scoped(run) : run();
}

/** `valueAndGradsOf` for callers that return only the gradients: f's value is freed too. */
function gradsOf(f: () => Tensor, xs: readonly Tensor[], dy: Tensor | undefined, fn: string): Tensor[] {
  const run = () => valueAndGradsOf(f, xs, dy, fn, false).grads;
  return isRecording() ? run() : scoped(run);
}

/**
 * `grad(f)` returns a function computing df/dx. `f` takes one tensor and returns one tensor
 * (summed implicitly: the gradient is of sum(f(x)) unless `dy` is given).
 * @example const dSquare = grad((x) => square(x)); dSquare(tensor([3])); // [6]
 */
export function grad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => Tensor {
  return (x, dy) => gradsOf(() => f(x), [x], dy, 'grad')[0];
}

/**
 * `grads(f)` returns a function computing the gradient of `f` with respect to each argument.
 * @example const [da, db] = grads((a, b) => mul(a, b))([a, b]);
 */
export function grads(f: (...args: Tensor[]) => Tensor): (args: Tensor[], dy?: Tensor) => Tensor[] {
  return (args, dy) => gradsOf(() => f(...args), args, dy, 'grads');
}

/** Like `grad`, also returning f(x). */
export function valueAndGrad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => { value: Tensor; grad: Tensor } {
  return (x, dy) => {
    const { value, grads: g } = valueAndGradsOf(() => f(x), [x], dy, 'valueAndGrad');
    return { value, grad: g[0] };
  };
}

/** Like `grads`, also returning f(...args). */
export function valueAndGrads(
  f: (...args: Tensor[]) => Tensor,
): (args: Tensor[], dy?: Tensor) => { value: Tensor; grads: Tensor[] } {
  return (args, dy) => valueAndGradsOf(() => f(...args), args, dy, 'valueAndGrads');
}

/**
 * Gradients `variableGrads` made, until an optimizer has applied them. A synchronous training
 * loop never lets the garbage collector's finalizers run, so memory the program drops is only
 * reclaimed when something frees it: these are freed by the update that consumes them.
 */
const unapplied = new WeakSet<Tensor>();

/**
 * Frees `grad` if `variableGrads` made it and nothing has `keep`-ed it: called by optimizers once
 * the gradient is applied. Returns whether it was freed. @internal
 */
export function releaseAppliedGradient(grad: Tensor): boolean {
  if (!unapplied.delete(grad) || grad.kept) return false;
  grad.dispose();
  return true;
}

/**
 * The value of `f` (which must return a scalar) and its gradient with respect to each
 * trainable variable in `varList` (keyed by variable name): a custom training loop's core.
 * Without `varList`, as in TF.js, every live trainable variable that `f` uses gets a gradient.
 * An optimizer's `applyGradients` frees these gradients once it has applied them (as TF.js'
 * `minimize` does), so a loop of the two stays flat without `tidy`; `keep` a gradient to use
 * it after it is applied.
 * @example
 * const { value, grads } = variableGrads(() => meanSquaredError(y, predict(x)), [w, b]);
 */
export function variableGrads(
  f: () => Tensor,
  varList?: readonly Variable[],
): { value: Tensor; grads: Record<string, Tensor> } {
  const { value, pairs } = variableGradPairs(f, varList, 'variableGrads');
  const out: Record<string, Tensor> = {};
  for (const { variable, grad } of pairs) out[variable.name] = grad;
  return { value, grads: out };
}

/**
 * `variableGrads` as a list of {variable, grad} (two variables may share a name). Without a
 * `varList`, every live trainable variable that `f` uses. @internal
 */
export function variableGradPairs(
  f: () => Tensor,
  varList: readonly Variable[] | undefined,
  fn: string,
): { value: Tensor; pairs: { variable: Variable; grad: Tensor }[] } {
  const all = varList === undefined || varList === null;
  const trainable = all ? trainableVariables() : varList.filter((v) => v.trainable);
  const reached: boolean[] = [];
  const call = () => valueAndGradsOf(f, trainable, undefined, fn, false, reached);
  let value: Tensor, g: Tensor[];
  if (isRecording()) ({ value, grads: g } = call());
  else {
    const { result, survivors } = scopedWithSurvivors(call);
    value = result.value;
    // Only tensors this call made are ever freed for the caller (never a tensor it was given).
    // Two variables can get one gradient tensor (x + y): each gets its own view, so applying
    // one frees nothing the other still needs.
    const made = new Set(survivors);
    const seen = new Set<Tensor>();
    g = result.grads.map((t) => {
      if (!made.has(t) || t === value) return t;
      const own = seen.has(t) ? new Tensor(t.handle, t.shape, t.dtype, t.backend) : t;
      seen.add(t);
      unapplied.add(own);
      return own;
    });
  }
  if (value.size !== 1)
    throw new ValueError(`${fn}: the function must return a scalar loss, got shape ${fmtShape(value.shape)}`);
  const pairs: { variable: Variable; grad: Tensor }[] = [];
  trainable.forEach((variable, i) => {
    // Without a varList, only the variables f uses (TF.js leaves the others out).
    if (!all || reached[i]) pairs.push({ variable, grad: g[i] });
    else if (unapplied.delete(g[i])) g[i].dispose();
  });
  if (all && pairs.length === 0)
    throw new ValueError(
      `${fn}: the function uses no trainable variable, so there is nothing to differentiate; create the weights with variable() or pass varList`,
    );
  return { value, pairs };
}

export { noGrad };
