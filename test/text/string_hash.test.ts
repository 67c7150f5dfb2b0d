import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprint64, hashBucket, sipHash24 } from '../../src/text/string_hash.js';

describe('FarmHash Fingerprint64 (farmhashna::Hash64)', () => {
  it("matches Guava's published farmHashFingerprint64 values at every length branch", () => {
    // Guava's FarmHashFingerprint64Test: 0, 1-3, 4-7, 8-16, 17-32, 33-64 and over 64 bytes.
    const known: [string, bigint][] = [
      ['', 11160318154034397263n],
      ['Q', 13816109650407654260n],
      [',=', 1326014594494455617n],
      ['WW5', 6316074107149058620n],
      ['e#p8', 252499459662674074n],
      ['test', 8581389452482819506n],
      [')D<l91', 6440615040757739207n],
      ['#cDR^sLO', 328147020574120176n],
      ['K6Pjv<>ad', 16506019169567922731n],
      ['/dWQW6&i7h$1@', 11452602314494946942n],
      ['bF&d$MYIhB.Ac=qC', 17582099205024456557n],
      ['&&3gRU?[^&ok:He[|K:', 11792583603419566171n],
      ['dXB@tDQ-v5<H]rq2Pcc*s>nC-[Mdy', 8365906589669344754n],
      ['n?(o|a[EX|KN-9./=tCVEmN%?<MXe8F<', 1754206644017466002n],
      ['2/?98ns)xbzEVL^:wCS$7l3@_g!zP^<D.-bd6', 9728733090894310797n],
      ['F7479877-4690-4A44-AFC9-8FE987EA512F:some_other_id', 6862335115798125349n],
      ['test'.repeat(64), 3500507768004279527n],
    ];
    for (const [text, hash] of known) assert.equal(fingerprint64(text), hash, JSON.stringify(text));
    assert.equal(BigInt.asIntN(64, fingerprint64('test'.repeat(8))), -4196240717365766262n);
  });
  it('hashes UTF-8 bytes: a string and its encoding agree, lengths 0 to 200', () => {
    const text = 'é€𝄞'.repeat(20);
    for (let n = 0; n <= text.length; n += 7) {
      const s = text.slice(0, n);
      assert.equal(fingerprint64(s), fingerprint64(new TextEncoder().encode(s)));
    }
  });
});

describe('SipHash-2-4', () => {
  it('matches the reference vectors (key 00..0f, message 00..n-1)', () => {
    const k0 = 0x0706050403020100n;
    const k1 = 0x0f0e0d0c0b0a0908n;
    const msg = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
    assert.equal(sipHash24(k0, k1, msg(0)), 0x726fdb47dd0e0e31n);
    assert.equal(sipHash24(k0, k1, msg(1)), 0x74f839c593dc67fdn);
    assert.equal(sipHash24(k0, k1, msg(15)), 0xa129ca6149be45e5n);
  });
});

describe('hash buckets (TensorFlow to_hash_bucket_fast / _strong)', () => {
  it("TensorFlow's documented example", () => {
    assert.deepEqual(
      ['Hello', 'TensorFlow', '2.x'].map((s) => hashBucket(s, 3)),
      [0, 2, 2],
    );
  });
  it("Keras' Hashing test values under two SipHash keys", () => {
    const words = ['omar', 'stringer', 'marlo', 'wire', 'skywalker'];
    assert.deepEqual(
      words.map((w) => hashBucket(w, 2, [133n, 137n])),
      [0, 1, 0, 1, 0],
    );
    assert.deepEqual(
      words.map((w) => hashBucket(w, 2, [211n, 137n])),
      [1, 0, 1, 0, 1],
    );
  });
});
