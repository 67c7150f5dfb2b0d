/**
 * The two string hashes TensorFlow's bucketing ops use, bit for bit, so that Keras' `Hashing`
 * and the OOV buckets of `StringLookup` give the same bins here: FarmHash's `Fingerprint64`
 * (farmhashna's Hash64; `tf.strings.to_hash_bucket_fast`) and keyed SipHash-2-4
 * (`tf.strings.to_hash_bucket_strong`). Strings are hashed as their UTF-8 bytes. 64-bit
 * arithmetic uses BigInt, wrapped to 64 bits after every product and sum.
 */

const MASK = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;
const utf8 = new TextEncoder();

const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;
const add = (a: bigint, b: bigint): bigint => (a + b) & MASK;
const rotr = (v: bigint, s: bigint): bigint => ((v >> s) | (v << (64n - s))) & MASK;
const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

function hashLen16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

/** Little-endian 64- and 32-bit reads, as FarmHash's Fetch64 / Fetch32 on every platform. */
class Bytes {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  u64(at: number): bigint {
    return this.view.getBigUint64(at, true);
  }
  u32(at: number): bigint {
    return BigInt(this.view.getUint32(at, true));
  }
}

function hashLen0to16(s: Bytes, len: number): bigint {
  const n = BigInt(len);
  if (len >= 8) {
    const m = add(K2, n * 2n);
    const a = add(s.u64(0), K2);
    const b = s.u64(len - 8);
    const c = add(mul(rotr(b, 37n), m), a);
    const d = mul(add(rotr(a, 25n), b), m);
    return hashLen16(c, d, m);
  }
  if (len >= 4) {
    const m = add(K2, n * 2n);
    return hashLen16(add(n, (s.u32(0) << 3n) & MASK), s.u32(len - 4), m);
  }
  if (len > 0) {
    const y = BigInt(s.bytes[0] + (s.bytes[len >> 1] << 8));
    const z = n + BigInt(s.bytes[len - 1] << 2);
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function hashLen17to32(s: Bytes, len: number): bigint {
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(s.u64(0), K1);
  const b = s.u64(8);
  const c = mul(s.u64(len - 8), m);
  const d = mul(s.u64(len - 16), K2);
  return hashLen16(add(add(rotr(add(a, b), 43n), rotr(c, 30n)), d), add(add(a, rotr(add(b, K2), 18n)), c), m);
}

function hashLen33to64(s: Bytes, len: number): bigint {
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(s.u64(0), K2);
  const b = s.u64(8);
  const c = mul(s.u64(len - 8), m);
  const d = mul(s.u64(len - 16), K2);
  const y = add(add(rotr(add(a, b), 43n), rotr(c, 30n)), d);
  const z = hashLen16(y, add(add(a, rotr(add(b, K2), 18n)), c), m);
  const e = mul(s.u64(16), m);
  const f = s.u64(24);
  const g = mul(add(y, s.u64(len - 32)), m);
  const h = mul(add(z, s.u64(len - 24)), m);
  return hashLen16(add(add(rotr(add(e, f), 43n), rotr(g, 30n)), h), add(add(e, rotr(add(f, a), 18n)), g), m);
}

/** FarmHash's WeakHashLen32WithSeeds on the 32 bytes at `at`: a pair [first, second]. */
function weak32(s: Bytes, at: number, a0: bigint, b0: bigint): [bigint, bigint] {
  const w = s.u64(at);
  const x = s.u64(at + 8);
  const y = s.u64(at + 16);
  const z = s.u64(at + 24);
  let a = add(a0, w);
  let b = rotr(add(add(b0, a), z), 21n);
  const c = a;
  a = add(add(a, x), y);
  b = add(b, rotr(a, 44n));
  return [add(a, z), add(b, c)];
}

function hashLongerThan64(s: Bytes, len: number): bigint {
  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n];
  let w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), s.u64(0));
  // The loop eats 64-byte blocks and leaves 1 to 64 bytes, read as the last 64 bytes.
  const end = Math.floor((len - 1) / 64) * 64;
  for (let p = 0; p !== end; p += 64) {
    x = mul(rotr(add(add(add(x, y), v[0]), s.u64(p + 8)), 37n), K1);
    y = mul(rotr(add(add(y, v[1]), s.u64(p + 48)), 42n), K1);
    x ^= w[1];
    y = add(y, add(v[0], s.u64(p + 40)));
    z = mul(rotr(add(z, w[0]), 33n), K1);
    v = weak32(s, p, mul(v[1], K1), add(x, w[0]));
    w = weak32(s, p + 32, add(z, w[1]), add(y, s.u64(p + 16)));
    [z, x] = [x, z];
  }
  const m = add(K1, (z & 0xffn) << 1n);
  const last = len - 64;
  w[0] = add(w[0], BigInt((len - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rotr(add(add(add(x, y), v[0]), s.u64(last + 8)), 37n), m);
  y = mul(rotr(add(add(y, v[1]), s.u64(last + 48)), 42n), m);
  x ^= mul(w[1], 9n);
  y = add(y, add(mul(v[0], 9n), s.u64(last + 40)));
  z = mul(rotr(add(z, w[0]), 33n), m);
  v = weak32(s, last, mul(v[1], m), add(x, w[0]));
  w = weak32(s, last + 32, add(z, w[1]), add(y, s.u64(last + 16)));
  [z, x] = [x, z];
  return hashLen16(add(add(hashLen16(v[0], w[0], m), mul(shiftMix(y), K0)), z), add(hashLen16(v[1], w[1], m), x), m);
}

/** Bytes to hash: a string's UTF-8 encoding, or the bytes themselves. */
function bytesOf(data: string | Uint8Array): Bytes {
  return new Bytes(typeof data === 'string' ? utf8.encode(data) : data);
}

/**
 * FarmHash's `Fingerprint64` (farmhashna::Hash64) of a string's UTF-8 bytes, as an unsigned
 * 64-bit BigInt: TensorFlow's `tf.fingerprint` and the hash of `to_hash_bucket_fast`.
 * @example fingerprint64('test'); // 8581389452482819506n
 */
export function fingerprint64(data: string | Uint8Array): bigint {
  const s = bytesOf(data);
  const len = s.length;
  if (len <= 16) return hashLen0to16(s, len);
  if (len <= 32) return hashLen17to32(s, len);
  if (len <= 64) return hashLen33to64(s, len);
  return hashLongerThan64(s, len);
}

/** One SipHash round on the state [v0, v1, v2, v3], in place. */
function sipRound(v: bigint[]): void {
  v[0] = add(v[0], v[1]);
  v[1] = rotr(v[1], 51n) ^ v[0]; // rotl 13
  v[0] = rotr(v[0], 32n);
  v[2] = add(v[2], v[3]);
  v[3] = rotr(v[3], 48n) ^ v[2]; // rotl 16
  v[0] = add(v[0], v[3]);
  v[3] = rotr(v[3], 43n) ^ v[0]; // rotl 21
  v[2] = add(v[2], v[1]);
  v[1] = rotr(v[1], 47n) ^ v[2]; // rotl 17
  v[2] = rotr(v[2], 32n);
}

/**
 * SipHash-2-4 of a string's UTF-8 bytes under the 128-bit key (k0, k1), as an unsigned 64-bit
 * BigInt: the keyed hash of TensorFlow's `to_hash_bucket_strong` (key = [k0, k1]).
 * @example sipHash24(0x0706050403020100n, 0x0f0e0d0c0b0a0908n, ''); // 0x726fdb47dd0e0e31n
 */
export function sipHash24(k0: bigint, k1: bigint, data: string | Uint8Array): bigint {
  const s = bytesOf(data);
  const len = s.length;
  const v = [k0 ^ 0x736f6d6570736575n, k1 ^ 0x646f72616e646f6dn, k0 ^ 0x6c7967656e657261n, k1 ^ 0x7465646279746573n];
  const whole = len - (len % 8);
  const absorb = (m: bigint) => {
    v[3] ^= m;
    sipRound(v);
    sipRound(v);
    v[0] ^= m;
  };
  for (let p = 0; p < whole; p += 8) absorb(s.u64(p));
  let tail = BigInt(len & 0xff) << 56n;
  for (let i = whole; i < len; i++) tail |= BigInt(s.bytes[i]) << BigInt(8 * (i - whole));
  absorb(tail);
  v[2] ^= 0xffn;
  for (let r = 0; r < 4; r++) sipRound(v);
  return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/**
 * The bucket of a string among `buckets` (TensorFlow's `to_hash_bucket_fast`, or
 * `to_hash_bucket_strong` when a key is given): the 64-bit hash modulo `buckets`.
 * @example hashBucket('Hello', 3); // 0
 */
export function hashBucket(data: string | Uint8Array, buckets: number, key?: readonly [bigint, bigint]): number {
  const h = key ? sipHash24(key[0], key[1], data) : fingerprint64(data);
  return Number(h % BigInt(buckets));
}
