import { BYTE_ORDER } from './byte_unicode.js';
import { ID_LIMIT } from './bpe_model.js';
import { PairHeap } from './pair_heap.js';
import { forEachWord, literalPattern, wellFormed } from './pretokenize.js';

/** What training learned: id -> bytes (the 256 bytes in GPT-2's order, then one token per merge) and the merges. */
export interface LearnedMerges {
  tokens: Uint8Array[];
  merges: [number, number][];
}

/** Counts the pre-tokenized words of a corpus, leaving out the special tokens. */
export function countWords(
  corpus: Iterable<string>,
  pattern: RegExp,
  specials: readonly string[],
): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (w: string) => counts.set(w, (counts.get(w) ?? 0) + 1);
  const special = specials.length > 0 ? literalPattern(specials) : null;
  for (const text of corpus) {
    const clean = wellFormed(text);
    if (!special) forEachWord(clean, pattern, add);
    else for (const part of clean.split(special)) forEachWord(part, pattern, add);
  }
  return counts;
}

/**
 * Learns up to `maxMerges` merges from word counts. Pair counts are kept incrementally: a merge
 * visits only the words that hold its pair (an index from pair to words) and changes only the
 * counts of the pairs it touches; a max-heap of (count, pair) finds the next merge, and entries
 * made stale by later changes are re-queued with their current count when they surface. Ties go
 * to the pair with the smaller ids, so training is deterministic.
 */
export function learnMerges(wordCounts: Map<string, number>, maxMerges: number, minFrequency: number): LearnedMerges {
  const tokens: Uint8Array[] = BYTE_ORDER.map((b) => Uint8Array.of(b));
  const byteId = new Int32Array(256);
  BYTE_ORDER.forEach((b, id) => {
    byteId[b] = id;
  });
  const encoder = new TextEncoder();
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [word, n] of wordCounts) {
    const bytes = encoder.encode(word);
    if (bytes.length < 2) continue;
    words.push(Array.from(bytes, (b) => byteId[b]));
    freq.push(n);
  }

  const counts = new Map<number, number>();
  const where = new Map<number, number[]>();
  for (let w = 0; w < words.length; w++) {
    const s = words[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const key = s[i] * ID_LIMIT + s[i + 1];
      counts.set(key, (counts.get(key) ?? 0) + freq[w]);
      const list = where.get(key);
      if (list) list.push(w);
      else where.set(key, [w]);
    }
  }
  const heap = new PairHeap();
  for (const [key, n] of counts) heap.push(-n, key);

  const merges: [number, number][] = [];
  const visited = new Int32Array(words.length).fill(-1);
  while (merges.length < maxMerges && heap.size > 0) {
    const queued = -heap.topPrimary();
    const key = heap.topSecondary();
    heap.pop();
    const current = counts.get(key) ?? 0;
    if (current !== queued) {
      if (current > 0) heap.push(-current, key);
      continue;
    }
    if (current < minFrequency) break;
    const a = Math.floor(key / ID_LIMIT);
    const b = key % ID_LIMIT;
    const c = tokens.length;
    const joined = new Uint8Array(tokens[a].length + tokens[b].length);
    joined.set(tokens[a]);
    joined.set(tokens[b], tokens[a].length);
    tokens.push(joined);
    merges.push([a, b]);

    const delta = new Map<number, number>();
    const step = merges.length;
    for (const w of where.get(key) ?? []) {
      if (visited[w] === step) continue;
      visited[w] = step;
      const s = words[w];
      const merged: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          merged.push(c);
          i++;
        } else merged.push(s[i]);
      }
      if (merged.length === s.length) continue;
      const f = freq[w];
      for (let i = 0; i + 1 < s.length; i++) {
        const k = s[i] * ID_LIMIT + s[i + 1];
        delta.set(k, (delta.get(k) ?? 0) - f);
      }
      for (let i = 0; i + 1 < merged.length; i++) {
        const k = merged[i] * ID_LIMIT + merged[i + 1];
        delta.set(k, (delta.get(k) ?? 0) + f);
        if (merged[i] === c || merged[i + 1] === c) {
          const list = where.get(k);
          if (list) list.push(w);
          else where.set(k, [w]);
        }
      }
      words[w] = merged;
    }
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const n = (counts.get(k) ?? 0) + d;
      if (n > 0) counts.set(k, n);
      else {
        counts.delete(k);
        where.delete(k);
      }
      if (d > 0) heap.push(-n, k);
    }
  }
  return { tokens, merges };
}
