import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { BYTE_ORDER, BYTE_TO_CHAR, bytesToSpelling } from '../../src/text/byte_unicode.js';
import { BytePairTokenizer, type BytePairTokenizerJSON, GPT2_PATTERN } from '../../src/text/index.js';
import { randomText, SHAKESPEARE, utf8Clean, VARIED } from './bpe_samples.js';

const EOT = '<|endoftext|>';
const trained = BytePairTokenizer.train(SHAKESPEARE, { vocabularySize: 1000, specialTokens: [EOT] });

/** BPE training the slow, obvious way: recount every pair before each merge. */
function naiveMerges(corpus: string, merges: number): string[] {
  const counts = new Map<string, number>();
  for (const w of corpus.match(new RegExp(GPT2_PATTERN, 'gu')) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
  const idOfByte = new Map(BYTE_ORDER.map((b, id) => [b, id]));
  const words = [...counts].map(([w, n]) => ({
    ids: Array.from(new TextEncoder().encode(w), (b) => idOfByte.get(b)!),
    n,
  }));
  const spell: string[] = BYTE_ORDER.map((b) => BYTE_TO_CHAR[b]);
  const out: string[] = [];
  for (let step = 0; step < merges; step++) {
    const pairs = new Map<string, { a: number; b: number; n: number }>();
    for (const { ids, n } of words)
      for (let i = 0; i + 1 < ids.length; i++) {
        const key = `${ids[i]},${ids[i + 1]}`;
        const p = pairs.get(key) ?? { a: ids[i], b: ids[i + 1], n: 0 };
        p.n += n;
        pairs.set(key, p);
      }
    let best: { a: number; b: number; n: number } | null = null;
    for (const p of pairs.values())
      if (!best || p.n > best.n || (p.n === best.n && (p.a < best.a || (p.a === best.a && p.b < best.b)))) best = p;
    if (!best || best.n < 2) break;
    const c = spell.length;
    spell.push(spell[best.a] + spell[best.b]);
    out.push(`${spell[best.a]} ${spell[best.b]}`);
    for (const w of words) {
      const next: number[] = [];
      for (let i = 0; i < w.ids.length; i++) {
        if (i + 1 < w.ids.length && w.ids[i] === best.a && w.ids[i + 1] === best.b) {
          next.push(c);
          i++;
        } else next.push(w.ids[i]);
      }
      w.ids = next;
    }
  }
  return out;
}

describe('byte-to-unicode spelling', () => {
  it("spells the 256 bytes with distinct printable characters, as GPT-2's vocabulary does", () => {
    assert.equal(new Set(BYTE_TO_CHAR).size, 256);
    assert.equal(BYTE_TO_CHAR[0x61], 'a');
    assert.equal(BYTE_TO_CHAR[0x20], 'Ġ');
    assert.equal(BYTE_TO_CHAR[0x0a], 'Ċ');
    assert.equal(BYTE_TO_CHAR[0x00], 'Ā');
    assert.equal(BYTE_ORDER[0], 0x21); // '!' is GPT-2's id 0
    assert.equal(BYTE_ORDER[188], 0x00);
    assert.equal(bytesToSpelling(new TextEncoder().encode(' the')), 'Ġthe');
  });
});

describe('BytePairTokenizer.train', () => {
  it('learns the hand-computed merges of a small corpus, the smaller ids first on equal counts', () => {
    const tok = BytePairTokenizer.train('aaabdaaabac', { vocabularySize: 259, minFrequency: 1 });
    // aa (4 times), then ab and (aa, a) both twice: ab has the smaller ids; then (aa, ab).
    assert.deepEqual(tok.toJSON().merges, ['a a', 'a b', 'aa ab']);
    assert.equal(tok.vocabularySize(), 259);
    assert.deepEqual(
      tok.encode('aaabdaaabac').map((id) => tok.idToToken(id)),
      ['aaab', 'd', 'aaab', 'a', 'c'],
    );
  });

  it('keeps pair counts incrementally with exactly the merges of a full recount', () => {
    const corpus = SHAKESPEARE.slice(0, 40_000) + VARIED.join('\n');
    const fast = BytePairTokenizer.train(corpus, { vocabularySize: 256 + 300 });
    assert.deepEqual(fast.toJSON().merges, naiveMerges(corpus, 300));
  });

  it('gives special tokens the last ids and never learns their text', () => {
    const corpus = SHAKESPEARE.slice(0, 20_000)
      .split('\n\n')
      .map((p) => p + EOT);
    const tok = BytePairTokenizer.train(corpus, { vocabularySize: 300, specialTokens: [EOT, '<pad>'] });
    assert.equal(tok.vocabularySize(), 300);
    assert.equal(tok.tokenToId(EOT), 298);
    assert.equal(tok.tokenToId('<pad>'), 299);
    assert.ok(tok.getVocabulary().every((t) => t === EOT || t === '<pad>' || !t?.includes('endof')));
    assert.deepEqual(tok.encode(`a${EOT}b`, { allowedSpecial: 'all' }).slice(1, 2), [298]);
    assert.equal(tok.encode('<|endoftext|>', { disallowedSpecial: [] }).includes(298), false);
  });

  it('stops early when no pair is frequent enough, and learns the trained text compactly', () => {
    const tok = BytePairTokenizer.train('abc abc xyz', { vocabularySize: 5000 });
    // Only pairs seen twice merge: ab (ties with bc, smaller ids), then abc; ' abc' is seen once.
    assert.deepEqual(tok.toJSON().merges, ['a b', 'ab c']);
    assert.equal(tok.vocabularySize(), 258);
    const ids = trained.encode(SHAKESPEARE);
    assert.equal(trained.vocabularySize(), 1000);
    assert.ok(ids.length < SHAKESPEARE.length / 2.3, `${ids.length} ids for ${SHAKESPEARE.length} characters`);
  });

  it('explains bad options', () => {
    assert.throws(
      () => BytePairTokenizer.train('x', { vocabularySize: 256, specialTokens: [EOT] }),
      /'vocabularySize' must be an integer from 257 \(256 bytes and 1 special tokens\) to 2097152, got 256/,
    );
    assert.throws(
      () => BytePairTokenizer.train('x', { vocabularySize: 300, minFrequency: 0 }),
      /'minFrequency' must be a positive integer, got 0/,
    );
    assert.throws(
      () => BytePairTokenizer.train('x', { vocabularySize: 300, specialTokens: ['<a>', '<a>'] }),
      /'specialTokens' lists a token twice/,
    );
    assert.throws(
      () => BytePairTokenizer.train(42 as never, { vocabularySize: 300 }),
      /the corpus must be a string or an iterable of strings, got number/,
    );
    assert.throws(
      () => BytePairTokenizer.train('x', { vocabularySize: 300, pattern: '(' }),
      /'pattern' "\(" is not a valid regular expression/,
    );
  });

  it('refuses misspelt options on every entry point, naming the one meant', () => {
    const unknown = (where: string, key: string, meant: string) =>
      new RegExp(`BytePairTokenizer\\.${where}: unknown option '${key}' \\(did you mean '${meant}'\\?\\)`);
    assert.throws(
      () => BytePairTokenizer.train('x', { vocabularySize: 300, minFrequncy: 1 } as never),
      unknown('train', 'minFrequncy', 'minFrequency'),
    );
    assert.throws(
      () => BytePairTokenizer.fromJSON(JSON.stringify(trained), { allowCustomPatern: true } as never),
      unknown('fromJSON', 'allowCustomPatern', 'allowCustomPattern'),
    );
    assert.throws(
      () => BytePairTokenizer.fromTiktokenRanks('', { specialToken: {} } as never),
      unknown('fromTiktokenRanks', 'specialToken', 'specialTokens'),
    );
    assert.throws(
      () => BytePairTokenizer.fromVocabAndMerges({}, [], { patern: 'x' } as never),
      unknown('fromVocabAndMerges', 'patern', 'pattern'),
    );
    // A misspelt disallowedSpecial must not let a special token's text through unnoticed.
    assert.throws(
      () => trained.encode(EOT, { disalowedSpecial: [] } as never),
      unknown('encode', 'disalowedSpecial', 'disallowedSpecial'),
    );
  });
});

describe('BytePairTokenizer encode and decode', () => {
  it('round-trips every sample text exactly', () => {
    for (const text of VARIED) assert.equal(trained.decode(trained.encode(text)), text, JSON.stringify(text));
    assert.equal(trained.decode(trained.encode(SHAKESPEARE)), SHAKESPEARE);
    assert.deepEqual(trained.encode(''), []);
  });

  it('round-trips random Unicode strings; a lone surrogate is encoded as U+FFFD', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 1500; i++) {
      const text = randomText(rng, 40, i % 2 === 0);
      assert.equal(trained.decode(trained.encode(text)), utf8Clean(text), JSON.stringify(text));
    }
    assert.deepEqual(trained.encode('a\uD800b'), trained.encode('a\uFFFDb'));
    assert.deepEqual(trained.encode('\uDC00\uD83D'), trained.encode('\uFFFD\uFFFD'));
    assert.equal(trained.decode(trained.encode('x\uDFFF')), 'x\uFFFD');
  });

  it('decodes ids that split a character: exact bytes, U+FFFD in text, whole in a stream', () => {
    const smile = new TextEncoder().encode('🙂'); // F0 9F 99 82
    const ids = Array.from(smile, (b) => trained.tokenToId(bytesToSpelling([b])));
    assert.deepEqual(Array.from(trained.decodeBytes(ids.slice(0, 2))), [0xf0, 0x9f]);
    assert.equal(trained.decode(ids.slice(0, 2)), '\uFFFD');
    assert.equal(trained.decode([ids[1], ids[2]]), '\uFFFD\uFFFD');
    assert.equal(trained.decode([...ids.slice(0, 3), trained.tokenToId('a')]), '\uFFFDa');
    const stream = trained.streamDecoder();
    assert.deepEqual([stream.write(ids[0]), stream.write(ids.slice(1, 3)), stream.write(ids[3])], ['', '', '🙂']);
    assert.equal(stream.write(trained.encode('ok')) + stream.write(ids[0]) + stream.end(), 'ok\uFFFD');
  });

  it('keeps a leading byte order mark', () => {
    assert.equal(trained.decode(trained.encode('\uFEFFhi')), '\uFEFFhi');
    assert.equal(trained.streamDecoder().write(trained.encode('\uFEFFhi')), '\uFEFFhi');
  });

  it('recognizes special tokens only when allowed, and refuses their text otherwise', () => {
    const eot = trained.tokenToId(EOT);
    assert.equal(eot, 999);
    assert.deepEqual(trained.encode(`${EOT}x${EOT}`, { allowedSpecial: [EOT] }), [eot, trained.tokenToId('x'), eot]);
    assert.throws(
      () => trained.encode(`abc ${EOT}`),
      /contains the special token "<\|endoftext\|>" at index 4; pass \{ allowedSpecial: \["<\|endoftext\|>"\] \}/,
    );
    const plain = trained.encode(EOT, { disallowedSpecial: [] });
    assert.ok(plain.length > 1 && !plain.includes(eot));
    assert.equal(trained.decode(plain), EOT);
    assert.equal(trained.decode([eot, ...plain]), EOT + EOT);
    assert.throws(
      () => trained.encode('x', { allowedSpecial: ['<|fim|>'] }),
      /'allowedSpecial' names "<\|fim\|>", which is not a special token; the special tokens are \["<\|endoftext\|>"\]/,
    );
  });

  it('encodes text a custom pattern leaves unmatched as words of their own', () => {
    const letters = BytePairTokenizer.train('hello hello world', { vocabularySize: 270, pattern: '\\p{L}+' });
    assert.equal(letters.decode(letters.encode('hi, 🙂 there!  ')), 'hi, 🙂 there!  ');
    const empty = BytePairTokenizer.train('aa', { vocabularySize: 260, pattern: 'a*' });
    assert.equal(empty.decode(empty.encode('ba🙂a')), 'ba🙂a');
  });

  it('looks up ids and tokens both ways', () => {
    const vocab = trained.getVocabulary();
    assert.equal(vocab.length, trained.vocabularySize());
    vocab.forEach((token, id) => {
      assert.equal(trained.idToToken(id), token);
      assert.equal(trained.tokenToId(token as string), id);
    });
    assert.equal(trained.idToToken(trained.tokenToId('Ġthe')), 'Ġthe');
    assert.deepEqual(trained.getSpecialTokens(), { [EOT]: 999 });
  });

  it('names bad ids and tokens', () => {
    assert.throws(
      () => trained.decode([5, 1000]),
      /decode: ids\[1\] is 1000, which is not a token id \(ids run from 0 to 999\)/,
    );
    assert.throws(() => trained.decode([-1]), /ids\[0\] is -1, which is not a token id/);
    assert.throws(() => trained.decode([1.5]), /ids\[0\] is 1.5, which is not a token id/);
    assert.throws(() => trained.idToToken(1000), /idToToken: 1000 is not a token id/);
    assert.throws(() => trained.tokenToId('the unknown'), /tokenToId: "the unknown" is not in the vocabulary/);
    assert.throws(() => trained.encode(5 as never), /encode: expected a string, got number/);
  });
});

