import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { broadcastTo } from './prims/binary.js';
import { toTensor, type TensorLike } from './convert.js';
import { gather } from './prims/gather.js';
import { matMul } from './prims/matmul.js';
import { sum } from './prims/reduce.js';
import { reshape, transpose } from './prims/shape_ops.js';

/** A tensor with one label per axis: a letter, or `#k` for the k-th axis (from the right) of `...`. */
interface Labeled {
  t: Tensor;
  labels: string[];
}

/**
 * Einstein summation (NumPy's `einsum`): `'ij,jk->ik'` is a matrix product, `'bqhd,bkhd->bhqk'`
 * attention scores, `'ii->i'` a diagonal, `'ij->'` a total. Indices in both operands and the
 * output are batch axes, indices missing from the output are summed, a repeated index within one
 * operand takes its diagonal, `...` stands for leading axes, and axes of size 1 broadcast. Without `->` the
 * output is `...` then the indices used once, in alphabetical order.
 *
 * A composite: operands are transposed and reshaped so each pairwise contraction is one batched
 * matMul, so the gradient comes from those primitives and runs on every backend.
 *
 * @example einsum('ij,jk->ik', a, b)           // matMul(a, b)
 * @example einsum('btnh,bsnh->bnts', q, k)     // per-head scores
 * @example einsum('...i,i->...', x, w)         // dot along the last axis, any leading axes
 */
export function einsum(equation: string, ...operands: TensorLike[]): Tensor {
  if (typeof equation !== 'string')
    throw new ValueError(`einsum: 'equation' must be a string such as 'ij,jk->ik', got ${typeof equation}`);
  const tensors = operands.map((x, i) => toTensor(x, `operand ${i}`, 'einsum'));
  const { inputs, output } = parseEquation(equation, tensors);
  const sizes = labelSizes(equation, inputs);
  const outSet = new Set(output);
  const pending = inputs.map(({ t, labels }) => ({ t, labels }));
  const neededLater = (from: number): Set<string> => {
    const keep = new Set(outSet);
    for (let j = from; j < pending.length; j++) for (const l of pending[j].labels) keep.add(l);
    return keep;
  };
  let acc = reduceAlone(diagonals(pending[0], equation), neededLater(1));
  for (let i = 1; i < pending.length; i++) {
    const keep = neededLater(i + 1);
    const other = reduceAlone(diagonals(pending[i], equation), new Set([...keep, ...acc.labels]));
    acc = reduceAlone(acc, new Set([...keep, ...other.labels]));
    acc = contract(acc, other, keep, sizes, output);
  }
  acc = reduceAlone(acc, outSet);
  // An output axis of size 1 in the operands that has a larger size elsewhere broadcasts.
  const perm = output.map((l) => acc.labels.indexOf(l));
  const y = isIdentity(perm) ? acc.t : transpose(acc.t, perm);
  const outShape = output.map((l) => sizes.get(l) as number);
  return y.shape.every((d, i) => d === outShape[i]) ? y : broadcastTo(y, outShape);
}

/** Parsed equations by equation and operand ranks (a layer calls the same one at every step). */
const parsed = new Map<string, { labels: string[][]; output: string[] }>();
const PARSED_MAX = 256;

/** Splits the equation into labelled operands and output labels, with errors that quote it. */
function parseEquation(equation: string, tensors: Tensor[]): { inputs: Labeled[]; output: string[] } {
  const key = `${equation}|${tensors.map((t) => t.rank).join(',')}`;
  let hit = parsed.get(key);
  if (!hit) {
    const fresh = parseLabels(equation, tensors);
    hit = { labels: fresh.inputs.map((x) => x.labels), output: fresh.output };
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(key, hit);
  }
  const { labels, output } = hit;
  return { inputs: tensors.map((t, i) => ({ t, labels: labels[i] })), output };
}

