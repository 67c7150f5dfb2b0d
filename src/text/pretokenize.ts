import { ValueError } from '../core/errors.js';

/**
 * GPT-2's pre-tokenization pattern: English contractions, runs of letters, of digits, of other
 * symbols (each optionally led by one space), and whitespace, where a run of spaces before a word
 * leaves its last space to the word. BPE merges never cross the words it cuts.
 */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** Compiles a pre-tokenization pattern (Unicode mode, global), naming `where` if it does not compile. */
export function compilePattern(pattern: string, where: string): RegExp {
  if (typeof pattern !== 'string')
    throw new ValueError(`${where}: 'pattern' must be a string (a regular expression), got ${typeof pattern}`);
  try {
    return new RegExp(pattern, 'gu');
  } catch (e) {
    throw new ValueError(
      `${where}: 'pattern' ${JSON.stringify(pattern)} is not a valid regular expression: ${(e as Error).message}`,
    );
  }
}

/**
 * Calls `word` for each pre-token of `text`, in order. Text the pattern does not match (none, for
 * GPT-2's pattern) becomes a word of its own, so no character is ever dropped.
 */
export function forEachWord(text: string, pattern: RegExp, word: (w: string) => void): void {
  pattern.lastIndex = 0;
  let done = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const piece = m[0];
    if (piece.length === 0) {
      // An empty match would repeat forever: step over one code point.
      const c = text.codePointAt(m.index) ?? 0;
      pattern.lastIndex = m.index + (c > 0xffff ? 2 : 1);
      continue;
    }
    if (m.index > done) word(text.slice(done, m.index));
    word(piece);
    done = m.index + piece.length;
  }
  if (done < text.length) word(text.slice(done));
}

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text with every lone surrogate replaced by U+FFFD, as `TextEncoder` writes it in UTF-8: a
 * JavaScript string can hold half of a surrogate pair, which no UTF-8 text can.
 */
export function wellFormed(text: string): string {
  return SURROGATE.test(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text;
}

/** A pattern matching any of `tokens` literally, longer tokens first where one begins another. */
export function literalPattern(tokens: readonly string[]): RegExp {
  const escaped = [...tokens].sort((a, b) => b.length - a.length).map((t) => t.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'));
  return new RegExp(escaped.join('|'), 'g');
}