describe('BytePairTokenizer.toJSON / fromJSON', () => {
  const json = trained.toJSON();

  it('writes the documented format and reads it back to the same tokenizer', () => {
    assert.equal(json.format, 'myelin.byte-pair-tokenizer');
    assert.equal(json.version, 1);
    assert.equal(json.pattern, GPT2_PATTERN);
    assert.equal(json.vocabulary.length, 1000);
    assert.equal(json.vocabulary[999], null);
    assert.equal(json.merges?.length, 1000 - 256 - 1);
    assert.deepEqual(json.specialTokens, { [EOT]: 999 });
    const again = BytePairTokenizer.fromJSON(JSON.stringify(trained));
    assert.deepEqual(again.toJSON(), json);
    const sample = SHAKESPEARE.slice(0, 20_000) + VARIED.join(EOT);
    assert.deepEqual(
      again.encode(sample, { allowedSpecial: 'all' }),
      trained.encode(sample, { allowedSpecial: 'all' }),
    );
  });

  it("reads rank order (merges null) as tiktoken does: any split merges, a whole word's token is taken", () => {
    const vocabulary: (string | null)[] = BYTE_ORDER.map((b) => BYTE_TO_CHAR[b]);
    vocabulary.push('ab', 'abc', 'cd', 'abcd', 'qrs');
    const ranked = BytePairTokenizer.fromJSON({ ...json, vocabulary, merges: null, specialTokens: {} });
    const listed = BytePairTokenizer.fromJSON({
      ...json,
      vocabulary,
      merges: ['a b', 'ab c', 'c d', 'ab cd'],
      specialTokens: {},
    });
    const spell = (tok: BytePairTokenizer, text: string) => tok.encode(text).map((id) => tok.idToToken(id));
    // ab, then abc (rank 257) before cd (258); 'abc d' joins into abcd by rank, but is not a listed merge.
    assert.deepEqual(spell(ranked, 'xabcd'), ['x', 'abcd']);
    assert.deepEqual(spell(listed, 'xabcd'), ['x', 'abc', 'd']);
    // No pair makes qrs, but the word is a token whole.
    assert.deepEqual(spell(ranked, 'qrs'), ['qrs']);
    assert.deepEqual(spell(ranked, 'qrst'), ['q', 'r', 's', 't']);
    assert.deepEqual(spell(listed, 'qrs'), ['q', 'r', 's']);
    assert.equal(BytePairTokenizer.fromJSON(JSON.stringify(ranked)).toJSON().merges, null);
  });

  it('names what is wrong with a file', () => {
    const bad = (patch: Partial<Record<keyof BytePairTokenizerJSON, unknown>>) => () =>
      BytePairTokenizer.fromJSON({ ...json, ...patch } as BytePairTokenizerJSON);
    assert.throws(() => BytePairTokenizer.fromJSON('{"format": '), /fromJSON: the file does not parse as JSON: /);
    assert.throws(() => BytePairTokenizer.fromJSON('[1]'), /fromJSON: the file must be an object, got an array/);
    assert.throws(bad({ format: 'keras' }), /'format' must be "myelin.byte-pair-tokenizer", got "keras"/);
    assert.throws(bad({ version: 2 }), /version 2 is not supported; this Myelin reads version 1/);
    assert.throws(bad({ vocabulary: 'abc' }), /'vocabulary' must be an array, got string/);
    assert.throws(
      bad({ vocabulary: ['hello world', ...json.vocabulary.slice(1)], merges: null }),
      /'vocabulary\[0\]' must be null or a non-empty string of byte-to-unicode characters, got "hello world"/,
    );
    assert.throws(
      bad({ vocabulary: [null, ...json.vocabulary.slice(1)], merges: null }),
      /lacks the single byte 0x21 \(spelled "!"\); a byte-level vocabulary needs all 256 bytes/,
    );
    assert.throws(
      bad({ vocabulary: [...json.vocabulary.slice(0, 300), 'Ġthe', ...json.vocabulary.slice(301)], merges: null }),
      /tokens (\d+) and 300 are the same bytes \("Ġthe"\)/,
    );
    assert.throws(bad({ merges: {} }), /'merges' must be an array or null, got object/);
    assert.throws(
      bad({ merges: ['Ġ t', 'Ġt qzx'] }),
      /'merges\[1\]' must be two vocabulary tokens separated by one space, got "Ġt qzx"/,
    );
    assert.throws(bad({ merges: ['Ġ Ā', 'q z'] }), /merge 0 \("Ġ Ā"\) makes "ĠĀ", which is not in the vocabulary/);
    assert.throws(
      bad({ specialTokens: { [EOT]: 5 } }),
      /special token "<\|endoftext\|>" has id 5, which is already the token "&"/,
    );
    assert.throws(bad({ specialTokens: { [EOT]: -1 } }), /'specialTokens'\["<\|endoftext\|>"\] must be an integer id/);
    assert.throws(
      bad({ pattern: '\\w+' }),
      /pattern is not GPT-2's; pass \{ allowCustomPattern: true \} if you trust the file/,
    );
    assert.throws(
      () => BytePairTokenizer.fromJSON({ ...json, pattern: '[' }, { allowCustomPattern: true }),
      /'pattern' "\[" is not a valid regular expression/,
    );
    const custom = BytePairTokenizer.fromJSON({ ...json, pattern: '\\S+|\\s+' }, { allowCustomPattern: true });
    assert.equal(custom.decode(custom.encode('a b  c')), 'a b  c');
  });
});