function parseLabels(equation: string, tensors: Tensor[]): { inputs: Labeled[]; output: string[] } {
  const eq = equation.replace(/\s+/g, '');
  const bad = (why: string): never => {
    throw new ValueError(`einsum: invalid equation '${equation}': ${why}`);
  };
  const arrows = eq.split('->');
  if (arrows.length > 2) bad("'->' appears more than once");
  const lhs = arrows[0].split(',');
  if (lhs.length !== tensors.length)
    bad(
      `it names ${lhs.length} operand${lhs.length === 1 ? '' : 's'} but ${tensors.length} tensor${tensors.length === 1 ? ' was' : 's were'} given`,
    );
  const termPattern = /^[a-zA-Z]*(\.\.\.)?[a-zA-Z]*$/;
  let ellipsisRank = 0;
  const inputs = lhs.map((term, i): Labeled => {
    if (!termPattern.test(term)) bad(`operand ${i} '${term}' may use only letters and at most one '...'`);
    const [before, after] = term.includes('...') ? term.split('...') : [term, null];
    const letters = before.length + (after?.length ?? 0);
    const t = tensors[i];
    if (after === null ? letters !== t.rank : letters > t.rank)
      bad(
        `operand ${i} '${term}' has ${letters} ${after === null ? '' : 'named '}indices but its tensor has rank ${t.rank} (shape ${fmtShape(t.shape)})`,
      );
    const dots = after === null ? 0 : t.rank - letters;
    ellipsisRank = Math.max(ellipsisRank, dots);
    const ell = Array.from({ length: dots }, (_, k) => `#${dots - 1 - k}`);
    return { t, labels: [...before, ...ell, ...(after ?? '')] };
  });
  const allEllipsis = Array.from({ length: ellipsisRank }, (_, k) => `#${ellipsisRank - 1 - k}`);
  let output: string[];
  if (arrows.length === 2) {
    const rhs = arrows[1];
    if (!termPattern.test(rhs)) bad(`output '${rhs}' may use only letters and at most one '...'`);
    const [before, after] = rhs.includes('...') ? rhs.split('...') : [rhs, null];
    output = [...before, ...(after === null ? [] : allEllipsis), ...(after ?? '')];
    const used = new Set(inputs.flatMap((x) => x.labels));
    for (const l of output) {
      if (!l.startsWith('#') && !used.has(l)) bad(`output index '${l}' does not appear in any operand`);
    }
    if (new Set(output).size !== output.length) bad(`output '${rhs}' repeats an index`);
    if (after === null && ellipsisRank > 0) {
      // NumPy sums broadcast axes the output leaves out only when they are written: keep it explicit.
      bad(`an operand uses '...' so the output must place it too (e.g. '->...${rhs}')`);
    }
  } else {
    const counts = new Map<string, number>();
    for (const x of inputs) for (const l of x.labels) if (!l.startsWith('#')) counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts].filter(([, n]) => n === 1).map(([l]) => l);
    output = [...allEllipsis, ...once.sort()];
  }
  return { inputs, output };
}

/** The size of every index, checking that each is used consistently (`...` axes may broadcast). */
function labelSizes(equation: string, inputs: Labeled[]): Map<string, number> {
  const sizes = new Map<string, number>();
  // Where each size was set, as [operand, axis]: described only for an error.
  const seen = new Map<string, [number, number]>();
  const where = ([i, axis]: [number, number]) => `operand ${i} (shape ${fmtShape(inputs[i].t.shape)}) axis ${axis}`;
  inputs.forEach(({ t, labels }, i) => {
    labels.forEach((l, axis) => {
      const d = t.shape[axis];
      const prev = sizes.get(l);
      // As in NumPy, an axis of size 1 broadcasts against the same index elsewhere.
      if (prev === undefined || prev === 1) {
        sizes.set(l, d);
        seen.set(l, [i, axis]);
      } else if (prev !== d && d !== 1) {
        const name = l.startsWith('#') ? "a '...' axis" : `index '${l}'`;
        throw new ValueError(
          `einsum '${equation}': ${name} has size ${prev} at ${where(seen.get(l) as [number, number])} but ${d} at ${where([i, axis])}`,
        );
      }
    });
  });
  return sizes;
}

