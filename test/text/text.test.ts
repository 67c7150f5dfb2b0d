import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import {
  padSequences,
  sampleFromLogits,
  samplingDistribution,
  TextVectorization,
  type TextVectorizationOptions,
} from '../../src/text/index.js';
import { assertClose } from '../helpers/gradcheck.js';

describe('TextVectorization', () => {
  it('standardises, builds a frequency-ranked vocabulary with padding and OOV, pads and truncates at the end', () => {
    const tv = new TextVectorization({ maxTokens: 5, outputSequenceLength: 4 }).adapt([
      'The cat, the DOG!',
      'the cat sat.',
    ]);
    assert.deepEqual(tv.getVocabulary(), ['', '[UNK]', 'the', 'cat', 'dog']);
    assert.deepEqual(Array.from(tv.call(['the dog sat on the cat']).dataSync()), [2, 4, 1, 1]);
    assert.deepEqual(Array.from(tv.call(['Cat']).dataSync()), [3, 0, 0, 0]);
    assert.equal(tv.call(['a', 'b']).dtype, 'int32');
    const copy = new TextVectorization(tv.getConfig() as TextVectorizationOptions);
    assert.deepEqual(copy.getVocabulary(), tv.getVocabulary());
  });

  it('character level keeps case and punctuation when asked, and decodes', () => {
    const tv = new TextVectorization({ split: 'character', standardize: null }).adapt(['aab!']);
    assert.deepEqual(tv.getVocabulary(), ['', '[UNK]', 'a', 'b', '!']);
    assert.deepEqual(tv.encode('ba!z'), [3, 2, 4, 1]);
    assert.equal(tv.decode([3, 2, 4, 0]), 'ba!');
    assert.deepEqual(tv.call(['a', 'abab']).shape, [2, 4]);
  });

  it('explains bad options and missing vocabularies', () => {
    assert.throws(
      () => new TextVectorization({ split: 'words' as never }),
      /unknown split "words"; expected one of whitespace, character/,
    );
    assert.throws(() => new TextVectorization({ maxTokens: 2 }), /'maxTokens' must be an integer >= 3/);
    assert.throws(() => new TextVectorization().call(['x']), /no vocabulary yet; call adapt/);
    assert.throws(() => new TextVectorization({ standardize: (s) => s }).getConfig(), /cannot be serialised/);
  });
});

describe('padSequences', () => {
  it('follows Keras: pre padding and truncation by default', () => {
    assert.deepEqual(Array.from(padSequences([[1, 2, 3], [4]]).dataSync()), [1, 2, 3, 0, 0, 4]);
    assert.deepEqual(Array.from(padSequences([[1, 2, 3], [4]], { maxlen: 2 }).dataSync()), [2, 3, 0, 4]);
    assert.deepEqual(
      Array.from(
        padSequences([[1, 2, 3], [4]], { maxlen: 2, padding: 'post', truncating: 'post', value: -1 }).dataSync(),
      ),
      [1, 2, 4, -1],
    );
    assert.equal(padSequences([[1]]).dtype, 'int32');
  });

  it('names the bad row of a ragged batch', () => {
    assert.throws(() => padSequences([[1], 5 as never]), /sequences\[1\] must be an array of numbers, got number/);
    assert.throws(() => padSequences([[1, 'a' as never]]), /sequences\[0\]\[1\] must be a number/);
    assert.throws(() => padSequences([[1]], { padding: 'both' as never }), /'padding' must be 'pre' or 'post'/);
  });
});

describe('sampling', () => {
  const logits = [2, 1, 0, -1];
  it('temperature, top-k and top-p shape the distribution', () => {
    const e = [2, 1, 0, -1].map(Math.exp);
    const z = e.reduce((a, b) => a + b);
    assertClose(
      samplingDistribution(logits),
      e.map((v) => v / z),
      1e-12,
    );
    assert.deepEqual(Array.from(samplingDistribution(logits, { temperature: 0 })), [1, 0, 0, 0]);
    const k2 = samplingDistribution(logits, { topK: 2 });
    assertClose(k2, [e[0] / (e[0] + e[1]), e[1] / (e[0] + e[1]), 0, 0], 1e-12);
    // p(0) = 0.644, p(0) + p(1) = 0.881: top-p 0.8 keeps two tokens.
    assert.deepEqual(
      Array.from(samplingDistribution(logits, { topP: 0.8 })).map((p) => p > 0),
      [true, true, false, false],
    );
    const hot = samplingDistribution(logits, { temperature: 10 });
    assert.ok(hot[3] > 0.2, 'a high temperature flattens');
  });

  it('draws reproducibly from a seeded generator with the right frequencies', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 20 },
        (
          (rng) => () =>
            sampleFromLogits(logits, { rng })
        )(new Rng(seed)),
      );
    assert.deepEqual(draw(3), draw(3));
    const rng = new Rng(5);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleFromLogits(logits, { rng, topK: 2 })]++;
    assert.equal(counts[2] + counts[3], 0);
    assert.ok(Math.abs(counts[0] / 4000 - 0.731) < 0.03, `frequency of the top token ${counts[0] / 4000}`);
    assert.throws(() => sampleFromLogits(logits, { topP: 0 }), /'topP' must be in \(0, 1\]/);
  });
});
