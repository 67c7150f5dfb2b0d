import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import {
  add,
  atan2,
  concat,
  grads,
  greater,
  maximum,
  mul,
  reshape,
  split,
  sub,
  sum,
  tensor,
  transpose,
  where,
} from '../../src/index.js';
import { rand64 } from '../helpers/gradcheck.js';

const rng = new Rng(2024);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** A random pair of broadcast-compatible shapes: size-1 dims and rank differences included. */
function shapePair(): [number[], number[], number[]] {
  const rank = rng.int(5);
  const out = Array.from({ length: rank }, () => 1 + rng.int(4));
  const derive = () => {
    const drop = rng.int(rank + 1);
    return out.slice(drop).map((d) => (rng.uniform() < 0.3 ? 1 : d));
  };
  return [derive(), derive(), out];
}

/** The flat index into `shape` of the output coordinate `coord`, by NumPy's rules, written naively. */
function sourceIndex(coord: number[], shape: number[]): number {
  const lead = coord.length - shape.length;
  let idx = 0;
  for (let d = 0; d < shape.length; d++) idx = idx * shape[d] + (shape[d] === 1 ? 0 : coord[lead + d]);
  return idx;
}

function coords(shape: number[]): number[][] {
  const all: number[][] = [];
  const walk = (prefix: number[]) => {
    if (prefix.length === shape.length) {
      all.push(prefix);
      return;
    }
    for (let i = 0; i < shape[prefix.length]; i++) walk([...prefix, i]);
  };
  walk([]);
  return all;
}

describe('broadcasting agrees with a naive index implementation', () => {
  it('for 200 random shape pairs, forward and gradients', () => {
    for (let trial = 0; trial < 200; trial++) {
      const [sa, sb, expectedShape] = shapePair();
      const a = rand64(sa, 1000 + trial),
        b = rand64(sb, 5000 + trial);
      const av = a.dataSync(),
        bv = b.dataSync();
      const rank = Math.max(sa.length, sb.length);
      const shape = Array.from({ length: rank }, (_, i) =>
        Math.max(sa[sa.length - rank + i] ?? 1, sb[sb.length - rank + i] ?? 1),
      );
      assert.ok(shape.every((d, i) => d === 1 || d === expectedShape[expectedShape.length - rank + i]));
      const cs = coords(shape).map((c) => [sourceIndex(c, sa), sourceIndex(c, sb)]);
      for (const [name, op, f] of [
        ['add', add, (x: number, y: number) => x + y],
        ['sub', sub, (x: number, y: number) => x - y],
        ['mul', mul, (x: number, y: number) => x * y],
        ['maximum', maximum, Math.max],
        ['atan2', atan2, Math.atan2],
      ] as const) {
        const y = op(a, b);
        assert.deepEqual(y.shape, shape, `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
        const yv = y.dataSync();
        cs.forEach(([i, j], k) => assert.equal(yv[k], f(av[i], bv[j]), `${name} element ${k}`));
      }
      const cond = greater(rand64(sa, 9000 + trial), 0);
      const w = where(cond, a, b);
      const cv = cond.dataSync(),
        wv = w.dataSync();
      cs.forEach(([i, j], k) => assert.equal(wv[k], cv[i] ? av[i] : bv[j], `where element ${k}`));
      // d/da sum(a * b) accumulates b over every output position a was broadcast to.
      const [ga, gb] = grads((x, z) => sum(mul(x, z)))([a, b]);
      const expA = new Float64Array(a.size),
        expB = new Float64Array(b.size);
      cs.forEach(([i, j]) => {
        expA[i] += bv[j];
        expB[j] += av[i];
      });
      const close = (got: ArrayLike<number>, exp: Float64Array) =>
        exp.forEach((v, k) => assert.ok(Math.abs(got[k] - v) < 1e-12));
      close(ga.dataSync(), expA);
      close(gb.dataSync(), expB);
    }
  });
});

function randomShape(maxRank = 4): number[] {
  return Array.from({ length: 1 + rng.int(maxRank) }, () => 1 + rng.int(4));
}

function randomPerm(n: number): number[] {
  return rng.shuffle(Array.from({ length: n }, (_, i) => i));
}

describe('round trips', () => {
  it('reshape to a random factorization and back', () => {
    for (let trial = 0; trial < 100; trial++) {
      const s = randomShape();
      const x = rand64(s, trial);
      const flat = size(s);
      const a = 1 + rng.int(flat);
      const target = flat % a === 0 ? [a, -1] : [flat];
      assert.deepEqual(reshape(reshape(x, target), s).arraySync(), x.arraySync());
    }
  });
  it('transpose against a naive permutation, then back with the inverse', () => {
    for (let trial = 0; trial < 100; trial++) {
      const s = randomShape();
      const p = randomPerm(s.length);
      const x = rand64(s, trial);
      const y = transpose(x, p);
      assert.deepEqual(
        y.shape,
        p.map((i) => s[i]),
      );
      const xv = x.dataSync(),
        yv = y.dataSync();
      coords(y.shape).forEach((c, k) => {
        const src = new Array<number>(s.length);
        p.forEach((axis, i) => (src[axis] = c[i]));
        assert.equal(yv[k], xv[sourceIndex(src, s)]);
      });
      const inv = new Array<number>(p.length);
      p.forEach((v, i) => (inv[v] = i));
      assert.deepEqual(transpose(y, inv).arraySync(), x.arraySync());
    }
  });
  it('split undoes concat on a random axis', () => {
    for (let trial = 0; trial < 100; trial++) {
      const s = randomShape();
      const axis = rng.int(s.length);
      const parts = Array.from({ length: 1 + rng.int(3) }, (_, i) =>
        rand64(
          s.map((d, k) => (k === axis ? rng.int(3) : d)),
          100 * trial + i,
        ),
      );
      const joined = concat(parts, axis);
      assert.equal(
        joined.shape[axis],
        parts.reduce((acc, p) => acc + p.shape[axis], 0),
      );
      split(
        joined,
        parts.map((p) => p.shape[axis]),
        axis,
      ).forEach((back, i) => assert.deepEqual(back.arraySync(), parts[i].arraySync()));
    }
  });
  it('tensor round-trips through arraySync for nested arrays', () => {
    const nested = [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ];
    assert.deepEqual(tensor(nested).arraySync(), nested);
  });
});
