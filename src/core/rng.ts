/** 32-bit draws made by every generator so far. */
let draws = 0;

/**
 * How many 32-bit numbers all generators together have drawn so far: a captured training step
 * compares it before and after a step to know whether the step drew outside its random tensors.
 * @example const before = rngDraws(); globalRng.uniform(); rngDraws() - before; // 2
 */
export function rngDraws(): number {
  return draws;
}

/**
 * A seeded pseudo-random generator (xoshiro128**), so initialisation, shuffling and dropout are
 * reproducible after `setSeed(n)`. Without a seed, the generator is seeded from Math.random.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed: number = Math.floor(Math.random() * 2 ** 32)) {
    this.seed(seed);
  }

  seed(seed: number): void {
    // splitmix32 spreads a small integer seed over the 128-bit state.
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spareNormal = null;
  }

  /**
   * The generator's exact position, so a resumed run draws the same numbers as one that never
   * stopped (checkpoints save it).
   * @example const s = globalRng.getState(); globalRng.uniform(); globalRng.setState(s);
   */
  getState(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spareNormal };
  }

  /** Restores a position from `getState()`. */
  setState(state: RngState): void {
    const s = state?.s;
    if (
      !Array.isArray(s) ||
      s.length !== 4 ||
      !s.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32) ||
      s.every((v) => v === 0)
    ) {
      throw new Error(
        `Rng.setState: expected {s: four uint32 values, not all zero, spareNormal: number | null}, got ${JSON.stringify(state)}`,
      );
    }
    const spare = state.spareNormal;
    if (spare !== null && !(typeof spare === 'number' && Number.isFinite(spare)))
      throw new Error(`Rng.setState: spareNormal must be a finite number or null, got ${JSON.stringify(spare)}`);
    [this.s0, this.s1, this.s2, this.s3] = s;
    this.spareNormal = spare;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    draws++;
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * Fisher-Yates shuffle in place, drawing `int(i + 1)` for each i from the top. The generator
   * is inlined: fit shuffles every sample index each epoch, often before any code is optimised.
   */
  shuffle<A extends unknown[] | Int32Array>(items: A): A {
    let s0 = this.s0,
      s1 = this.s1,
      s2 = this.s2,
      s3 = this.s3;
    for (let i = items.length - 1; i > 0; i--) {
      let x = Math.imul(s1, 5);
      const hi = (Math.imul((x << 7) | (x >>> 25), 9) >>> 0) >>> 5;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      x = Math.imul(s1, 5);
      const lo = (Math.imul((x << 7) | (x >>> 25), 9) >>> 0) >>> 6;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const j = Math.floor(((hi * 67108864 + lo) / 9007199254740992) * (i + 1));
      const v = items[i];
      items[i] = items[j];
      items[j] = v;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    draws += 2 * Math.max(0, items.length - 1);
    return items;
  }
}

/** A generator's position, as `getState` returns it (plain JSON). */
export interface RngState {
  s: number[];
  spareNormal: number | null;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The generator every random op, initializer, shuffle and dropout draws from. */
export const globalRng = new Rng();

/**
 * Makes initialisation, shuffling and dropout reproducible.
 * @example setSeed(42); const a = randomNormal([2]); setSeed(42); // randomNormal([2]) equals a
 */
export function setSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new Error(`setSeed: expected a finite number, got ${seed}`);
  globalRng.seed(Math.floor(seed));
}
