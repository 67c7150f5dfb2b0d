// npm run bench:bpe: byte-pair tokenizer speed. Encodes Tiny Shakespeare (1.1 MB) and 1 MB of
// mixed-script text with GPT-2's encoding (ranks from the js-tiktoken devDependency), beside
// js-tiktoken itself, and trains vocabularies on Tiny Shakespeare. Medians of a few runs.
import { readFileSync } from 'node:fs';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2 from 'js-tiktoken/ranks/gpt2';
import { Rng } from '../src/core/rng.js';
import { BytePairTokenizer } from '../src/text/index.js';

const ROUNDS = 5;
const shakespeare = readFileSync(new URL('../../data/tinyshakespeare/input.txt', import.meta.url), 'utf8');

// 1 MB of text that a word cache helps little with: words drawn from many scripts, emoji and digits.
function mixedText(bytes: number): string {
  const rng = new Rng(3);
  const ranges: [number, number][] = [
    [0x61, 0x7a],
    [0x430, 0x44f],
    [0x4e00, 0x9fff],
    [0x3040, 0x30ff],
    [0x1f300, 0x1faff],
    [0x30, 0x39],
    [0x5d0, 0x5ea],
  ];
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const [lo, hi] = ranges[rng.int(ranges.length)];
    let word = rng.int(3) === 0 ? '\n' : ' ';
    for (let n = 1 + rng.int(8); n > 0; n--) word += String.fromCodePoint(lo + rng.int(hi - lo + 1));
    parts.push(word);
    size += new TextEncoder().encode(word).length;
  }
  return parts.join('');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Medians of wall-clock and of this process's CPU time: on a shared machine the CPU time is the
// steadier figure.
function time(run: () => unknown, rounds = ROUNDS): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const rows: [string, string][] = [];
const row = (what: string, value: string) => {
  rows.push([what, value]);
  console.log(`${what.padEnd(58)} ${value}`);
};
const mb = (text: string) => new TextEncoder().encode(text).length / 1e6;
const ms = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(0)} ms (CPU ${t.cpu.toFixed(0)} ms)`;
const rate = (text: string, t: { wall: number; cpu: number }) =>
  `${ms(t)}  ${(mb(text) / (t.wall / 1000)).toFixed(1)} MB/s`;

const mixed = mixedText(1_000_000);
row('load GPT-2 ranks (fromTiktokenRanks)', ms(time(() => BytePairTokenizer.fromTiktokenRanks(gpt2))));
const ours = BytePairTokenizer.fromTiktokenRanks(gpt2);
const theirs = new Tiktoken(gpt2);
for (const [name, text] of [
  [`Tiny Shakespeare, ${mb(shakespeare).toFixed(2)} MB`, shakespeare],
  [`mixed scripts, ${mb(mixed).toFixed(2)} MB`, mixed],
] as const) {
  // Cold: a fresh tokenizer each time, so no word is cached yet.
  const fresh = Array.from({ length: ROUNDS }, () => BytePairTokenizer.fromTiktokenRanks(gpt2));
  let i = 0;
  row(
    `GPT-2 encode ${name}, cold cache`,
    rate(
      text,
      time(() => fresh[i++].encode(text)),
    ),
  );
  row(
    `GPT-2 encode ${name}, warm cache`,
    rate(
      text,
      time(() => ours.encode(text)),
    ),
  );
  row(
    `js-tiktoken encode ${name}`,
    rate(
      text,
      time(() => theirs.encode(text), 3),
    ),
  );
  const ids = ours.encode(text);
  row(
    `GPT-2 decode ${name}`,
    rate(
      text,
      time(() => ours.decode(ids)),
    ),
  );
}
for (const size of [1000, 5000]) {
  row(
    `train on Tiny Shakespeare to ${size} tokens`,
    ms(time(() => BytePairTokenizer.train(shakespeare, { vocabularySize: size }), 3)),
  );
}
