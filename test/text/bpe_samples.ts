// Texts that exercise a byte-level tokenizer, shared by its tests.
import { readFileSync } from 'node:fs';
import type { Rng } from '../../src/core/rng.js';

export const SHAKESPEARE = readFileSync(new URL('../../../data/tinyshakespeare/input.txt', import.meta.url), 'utf8');

/** Hand-picked texts: scripts, emoji sequences, combining marks, whitespace, numbers, contractions, code. */
export const VARIED: readonly string[] = [
  '',
  'Hello, world!',
  "I'm sure you've heard they'll say it's 'd' and 'll'. DON'T SHOUT; don’t curl.",
  'Emoji: 🙂 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇯🇵🇫🇷 ❤️ 🫠',
  '中文分词测试：我们今天去公园。日本語のテキスト、カタカナとひらがな。한국어 문장입니다.',
  'Combining marks: e\u0301 a\u0308 Z\u0351\u0337\u0320\u0348a\u0336\u0354l\u0360\u0317g\u035Co; Hangul jamo \u1100\u1161\u11A8',
  'Arabic مرحبا بالعالم, Hebrew שלום, Devanagari नमस्ते दुनिया, Thai สวัสดีชาวโลก',
  'Whitespace:  two,   three,\t\ttabs,\r\nCRLF,\n\n\nblank lines,\u00A0nbsp,\u3000ideographic,\u2028line sep   ',
  '          leading spaces and trailing ones          ',
  'Numbers 0 12 345 6789 3.14159 1e-10 -42 1,000,000 ١٢٣ Ⅻ ½ 2²',
  'function add(a: number, b: number): number {\n  return a + b; // sum\n}\nconst x = [1, 2, 3].map((v) => v ** 2);',
  'def f(x):\n\tif x <= 0:\n\t\treturn {"k": [None, True]}\n',
  '<html><body class="a-b">&amp; &lt;tag&gt;</body></html>',
  'Controls: \u0000\u0001\u0007\u001B[31mred\u001B[0m\u007F',
  '\uFEFFA byte order mark begins this text.',
  'Private use \uE000\uF8FF, non-characters \uFFFE\uFFFF, replacement \uFFFD, astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓀀 𐍈',
  'URL https://example.com/path?q=1&r=%20x#frag and e-mail someone@example.org',
  '!!!???...---___***', // symbol runs
  "''''''''s't", // contractions against runs of quotes
];

// Code point ranges drawn from: ASCII, controls, Latin-1 and extended Latin, combining marks,
// Cyrillic, CJK, kana, Hangul, emoji, any astral plane, Arabic, Devanagari, whitespace.
const POOLS: readonly [number, number][] = [
  [0x20, 0x7e],
  [0x0, 0x1f],
  [0xa0, 0x2ff],
  [0x300, 0x36f],
  [0x400, 0x4ff],
  [0x4e00, 0x9fff],
  [0x3040, 0x30ff],
  [0xac00, 0xd7a3],
  [0x1f300, 0x1faff],
  [0x10000, 0x10ffff],
  [0x600, 0x6ff],
  [0x900, 0x97f],
  [0x2000, 0x200f],
];

/** A random string of up to `maxLength` code points; with `surrogates`, lone surrogates appear too. */
export function randomText(rng: Rng, maxLength: number, surrogates = false): string {
  let s = '';
  const n = rng.int(maxLength + 1);
  for (let i = 0; i < n; i++) {
    if (surrogates && rng.int(10) === 0) {
      s += String.fromCharCode(0xd800 + rng.int(0x800));
      continue;
    }
    if (rng.int(6) === 0) {
      s += ' \n\t'[rng.int(3)].repeat(1 + rng.int(4));
      continue;
    }
    const [lo, hi] = POOLS[rng.int(POOLS.length)];
    s += String.fromCodePoint(lo + rng.int(hi - lo + 1));
  }
  return s;
}

/** `text` with lone surrogates replaced by U+FFFD (what UTF-8 can hold of it). */
export function utf8Clean(text: string): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(new TextEncoder().encode(text));
}
