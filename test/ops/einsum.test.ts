import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError } from '../../src/core/errors.js';
import type { Tensor } from '../../src/core/tensor.js';
import { einsum, matMul, tensor } from '../../src/index.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

/**
 * The definition, by brute force: every assignment of the indices, the product of the operands'
 * entries, summed into the output entry. Letters only (ellipses are spelled out by the caller).
 */
function loopEinsum(equation: string, ...xs: Tensor[]): { values: number[]; shape: number[] } {
  const [lhs, rhs] = equation.split('->');
  const terms = lhs.split(',');
  const size = new Map<string, number>();
  terms.forEach((term, k) => {
    [...term].forEach((c, a) => {
      const d = xs[k].shape[a];
      if ((size.get(c) ?? 1) === 1) size.set(c, d);
    });
  });
  const letters = [...size.keys()];
  const shape = [...rhs].map((c) => size.get(c) as number);
  const values = new Array(shape.reduce((p, d) => p * d, 1)).fill(0);
  const data = xs.map((x) => x.dataSync());
  const idx = new Map<string, number>();
  const offset = (labels: string, dims: readonly number[]) =>
    [...labels].reduce((o, c, a) => o * dims[a] + (dims[a] === 1 ? 0 : (idx.get(c) as number)), 0);
  const visit = (i: number): void => {
    if (i === letters.length) {
      let p = 1;
      terms.forEach((term, k) => {
        p *= data[k][offset(term, xs[k].shape)];
      });
      values[offset(rhs, shape)] += p;
      return;
    }
    for (let v = 0; v < (size.get(letters[i]) as number); v++) {
      idx.set(letters[i], v);
      visit(i + 1);
    }
  };
  visit(0);
  return { values, shape };
}

function check(equation: string, shapes: number[][], explicit = equation): void {
  const xs = shapes.map((s, i) => rand64(s, 10 + i));
  const got = einsum(equation, ...xs);
  const want = loopEinsum(explicit, ...xs);
  assert.deepEqual(got.shape, want.shape, `${equation} shape`);
  assertClose(got, want.values, 1e-12, equation);
}

describe('einsum forward values (against the summation definition)', () => {
  it('products, batch axes, transposes and reductions', () => {
    check('ij,jk->ik', [
      [2, 3],
      [3, 4],
    ]);
    check('bij,bjk->bik', [
      [2, 2, 3],
      [2, 3, 4],
    ]);
    check('ij->ji', [[2, 3]]);
    check('ij->', [[2, 3]]);
    check('ij->j', [[2, 3]]);
    check('i,j->ij', [[2], [3]]);
    check('i,i->', [[4], [4]]);
    check('ijk,ik->j', [
      [2, 3, 4],
      [2, 4],
    ]);
    check('ij,jk,kl->il', [
      [2, 3],
      [3, 2],
      [2, 4],
    ]);
    check('ab,cd->abcd', [
      [2, 1],
      [3, 2],
    ]);
  });
  it("attention's equations", () => {
    check('aecd,abcd->acbe', [
      [2, 4, 3, 2],
      [2, 5, 3, 2],
    ]);
    check('acbe,aecd->abcd', [
      [2, 3, 5, 4],
      [2, 4, 3, 2],
    ]);
    check('abc,cde->abde', [
      [2, 3, 4],
      [4, 2, 3],
    ]);
    check('abcd,cde->abe', [
      [2, 3, 2, 4],
      [2, 4, 5],
    ]);
  });
  it('diagonals of repeated indices', () => {
    check('ii->i', [[3, 3]]);
    check('ii->', [[3, 3]]);
    check('iij->ji', [[2, 2, 3]]);
    check('ii,ij->j', [
      [3, 3],
      [3, 2],
    ]);
  });
  it('implicit output: indices used once, in alphabetical order', () => {
    check(
      'ij,jk',
      [
        [2, 3],
        [3, 4],
      ],
      'ij,jk->ik',
    );
    check('ba', [[2, 3]], 'ba->ab');
  });
  it('ellipsis axes and size-1 broadcasting', () => {
    check(
      '...ij,jk->...ik',
      [
        [2, 3, 2, 3],
        [3, 4],
      ],
      'xyij,jk->xyik',
    );
    check(
      '...i,...i->...',
      [
        [2, 1, 3],
        [1, 4, 3],
      ],
      'xyi,xyi->xy',
    );
    check('ij,ij->ij', [
      [1, 3],
      [2, 3],
    ]);
  });
  it('agrees with matMul exactly on a plain product', () => {
    const a = rand64([3, 5], 1),
      b = rand64([5, 2], 2);
    assertClose(einsum('ij,jk->ik', a, b), matMul(a, b), 0);
  });
});

describe('einsum gradients (float64 finite differences)', () => {
  const cases: [string, number[][]][] = [
    [
      'ij,jk->ik',
      [
        [2, 3],
        [3, 2],
      ],
    ],
    [
      'btnh,bsnh->bnts',
      [
        [2, 3, 2, 2],
        [2, 4, 2, 2],
      ],
    ],
    [
      'bnts,bsnh->btnh',
      [
        [1, 2, 3, 4],
        [1, 4, 2, 2],
      ],
    ],
    ['ii->i', [[3, 3]]],
    ['ij->', [[2, 3]]],
    [
      'ij,jk,kl->il',
      [
        [2, 2],
        [2, 3],
        [3, 2],
      ],
    ],
    ['...i,i->...', [[2, 2, 3], [3]]],
    [
      'ij,ij->ij',
      [
        [1, 3],
        [2, 3],
      ],
    ],
  ];
  for (const [equation, shapes] of cases)
    it(equation, () =>
      checkGradients(
        (...xs) => einsum(equation, ...xs),
        shapes.map((s, i) => rand64(s, 20 + i)),
      ),
    );
});

describe('einsum errors quote the equation and the shapes', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  const b = tensor([[1, 2, 3]]);
  const cases: [() => unknown, RegExp][] = [
    [() => einsum('ij,jk->ik', a), /names 2 operands but 1 tensor was given/],
    [() => einsum('ijk->i', a), /operand 0 'ijk' has 3 indices but its tensor has rank 2 \(shape \[2, 2\]\)/],
    [
      () =>
        einsum(
          'ij,jk->ik',
          a,
          tensor([
            [1, 2, 3],
            [4, 5, 6],
            [7, 8, 9],
          ]),
        ),
      /index 'j' has size 2 at operand 0 \(shape \[2, 2\]\) axis 1 but 3 at operand 1 \(shape \[3, 3\]\) axis 0/,
    ],
    [() => einsum('ij->iz', a), /output index 'z' does not appear in any operand/],
    [() => einsum('ij->ii', a), /output 'ii' repeats an index/],
    [() => einsum('ij->i->j', a), /'->' appears more than once/],
    [() => einsum('i1->i', a), /operand 0 'i1' may use only letters and at most one '\.\.\.'/],
    [() => einsum('...i->i', a), /an operand uses '\.\.\.' so the output must place it too/],
    [() => einsum('ii->i', b), /index 'i' is repeated in one operand over axes of different sizes \(shape \[1, 3\]\)/],
  ];
  for (const [f, pattern] of cases)
    it(pattern.source.slice(0, 50), () =>
      assert.throws(f, (e: Error) => e instanceof ValueError && pattern.test(e.message)),
    );
});
