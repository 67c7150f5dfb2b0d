import { ValueError } from '../core/errors.js';
import { bytesToSpelling } from './byte_unicode.js';
import { PairHeap } from './pair_heap.js';
import { PairTable } from './pair_table.js';

/** Ids (and merge ranks) stay below this, so a pair of them packs into one exact number key. */
export const ID_LIMIT = 2 ** 21;
// Rank order remembers at most this many pairs it has looked up, so that no text fills memory.
const RANK_MEMO_LIMIT = 1 << 19;

/**
 * The merge rule of a byte-level BPE vocabulary, shared by every way a tokenizer is made.
 *
 * Two rules exist in the wild, and the model speaks both:
 * - a merge list (GPT-2's `merges.txt`, a trained tokenizer): the pair on line k may merge with
 *   priority k, and no other pair merges;
 * - rank order (tiktoken's files, `merges` null): any two adjacent tokens whose bytes join into a
 *   token merge, with that token's id as the priority, and a word that is a token whole is that
 *   token.
 * Either way the best merge is applied first, the leftmost among equals, until none applies.
 */
export class BpeModel {
  /** Merge list as id pairs in priority order, or null for rank order. */
  readonly merges: readonly (readonly [number, number])[] | null;
  /** The id of each single byte. */
  readonly byteIds: Int32Array = new Int32Array(256);
  /** Id of every byte token by its GPT-2 spelling. */
  readonly idBySpelling = new Map<string, number>();
  private readonly spellings: string[] = [];
  // Pair -> merge. A merge list fills it whole; rank order fills it as pairs are met (merging
  // or not), since most of the pairs it allows are never met.
  private readonly table = new PairTable();
  private readonly heap = new PairHeap();
  private tok = new Int32Array(64);
  private next = new Int32Array(64);
  private prev = new Int32Array(64);
  private alive = new Uint8Array(64);

  /**
   * `tokens` maps id to bytes (null for special tokens and unused ids); `where` starts every
   * error message (e.g. 'BytePairTokenizer.fromJSON').
   */
  constructor(tokens: (Uint8Array | null)[], merges: [number, number][] | null, where: string) {
    this.merges = merges;
    if (tokens.length > ID_LIMIT)
      throw new ValueError(`${where}: at most ${ID_LIMIT} ids are supported, got ${tokens.length}`);
    this.byteIds.fill(-1);
    for (let id = 0; id < tokens.length; id++) {
      const bytes = tokens[id];
      if (!bytes) continue;
      if (bytes.length === 0) throw new ValueError(`${where}: token ${id} is empty`);
      const spelling = bytesToSpelling(bytes);
      this.spellings[id] = spelling;
      const seen = this.idBySpelling.get(spelling);
      if (seen !== undefined)
        throw new ValueError(`${where}: tokens ${seen} and ${id} are the same bytes (${JSON.stringify(spelling)})`);
      this.idBySpelling.set(spelling, id);
      if (bytes.length === 1) this.byteIds[bytes[0]] = id;
    }
    const missing = this.byteIds.indexOf(-1);
    if (missing >= 0)
      throw new ValueError(
        `${where}: the vocabulary lacks the single byte 0x${missing.toString(16).padStart(2, '0')} (spelled ${JSON.stringify(bytesToSpelling([missing]))}); a byte-level vocabulary needs all 256 bytes so that any text can be encoded`,
      );
    if (merges) this.buildFromMerges(merges, where);
  }

  private buildFromMerges(merges: [number, number][], where: string): void {
    for (let rank = 0; rank < merges.length; rank++) {
      const [left, right] = merges[rank];
      const a = this.spellings[left];
      const b = this.spellings[right];
      if (a === undefined || b === undefined)
        throw new ValueError(
          `${where}: merge ${rank} uses id ${a === undefined ? left : right}, which is not a byte token`,
        );
      const merged = this.idBySpelling.get(a + b);
      if (merged === undefined)
        throw new ValueError(
          `${where}: merge ${rank} (${JSON.stringify(`${a} ${b}`)}) makes ${JSON.stringify(a + b)}, which is not in the vocabulary`,
        );
      // A pair listed twice keeps its later rank, as GPT-2's own encoder reads merges.txt.
      this.table.set(left, right, rank, merged);
    }
  }

  /** The table slot of a pair's merge, or -1 when the pair does not merge. */
  private merge(left: number, right: number): number {
    const table = this.table;
    let slot = table.find(left, right);
    if (slot < 0) {
      if (this.merges) return -1;
      // Rank order: the pair merges when its bytes, joined, are a token; that token's id is the rank.
      const id = this.idBySpelling.get(this.spellings[left] + this.spellings[right]) ?? -1;
      if (table.size >= RANK_MEMO_LIMIT) table.clear();
      slot = table.set(left, right, id, id);
    }
    return table.rankAt(slot) < 0 ? -1 : slot;
  }

  /** Appends the ids of one pre-tokenized word, given as its UTF-8 bytes (the first `n` of `bytes`). */
  encodeWord(bytes: Uint8Array, n: number, out: number[]): void {
    if (n === 0) return;
    if (n === 1 || !this.merges) {
      const whole = n === 1 ? this.byteIds[bytes[0]] : this.idBySpelling.get(bytesToSpelling(bytes, n));
      if (whole !== undefined) {
        out.push(whole);
        return;
      }
    }
    if (n > this.tok.length) this.grow(n);
    const { tok, next, prev, alive, heap, table } = this;
    heap.clear();
    for (let i = 0; i < n; i++) {
      tok[i] = this.byteIds[bytes[i]];
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
      alive[i] = 1;
    }
    for (let i = 0; i + 1 < n; i++) {
      const m = this.merge(tok[i], tok[i + 1]);
      if (m >= 0) heap.push(table.rankAt(m), i);
    }
    while (heap.size > 0) {
      const rank = heap.topPrimary();
      const i = heap.topSecondary();
      heap.pop();
      const j = next[i];
      if (!alive[i] || j < 0) continue;
      const m = this.merge(tok[i], tok[j]);
      // Stale entry: the pair at i changed since it was pushed.
      if (m < 0 || table.rankAt(m) !== rank) continue;
      tok[i] = table.mergedAt(m);
      alive[j] = 0;
      const after = next[j];
      next[i] = after;
      if (after >= 0) prev[after] = i;
      const before = prev[i];
      if (before >= 0) {
        const l = this.merge(tok[before], tok[i]);
        if (l >= 0) heap.push(table.rankAt(l), before);
      }
      if (after >= 0) {
        const r = this.merge(tok[i], tok[after]);
        if (r >= 0) heap.push(table.rankAt(r), i);
      }
    }
    for (let i = 0; i >= 0; i = next[i]) out.push(tok[i]);
  }

  private grow(n: number): void {
    const size = Math.max(n, this.tok.length * 2);
    this.tok = new Int32Array(size);
    this.next = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.alive = new Uint8Array(size);
  }
}
