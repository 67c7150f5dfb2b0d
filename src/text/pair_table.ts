/**
 * A hash table from a pair of token ids to a merge (its rank and the id it makes), open
 * addressing over typed arrays: the encoder looks a pair up for every adjacent pair of every
 * word, and a Map keyed by numbers past 2^31 hashes them as doubles, several times slower.
 * A rank of -1 records that the pair does not merge.
 */
export class PairTable {
  private lefts: Int32Array;
  private rights: Int32Array;
  private ranks: Int32Array;
  private merged: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.lefts = new Int32Array(n).fill(-1);
    this.rights = new Int32Array(n);
    this.ranks = new Int32Array(n);
    this.merged = new Int32Array(n);
    this.mask = n - 1;
  }

  private slot(left: number, right: number): number {
    let i = (Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca77)) & this.mask;
    for (;;) {
      const l = this.lefts[i];
      if (l === -1 || (l === left && this.rights[i] === right)) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** The slot holding the pair, or -1 when the table does not know it. */
  find(left: number, right: number): number {
    const i = this.slot(left, right);
    return this.lefts[i] === -1 ? -1 : i;
  }

  rankAt(slot: number): number {
    return this.ranks[slot];
  }

  mergedAt(slot: number): number {
    return this.merged[slot];
  }

  /** Records (or replaces) a pair's merge and returns its slot. */
  set(left: number, right: number, rank: number, merged: number): number {
    if ((this.size + 1) * 2 > this.lefts.length) this.grow();
    const i = this.slot(left, right);
    if (this.lefts[i] === -1) this.size++;
    this.lefts[i] = left;
    this.rights[i] = right;
    this.ranks[i] = rank;
    this.merged[i] = merged;
    return i;
  }

  clear(): void {
    this.lefts.fill(-1);
    this.size = 0;
  }

  private grow(): void {
    const { lefts, rights, ranks, merged } = this;
    const n = lefts.length * 2;
    this.lefts = new Int32Array(n).fill(-1);
    this.rights = new Int32Array(n);
    this.ranks = new Int32Array(n);
    this.merged = new Int32Array(n);
    this.mask = n - 1;
    this.size = 0;
    for (let i = 0; i < lefts.length; i++) if (lefts[i] !== -1) this.set(lefts[i], rights[i], ranks[i], merged[i]);
  }
}
