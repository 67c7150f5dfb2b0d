import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFromBuffers, model as functionalModel, saveToBuffers, tensor, type Tensor } from '../../src/index.js';
import {
  deserializeLayer,
  input,
  layers,
  serializeLayer,
  type Hashing,
  type StringLookup,
  type SymbolicTensor,
} from '../../src/layers/index.js';

const ints = (v: number[] | number[][]) => tensor(v, undefined, 'int32');
const out = (y: unknown) => (y as Tensor).arraySync();
const AE = [['A'], ['B'], ['C'], ['D'], ['E']];
const WIRE = [['omar'], ['stringer'], ['marlo'], ['wire'], ['skywalker']];

describe('Hashing (Keras documented and tested values)', () => {
  it('FarmHash64 bins, with a mask value, with one salt and with two', () => {
    assert.deepEqual(out(layers.hashing({ numBins: 3 }).apply(AE)), [[1], [0], [1], [1], [2]]);
    assert.deepEqual(out(layers.hashing({ numBins: 3, maskValue: '' }).apply([['A'], ['B'], [''], ['C'], ['D']])), [
      [1],
      [1],
      [0],
      [2],
      [2],
    ]);
    assert.deepEqual(out(layers.hashing({ numBins: 3, salt: 133 }).apply(AE)), [[0], [0], [2], [1], [0]]);
    assert.deepEqual(out(layers.hashing({ numBins: 3, salt: [133, 137] }).apply(AE)), [[1], [2], [1], [0], [2]]);
    assert.deepEqual(out(layers.hashing({ numBins: 2 }).apply(WIRE)), [[0], [0], [1], [0], [0]]);
    assert.deepEqual(out(layers.hashing({ numBins: 3, maskValue: '' }).apply(WIRE)), [[1], [1], [2], [1], [1]]);
    assert.deepEqual(out(layers.hashing({ numBins: 3, maskValue: 'omar' }).apply(WIRE)), [[0], [1], [2], [1], [1]]);
    assert.deepEqual(out(layers.hashing({ numBins: 1 }).apply(AE)), [[0], [0], [0], [0], [0]]);
  });
  it('integers hash as their decimal strings; floats by their integer part', () => {
    const x = ints([[0], [1], [2], [3], [4]]);
    assert.deepEqual(out(layers.hashing({ numBins: 3 }).apply(x)), [[1], [0], [1], [0], [2]]);
    assert.deepEqual(out(layers.hashing({ numBins: 3, salt: [133, 137] }).apply(x)), [[1], [1], [2], [0], [1]]);
    assert.deepEqual(
      out(layers.hashing({ numBins: 3 }).apply(tensor([[0.5], [1.9], [2.2], [-0.7]]))),
      out(layers.hashing({ numBins: 3 }).apply([['0'], ['1'], ['2'], ['0']])),
    );
    // An integer mask value masks numeric inputs: 4 takes bin 0, the rest 1 + hash mod 2.
    const unmasked = out(layers.hashing({ numBins: 2 }).apply(ints([0, 1, 2]))) as number[];
    assert.deepEqual(out(layers.hashing({ numBins: 3, maskValue: 4 }).apply(ints([0, 4, 1, 2]))), [
      1 + unmasked[0],
      0,
      1 + unmasked[1],
      1 + unmasked[2],
    ]);
  });
  it('one-hot, multi-hot and count outputs (Keras test values)', () => {
    const col = ints([[0], [1], [2], [3], [4]]);
    assert.deepEqual(out(layers.hashing({ numBins: 3, outputMode: 'one_hot' }).apply(col)), [
      [0, 1, 0],
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);
    const row = ints([[0, 1, 2, 3, 4]]);
    assert.deepEqual(out(layers.hashing({ numBins: 3, outputMode: 'multi_hot' }).apply(row)), [[1, 1, 1]]);
    assert.deepEqual(out(layers.hashing({ numBins: 3, outputMode: 'count' }).apply(row)), [[2, 2, 1]]);
  });
  it('works inside a model on integer inputs, and saves and loads', () => {
    const x = input({ shape: [2], dtype: 'int32' });
    const y = layers.hashing({ numBins: 5, maskValue: 0 }).apply(x) as SymbolicTensor;
    const m = functionalModel({ inputs: x, outputs: y });
    const data = ints([
      [0, 7],
      [12, 0],
    ]);
    const want = out(m.predict(data));
    assert.equal((want as number[][])[0][0], 0);
    assert.deepEqual(out(loadFromBuffers(saveToBuffers(m)).predict(data)), want);
  });
  it('config round trip keeps the salt as the pair Keras stores', () => {
    const layer = layers.hashing({ numBins: 4, salt: 7, maskValue: '', outputMode: 'count' });
    const config = JSON.parse(JSON.stringify(serializeLayer(layer)));
    assert.deepEqual(config.config.salt, [7, 7]);
    const copy = deserializeLayer(config) as Hashing;
    assert.deepEqual(out(copy.apply([['a', 'b', '']])), out(layer.apply([['a', 'b', '']])));
  });
  it('bad arguments and inputs are errors naming the layer', () => {
    assert.throws(() => layers.hashing({ numBins: 0 }), /'numBins' must be an integer >= 1, got 0/);
    assert.throws(() => layers.hashing({ numBins: 2.5 }), /'numBins' must be an integer >= 1, got 2.5/);
    assert.throws(() => layers.hashing({} as never), /'numBins' must be an integer >= 1, got undefined/);
    assert.throws(
      () => layers.hashing({ numBins: 2, salt: [1] as never }),
      /'salt' must be a non-negative integer or a list of 2 of them, got \[1\]/,
    );
    assert.throws(() => layers.hashing({ numBins: 2, outputMode: 'tf_idf' as never }), /'outputMode' must be one of/);
    assert.throws(() => layers.hashing({ numBins: 2, sparse: true }), /'sparse' outputs are not supported/);
    assert.throws(
      () => layers.hashing({ numBins: 2, maskValue: 1.5 }),
      /'maskValue' must be a string, an integer or null, got 1.5/,
    );
    const h = layers.hashing({ numBins: 2, name: 'h' });
    assert.throws(() => h.apply([['a'], [3 as never]]), /Hashing 'h'.*expected strings, got number at \[1\]\[0\]/);
    assert.throws(() => h.apply([['a', 'b'], ['c']]), /equal length; expected 2 entries at \[1\], got 1/);
    assert.throws(() => h.apply(tensor([Number.NaN])), /input values must be finite, got NaN/);
    assert.throws(
      () => layers.hashing({ numBins: 3, maskValue: '' }).apply(ints([1])),
      /numeric inputs need an integer 'maskValue', got ""/,
    );
    assert.throws(
      () => layers.hashing({ numBins: 3, maskValue: 0 }).apply([['a']]),
      /string inputs need a string 'maskValue', got 0/,
    );
  });
});

describe('StringLookup (Keras documented examples)', () => {
  const vocab = ['a', 'b', 'c', 'd'];
  const data = [
    ['a', 'c', 'd'],
    ['d', 'z', 'b'],
  ];
  it('known and adapted vocabularies', () => {
    assert.deepEqual(out(layers.stringLookup({ vocabulary: vocab }).apply(data)), [
      [1, 3, 4],
      [4, 0, 2],
    ]);
    const adapted = layers.stringLookup();
    adapted.adapt(data);
    assert.deepEqual(adapted.getVocabulary(), ['[UNK]', 'd', 'z', 'c', 'b', 'a']);
    assert.deepEqual(out(adapted.apply(data)), [
      [5, 3, 1],
      [1, 2, 4],
    ]);
    // Batches adapt as one; maxTokens keeps the most frequent.
    const cut = layers.stringLookup({ maxTokens: 3 });
    cut.adapt([[['x', 'y', 'y']], [['y', 'x', 'w']]]);
    assert.deepEqual(cut.getVocabulary(), ['[UNK]', 'y', 'x']);
    // Ragged batches and generators of batches count the same strings.
    const ragged = layers.stringLookup();
    ragged.adapt(
      (function* () {
        yield [['x'], ['y', 'y']];
        yield ['y', 'x', 'w'];
      })(),
    );
    assert.deepEqual(ragged.getVocabulary(), ['[UNK]', 'y', 'x', 'w']);
    assert.throws(() => ragged.adapt([['a'], [1 as never]]), /adapt: expected strings, got number at \[1\]\[0\]/);
    assert.throws(() => ragged.adapt([]), /adapt\(\) received no data/);
    // Ties go to the larger string in UTF-8 byte order (code points, not UTF-16 units).
    const order = layers.stringLookup();
    order.adapt(['\u{1F600}', '\uFB01']);
    assert.deepEqual(order.getVocabulary(), ['[UNK]', '\u{1F600}', '\uFB01']);
  });
  it('several OOV indices hash unknown strings (FarmHash), one-hot, multi-hot and counts', () => {
    assert.deepEqual(
      out(
        layers.stringLookup({ vocabulary: vocab, numOovIndices: 2 }).apply([
          ['a', 'c', 'd'],
          ['m', 'z', 'b'],
        ]),
      ),
      [
        [2, 4, 5],
        [0, 1, 3],
      ],
    );
    assert.deepEqual(
      out(layers.stringLookup({ vocabulary: vocab, outputMode: 'one_hot' }).apply(['a', 'b', 'c', 'd', 'z'])),
      [
        [0, 1, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1],
        [1, 0, 0, 0, 0],
      ],
    );
    const rows = [
      ['a', 'c', 'd', 'd'],
      ['d', 'z', 'b', 'z'],
    ];
    assert.deepEqual(out(layers.stringLookup({ vocabulary: vocab, outputMode: 'multi_hot' }).apply(rows)), [
      [0, 1, 0, 1, 1],
      [1, 0, 1, 0, 1],
    ]);
    assert.deepEqual(out(layers.stringLookup({ vocabulary: vocab, outputMode: 'count' }).apply(rows)), [
      [0, 1, 0, 1, 2],
      [2, 0, 1, 0, 1],
    ]);
  });
  it('inverse lookup, forward and inverse pairs, and the mask token', () => {
    const forward = layers.stringLookup({ vocabulary: vocab });
    const inverse = layers.stringLookup({ vocabulary: vocab, invert: true });
    const expected = [
      ['a', 'c', 'd'],
      ['d', '[UNK]', 'b'],
    ];
    assert.deepEqual(
      inverse.lookupTokens([
        [1, 3, 4],
        [4, 0, 2],
      ]),
      expected,
    );
    assert.deepEqual(inverse.lookupTokens(forward.apply(data)), expected);
    const masked = layers.stringLookup({ vocabulary: vocab, maskToken: '' });
    assert.deepEqual(out(masked.apply(['', 'a', 'q'])), [0, 2, 1]);
    assert.deepEqual(masked.getVocabulary(), ['', '[UNK]', 'a', 'b', 'c', 'd']);
    assert.deepEqual(masked.lookupTokens([0, 2]), ['', 'a']);
  });
  it('config round trip, with the reserved tokens given back in the vocabulary', () => {
    const layer = layers.stringLookup({ vocabulary: ['[UNK]', ...vocab], numOovIndices: 1, outputMode: 'multi_hot' });
    const config = JSON.parse(JSON.stringify(serializeLayer(layer)));
    assert.equal(config.className, 'StringLookup');
    assert.deepEqual(config.config.vocabulary, vocab);
    assert.equal(config.config.encoding, 'utf-8');
    const copy = deserializeLayer(config) as StringLookup;
    assert.deepEqual(out(copy.apply(data)), out(layer.apply(data)));
  });
  it('bad arguments and inputs are errors naming the layer', () => {
    assert.throws(() => layers.stringLookup({ vocabulary: ['a', 1 as never] }), /vocabulary must be a list of strings/);
    assert.throws(() => layers.stringLookup({ vocabulary: ['a', 'a'] }), /the vocabulary has repeated values/);
    assert.throws(
      () => layers.stringLookup({ vocabulary: ['a', '[UNK]', 'b'] }),
      /the vocabulary contains the reserved token "\[UNK\]"/,
    );
    assert.throws(() => layers.stringLookup({ oovToken: 3 as never }), /'oovToken' must be one of the strings, got 3/);
    assert.throws(() => layers.stringLookup({ encoding: 'latin-1' as never }), /'encoding' must be 'utf-8'/);
    assert.throws(() => layers.stringLookup({ outputMode: 'tf_idf' as never }), /'outputMode' must be one of 'int', /);
    const named = layers.stringLookup({ vocabulary: vocab, name: 'words' });
    assert.throws(
      () => named.apply(ints([1, 2])),
      /StringLookup 'words'.*expected strings .*got a int32 tensor; Myelin's tensors hold numbers/,
    );
    assert.throws(
      () => named.apply(input({ shape: [3] })),
      /takes strings, which a model's numeric inputs cannot carry/,
    );
    assert.throws(
      () => layers.stringLookup({ vocabulary: vocab, invert: true }).apply(data),
      /\(invert: true\) maps indices to strings.*lookupTokens/,
    );
    assert.throws(() => named.lookupTokens([1.5]), /lookupTokens: indices must be integers, got 1.5/);
    assert.throws(
      () => layers.stringLookup({ vocabulary: vocab, numOovIndices: 0 }).apply(['z']),
      /with numOovIndices 0 every input must be in the vocabulary, got "z"/,
    );
  });
});

describe('IntegerLookup farmhash OOV buckets (Keras 3 oov_method)', () => {
  it('unknown values pick an OOV index by the hash of their decimal string', () => {
    const lookup = layers.integerLookup({ vocabulary: [12, 36], numOovIndices: 2, oovMethod: 'farmhash' });
    const bucket = (v: number) => (out(layers.hashing({ numBins: 2 }).apply(ints([v]))) as number[])[0];
    assert.deepEqual(out(lookup.apply(ints([12, 7, 8, 1000]))), [2, bucket(7), bucket(8), bucket(1000)]);
    assert.throws(
      () => layers.integerLookup({ numOovIndices: 2, salt: 3 }),
      /'salt' can only be used with oovMethod 'farmhash'/,
    );
  });
});
