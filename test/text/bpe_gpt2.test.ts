// GPT-2's published encoding, loaded from js-tiktoken's ranks and from vocab.json + merges.txt,
// must give exactly the ids js-tiktoken gives.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2 from 'js-tiktoken/ranks/gpt2';
import { Rng } from '../../src/core/rng.js';
import { BytePairTokenizer } from '../../src/text/index.js';
import { randomText, SHAKESPEARE, utf8Clean, VARIED } from './bpe_samples.js';

const EOT = '<|endoftext|>';
const reference = new Tiktoken(gpt2);
const fromRanks = BytePairTokenizer.fromTiktokenRanks(gpt2);

// GPT-2's byte-to-unicode spelling, written out here as in GPT-2's encoder.py.
function gpt2Spelling(): string[] {
  const bs: number[] = [];
  for (let b = 0; b < 256; b++)
    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++)
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  const out: string[] = [];
  bs.forEach((b, i) => {
    out[b] = String.fromCharCode(cs[i]);
  });
  return out;
}

/**
 * vocab.json and merges.txt made from js-tiktoken's ranks: each token's merge is the split the
 * ranks themselves reach when only lower ranks may merge (the usual conversion).
 */
function vocabAndMergesFromRanks(): { vocab: Record<string, number>; merges: string } {
  const spell = gpt2Spelling();
  const spelled: string[] = [];
  for (const line of gpt2.bpe_ranks.split('\n').filter(Boolean)) {
    const [, offset, ...tokens] = line.split(' ');
    tokens.forEach((t, i) => {
      spelled[Number(offset) + i] = Array.from(atob(t), (c) => spell[c.charCodeAt(0)]).join('');
    });
  }
  const rank = new Map(spelled.map((s, i) => [s, i]));
  const lines = ['#version: 0.2'];
  spelled.forEach((token, id) => {
    const parts = Array.from(token);
    while (parts.length > 2) {
      let best = -1;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = rank.get(parts[i] + parts[i + 1]);
        if (r !== undefined && r < id && (best < 0 || r < (rank.get(parts[best] + parts[best + 1]) as number)))
          best = i;
      }
      assert.ok(best >= 0, `token ${id} cannot be merged from lower ranks`);
      parts.splice(best, 2, parts[best] + parts[best + 1]);
    }
    if (parts.length === 2) lines.push(parts.join(' '));
  });
  const vocab = Object.fromEntries(spelled.map((s, i) => [s, i]));
  vocab[EOT] = gpt2.special_tokens[EOT];
  return { vocab, merges: `${lines.join('\n')}\n` };
}

const files = vocabAndMergesFromRanks();
const fromFiles = BytePairTokenizer.fromVocabAndMerges(JSON.stringify(files.vocab), files.merges, {
  specialTokens: [EOT],
});

function assertSameIds(tok: BytePairTokenizer, text: string, special: 'all' | [] = []) {
  const ours = tok.encode(text, { allowedSpecial: special, disallowedSpecial: [] });
  const theirs = reference.encode(text, special, []);
  assert.deepEqual(ours, theirs, JSON.stringify(text.slice(0, 200)));
  assert.equal(tok.decode(ours), utf8Clean(text));
}

describe('GPT-2 from js-tiktoken ranks', () => {
  it('has GPT-2 vocabulary and lookups', () => {
    assert.equal(fromRanks.vocabularySize(), 50257);
    assert.deepEqual(fromRanks.encode('hello world'), [31373, 995]);
    assert.equal(fromRanks.idToToken(262), 'Ġthe');
    assert.equal(fromRanks.tokenToId('Ġthe'), 262);
    assert.equal(fromRanks.idToToken(50256), EOT);
    assert.deepEqual(fromRanks.getSpecialTokens(), { [EOT]: 50256 });
    assert.deepEqual(fromRanks.encode(`Hi${EOT}`, { allowedSpecial: 'all' }), [17250, 50256]);
  });

  it('encodes Tiny Shakespeare and the varied samples to the same ids, and decodes them back', () => {
    const ids = fromRanks.encode(SHAKESPEARE);
    assert.deepEqual(ids, reference.encode(SHAKESPEARE));
    assert.equal(fromRanks.decode(ids), SHAKESPEARE);
    for (const text of VARIED) {
      assertSameIds(fromRanks, text);
      assert.equal(fromRanks.decode(fromRanks.encode(text)), text);
    }
    assertSameIds(fromRanks, VARIED.join(EOT), 'all');
    assertSameIds(fromRanks, VARIED.join(EOT), []);
  });

  it('encodes random Unicode strings, lone surrogates included, to the same ids', () => {
    const rng = new Rng(1234);
    for (let i = 0; i < 1500; i++) assertSameIds(fromRanks, randomText(rng, 30, i % 3 === 0));
    // Long runs: whitespace, digits, one long word, repeated symbols.
    for (const text of [
      ' '.repeat(1000),
      `x${'\n '.repeat(300)}y`,
      '9'.repeat(777),
      'ab'.repeat(2000),
      '=-'.repeat(999),
    ])
      assertSameIds(fromRanks, text);
  });

  it('reads the .tiktoken text format too', () => {
    const lines: string[] = [];
    for (const line of gpt2.bpe_ranks.split('\n').filter(Boolean)) {
      const [, offset, ...tokens] = line.split(' ');
      tokens.forEach((t, i) => lines.push(`${t} ${Number(offset) + i}`));
    }
    const tok = BytePairTokenizer.fromTiktokenRanks(lines.join('\n'), { specialTokens: { [EOT]: 50256 } });
    const sample = SHAKESPEARE.slice(0, 50_000) + VARIED.join(' ');
    assert.deepEqual(tok.encode(sample), fromRanks.encode(sample));
  });

  it('saves and loads as JSON (rank order) to the same ids', () => {
    const again = BytePairTokenizer.fromJSON(JSON.stringify(fromRanks));
    assert.equal(again.toJSON().merges, null);
    const sample = SHAKESPEARE.slice(0, 100_000) + VARIED.join(' ');
    assert.deepEqual(again.encode(sample), reference.encode(sample));
  });

  it('names what is wrong with ranks', () => {
    const bad = (bpe_ranks: string) => () => BytePairTokenizer.fromTiktokenRanks({ ...gpt2, bpe_ranks });
    assert.throws(bad('! 0 IQ== ***'), /fromTiktokenRanks: 'bpe_ranks' line 1: token "\*\*\*" is not valid base64/);
    assert.throws(bad('! x IQ=='), /'bpe_ranks' line 1 must start with '<name> <first rank>', got "! x IQ=="/);
    assert.throws(bad('! 0 IQ== IQ=='), /tokens 0 and 1 are the same bytes \("!"\)/);
    assert.throws(bad('! 0 IQ==\n! 0 Ig=='), /rank 0 is given to two tokens/);
    assert.throws(bad('! 0 IQ== Ig=='), /the vocabulary lacks the single byte 0x00 \(spelled "Ā"\)/);
    assert.throws(
      () => BytePairTokenizer.fromTiktokenRanks('IQ== 0\nIg==', {}),
      /fromTiktokenRanks: line 2 must be '<base64 token> <rank>', got "Ig=="/,
    );
    assert.throws(
      () => BytePairTokenizer.fromTiktokenRanks({ ...gpt2, special_tokens: { [EOT]: 100 } }),
      /special token "<\|endoftext\|>" has id 100, which is already the token "§"/,
    );
  });
});

