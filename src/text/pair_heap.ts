/**
 * A binary min-heap of (primary, secondary) number pairs, ordered by primary then secondary.
 * Encoding keys it by (merge rank, position) so the best merge, leftmost on ties, comes first;
 * training by (-count, pair) so the most frequent pair, smallest ids on ties, comes first.
 * Entries are never updated in place: callers push a fresh entry and skip stale ones on pop.
 */
export class PairHeap {
  private primary = new Float64Array(64);
  private secondary = new Float64Array(64);
  size = 0;

  clear(): void {
    this.size = 0;
  }

  push(primary: number, secondary: number): void {
    if (this.size === this.primary.length) this.grow();
    let i = this.size++;
    const p = this.primary;
    const s = this.secondary;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (p[parent] < primary || (p[parent] === primary && s[parent] <= secondary)) break;
      p[i] = p[parent];
      s[i] = s[parent];
      i = parent;
    }
    p[i] = primary;
    s[i] = secondary;
  }

  /** The smallest entry's primary key (the heap must not be empty). */
  topPrimary(): number {
    return this.primary[0];
  }

  /** The smallest entry's secondary key (the heap must not be empty). */
  topSecondary(): number {
    return this.secondary[0];
  }

  /** Removes the smallest entry. */
  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const p = this.primary;
    const s = this.secondary;
    const lastP = p[n];
    const lastS = s[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (p[right] < p[child] || (p[right] === p[child] && s[right] < s[child]))) child = right;
      if (lastP < p[child] || (lastP === p[child] && lastS <= s[child])) break;
      p[i] = p[child];
      s[i] = s[child];
      i = child;
    }
    p[i] = lastP;
    s[i] = lastS;
  }

  private grow(): void {
    const p = new Float64Array(this.primary.length * 2);
    const s = new Float64Array(this.primary.length * 2);
    p.set(this.primary);
    s.set(this.secondary);
    this.primary = p;
    this.secondary = s;
  }
}