/** Takes the diagonal of every index repeated within one operand (`ii->i`). */
function diagonals(x: Labeled, equation: string): Labeled {
  let { t, labels } = x;
  for (;;) {
    const dup = labels.find((l, i) => labels.indexOf(l) !== i);
    if (dup === undefined) return { t, labels };
    const axes = labels.flatMap((l, i) => (l === dup ? [i] : []));
    const n = t.shape[axes[0]];
    if (axes.some((a) => t.shape[a] !== n))
      throw new ValueError(
        `einsum '${equation}': index '${dup}' is repeated in one operand over axes of different sizes (shape ${fmtShape(t.shape)})`,
      );
    const rest = labels.flatMap((_, i) => (axes.includes(i) ? [] : [i]));
    const moved = transpose(t, [...rest, ...axes]);
    const flat = reshape(moved, [...rest.map((i) => t.shape[i]), n ** axes.length]);
    // Flat offset of (i, i, ..., i) is i * (n^(k-1) + ... + n + 1).
    const step = (n ** axes.length - 1) / (n - 1 || 1);
    const idx = Array.from({ length: n }, (_, i) => i * step);
    t = gather(flat, idx, rest.length);
    labels = [...rest.map((i) => labels[i]), dup];
  }
}

/** Sums the axes whose index is not in `keep`. */
function reduceAlone(x: Labeled, keep: Set<string>): Labeled {
  const drop = x.labels.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (drop.length === 0) return x;
  return { t: sum(x.t, drop), labels: x.labels.filter((l) => keep.has(l)) };
}

/**
 * One pairwise contraction as a batched matrix product: a → [batch, aFree, summed],
 * b → [batch, summed, bFree], then unfolded to [batch..., aFree..., bFree...]. Batch axes follow
 * the output's order, the operands are swapped when the output lists b's free axes first, and an
 * operand already laid out as [batch, summed, free] is read through matMul's transpose flag, so
 * that as few axes as possible are moved.
 */
function contract(a: Labeled, b: Labeled, keep: Set<string>, sizes: Map<string, number>, order: string[]): Labeled {
  const inB = new Set(b.labels),
    inA = new Set(a.labels);
  const rank = (l: string) => {
    const i = order.indexOf(l);
    return i < 0 ? order.length + a.labels.indexOf(l) : i;
  };
  const aFree = a.labels.filter((l) => !inB.has(l));
  const bFree = b.labels.filter((l) => !inA.has(l));
  if (aFree.length > 0 && bFree.length > 0 && rank(bFree[0]) < rank(aFree[0]))
    return contract(b, a, keep, sizes, order);
  const shared = a.labels.filter((l) => inB.has(l));
  const batch = shared.filter((l) => keep.has(l)).sort((p, q) => rank(p) - rank(q));
  const summed = shared.filter((l) => !keep.has(l));
  const size = (ls: string[]) => ls.reduce((p, l) => p * (sizes.get(l) as number), 1);
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((l, i) => l === y[i]);
  /** The operand as [batch, first, second] (flattened), or as [batch, second, first] read transposed. */
  const arrange = (x: Labeled, first: string[], second: string[]): { t: Tensor; transposed: boolean } => {
    const transposed =
      !same(x.labels, [...batch, ...first, ...second]) && same(x.labels, [...batch, ...second, ...first]);
    const layout = transposed ? [...batch, ...second, ...first] : [...batch, ...first, ...second];
    const perm = layout.map((l) => x.labels.indexOf(l));
    let t = isIdentity(perm) ? x.t : transpose(x.t, perm);
    const full = layout.map((l) => sizes.get(l) as number);
    if (t.shape.some((d, i) => d !== full[i])) t = broadcastTo(t, full); // axes of size 1
    const dims = transposed ? [size(second), size(first)] : [size(first), size(second)];
    return { t: reshape(t, [size(batch), ...dims]), transposed };
  };
  const ta = arrange(a, aFree, summed);
  const tb = arrange(b, summed, bFree);
  const labels = [...batch, ...aFree, ...bFree];
  const y = reshape(
    matMul(ta.t, tb.t, ta.transposed, tb.transposed),
    labels.map((l) => sizes.get(l) as number),
  );
  return { t: y, labels };
}

function isIdentity(perm: number[]): boolean {
  return perm.every((p, i) => p === i);
}