describe('GPT-2 from vocab.json and merges.txt', () => {
  it("makes GPT-2's published merges.txt from js-tiktoken's ranks, byte for byte", () => {
    // SHA-256 of GPT-2's published merges.txt (vocab.bpe): 50,000 merges after '#version: 0.2'.
    assert.equal(
      createHash('sha256').update(files.merges).digest('hex'),
      '1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5',
    );
    assert.deepEqual(files.merges.split('\n').slice(1, 8), ['Ġ t', 'Ġ a', 'h e', 'i n', 'r e', 'o n', 'Ġt he']);
  });

  it('encodes Tiny Shakespeare, the varied samples and random strings to the same ids', () => {
    assert.equal(fromFiles.vocabularySize(), 50257);
    assert.deepEqual(fromFiles.encode(SHAKESPEARE), reference.encode(SHAKESPEARE));
    for (const text of VARIED) assertSameIds(fromFiles, text);
    assertSameIds(fromFiles, VARIED.join(EOT), 'all');
    const rng = new Rng(99);
    for (let i = 0; i < 1000; i++) assertSameIds(fromFiles, randomText(rng, 30, i % 3 === 0));
  });

  it('saves and loads as JSON (merge list) to the same ids', () => {
    const json = fromFiles.toJSON();
    assert.equal(json.merges?.length, 50_000);
    assert.equal(json.merges?.[0], 'Ġ t');
    const again = BytePairTokenizer.fromJSON(JSON.stringify(json));
    const sample = SHAKESPEARE.slice(0, 100_000) + VARIED.join(' ');
    assert.deepEqual(again.encode(sample), reference.encode(sample));
  });

  it('names what is wrong with the files', () => {
    // GPT-2's first 100 merges (and the tokens they make) are enough to read every mistake.
    const merges = files.merges.split('\n').slice(0, 101);
    const vocab = Object.fromEntries(Object.entries(files.vocab).filter(([, id]) => id < 356));
    vocab[EOT] = 356;
    const load =
      (v: string | Record<string, number>, m: string | string[], specialTokens = [EOT]) =>
      () =>
        BytePairTokenizer.fromVocabAndMerges(v, m, { specialTokens });
    assert.equal(BytePairTokenizer.fromVocabAndMerges(vocab, merges, { specialTokens: [EOT] }).vocabularySize(), 357);
    assert.throws(load('{"!": 0,', merges), /fromVocabAndMerges: vocab does not parse as JSON/);
    assert.throws(load('[]', merges), /vocab must be an object, got an array/);
    assert.throws(
      load({ ...vocab, 'two words': 60000 }, merges),
      /vocab entry "two words" \(id 60000\) is not spelled in GPT-2's byte-to-unicode characters; if it is a special token, name it in options.specialTokens/,
    );
    assert.throws(load({ ...vocab, Ġzz: 7 }, merges), /id 7 is given to two vocabulary entries/);
    assert.throws(load({ ...vocab, Ġzz: 1.5 }, merges), /vocab\["Ġzz"\] must be an integer id/);
    assert.throws(load(vocab, merges, ['<|fim|>']), /special token "<\|fim\|>" is not in the vocabulary/);
    assert.throws(
      load(vocab, [...merges.slice(0, 3), 'Ġ t x', ...merges.slice(3)]),
      /merges line 4 \("Ġ t x"\) must be two tokens separated by one space/,
    );
    assert.throws(
      load(vocab, [...merges.slice(0, 3), 'Ġ qqqzz', ...merges.slice(3)]),
      /merges line 4 \("Ġ qqqzz"\) uses "qqqzz", which is not in the vocabulary/,
    );
    assert.throws(
      load(vocab, [...merges.slice(0, 3), 'Ġ <|endoftext|>', ...merges.slice(3)]),
      /uses "<\|endoftext\|>", which is not in the vocabulary/,
    );
  });
});
