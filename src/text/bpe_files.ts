import { ValueError } from '../core/errors.js';
import { ID_LIMIT } from './bpe_model.js';
import { bytesToSpelling, spellingToBytes } from './byte_unicode.js';
import { GPT2_PATTERN } from './pretokenize.js';

/** Everything a byte-pair tokenizer is made of, as each file format is read into it. */
export interface TokenizerSpec {
  pattern: string;
  /** Id to bytes; null for special tokens and unused ids. */
  tokens: (Uint8Array | null)[];
  /** Merge list (id pairs in priority order), or null for tiktoken's rank order. */
  merges: [number, number][] | null;
  specialTokens: Map<string, number>;
}

/** Byte-pair ranks in the shape `js-tiktoken` ships them (`js-tiktoken/ranks/gpt2`). */
export interface TiktokenRanks {
  pat_str: string;
  special_tokens: Record<string, number>;
  /** Lines of `<name> <first rank> <base64 token> <base64 token> ...`. */
  bpe_ranks: string;
}

/** The name and version written in, and required of, every tokenizer file. */
export const FORMAT = 'myelin.byte-pair-tokenizer';
export const FORMAT_VERSION = 1;

/**
 * A tokenizer file, version 1. `vocabulary[id]` spells the bytes of token `id` in GPT-2's
 * byte-to-unicode characters (null for special tokens and unused ids); `merges` lists the merges
 * as "left right" spellings in priority order, or is null for rank order (tiktoken's rule: any
 * two adjacent tokens whose bytes join into a token merge, the lower id first).
 */
export interface BytePairTokenizerJSON {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  pattern: string;
  vocabulary: (string | null)[];
  merges: string[] | null;
  specialTokens: Record<string, number>;
}

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function checkId(id: unknown, what: string, where: string): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= ID_LIMIT)
    throw new ValueError(`${where}: ${what} must be an integer id in [0, ${ID_LIMIT}), got ${JSON.stringify(id)}`);
  return id;
}

function parseJSONText(text: string, what: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ValueError(`${where}: ${what} does not parse as JSON: ${(e as Error).message}`);
  }
}

function plainObject(v: unknown, what: string, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ValueError(`${where}: ${what} must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function specialMap(v: unknown, what: string, where: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [text, id] of Object.entries(plainObject(v, what, where)))
    out.set(text, checkId(id, `${what}[${JSON.stringify(text)}]`, where));
  return out;
}

function decodeBase64(token: string, what: string, where: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(token);
  } catch {
    throw new ValueError(`${where}: ${what} ${JSON.stringify(token.slice(0, 40))} is not valid base64`);
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function placeRank(tokens: (Uint8Array | null)[], rank: number, bytes: Uint8Array, where: string): void {
  checkId(rank, 'a rank', where);
  if (tokens[rank]) throw new ValueError(`${where}: rank ${rank} is given to two tokens`);
  while (tokens.length < rank) tokens.push(null);
  tokens[rank] = bytes;
}

/**
 * Reads byte-pair ranks: `js-tiktoken`'s object (pattern and special tokens included), or the
 * text of a `.tiktoken` file (`<base64 token> <rank>` per line; pattern and special tokens from
 * `options`, GPT-2's pattern by default).
 */
export function readTiktokenRanks(
  ranks: TiktokenRanks | string,
  options: { pattern?: string; specialTokens?: Record<string, number> },
  where: string,
): TokenizerSpec {
  const tokens: (Uint8Array | null)[] = [];
  let pattern = options.pattern ?? GPT2_PATTERN;
  let specialTokens = new Map<string, number>();
  if (typeof ranks === 'string') {
    ranks.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const [token, rank, extra] = line.trim().split(' ');
      if (rank === undefined || extra !== undefined || !/^\d+$/.test(rank))
        throw new ValueError(
          `${where}: line ${i + 1} must be '<base64 token> <rank>', got ${JSON.stringify(line.slice(0, 60))}`,
        );
      placeRank(tokens, Number(rank), decodeBase64(token, `line ${i + 1}: token`, where), where);
    });
  } else {
    const r = plainObject(ranks, 'the ranks', where);
    if (typeof r.bpe_ranks !== 'string')
      throw new ValueError(`${where}: 'bpe_ranks' must be a string, got ${describe(r.bpe_ranks)}`);
    if (options.pattern === undefined) {
      if (typeof r.pat_str !== 'string')
        throw new ValueError(`${where}: 'pat_str' must be a string, got ${describe(r.pat_str)}`);
      pattern = r.pat_str;
    }
    if (r.special_tokens !== undefined) specialTokens = specialMap(r.special_tokens, "'special_tokens'", where);
    r.bpe_ranks.split('\n').forEach((line, i) => {
      if (line === '') return;
      const [, offset, ...encoded] = line.split(' ');
      if (offset === undefined || !/^\d+$/.test(offset))
        throw new ValueError(
          `${where}: 'bpe_ranks' line ${i + 1} must start with '<name> <first rank>', got ${JSON.stringify(line.slice(0, 60))}`,
        );
      encoded.forEach((token, k) =>
        placeRank(tokens, Number(offset) + k, decodeBase64(token, `'bpe_ranks' line ${i + 1}: token`, where), where),
      );
    });
  }
  if (options.specialTokens) specialTokens = specialMap(options.specialTokens, "'specialTokens'", where);
  return { pattern, tokens, merges: null, specialTokens };
}

/**
 * Reads GPT-2's `vocab.json` (spelling -> id) and `merges.txt` (a `#version` line, then
 * "left right" per line), as text or already parsed. Vocabulary entries named in `specialTokens`
 * become special tokens; every other entry must be spelled in the byte-to-unicode characters.
 */
export function readVocabAndMerges(
  vocab: string | Record<string, number>,
  merges: string | readonly string[],
  options: { pattern?: string; specialTokens?: readonly string[] },
  where: string,
): TokenizerSpec {
  const entries = plainObject(typeof vocab === 'string' ? parseJSONText(vocab, 'vocab', where) : vocab, 'vocab', where);
  const special = new Set(options.specialTokens ?? []);
  for (const s of special)
    if (!Object.hasOwn(entries, s))
      throw new ValueError(`${where}: special token ${JSON.stringify(s)} is not in the vocabulary`);
  const tokens: (Uint8Array | null)[] = [];
  const specialTokens = new Map<string, number>();
  const idOf = new Map<string, number>();
  const used = new Set<number>();
  for (const [spelling, value] of Object.entries(entries)) {
    const id = checkId(value, `vocab[${JSON.stringify(spelling)}]`, where);
    if (used.has(id)) throw new ValueError(`${where}: id ${id} is given to two vocabulary entries`);
    used.add(id);
    if (special.has(spelling)) {
      specialTokens.set(spelling, id);
      continue;
    }
    const bytes = spellingToBytes(spelling);
    if (!bytes || bytes.length === 0)
      throw new ValueError(
        `${where}: vocab entry ${JSON.stringify(spelling)} (id ${id}) is not spelled in GPT-2's byte-to-unicode characters; if it is a special token, name it in options.specialTokens`,
      );
    while (tokens.length < id) tokens.push(null);
    tokens[id] = bytes;
    idOf.set(spelling, id);
  }
  const lines = typeof merges === 'string' ? merges.split(/\r?\n/) : merges;
  const pairs: [number, number][] = [];
  lines.forEach((line, i) => {
    if (typeof line !== 'string')
      throw new ValueError(`${where}: merges[${i}] must be a string, got ${describe(line)}`);
    if (line === '' || (i === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    const ids = parts.map((p) => idOf.get(p));
    if (parts.length !== 2 || ids[0] === undefined || ids[1] === undefined) {
      const problem =
        parts.length !== 2
          ? 'must be two tokens separated by one space'
          : `uses ${JSON.stringify(ids[0] === undefined ? parts[0] : parts[1])}, which is not in the vocabulary`;
      throw new ValueError(`${where}: merges line ${i + 1} (${JSON.stringify(line.slice(0, 60))}) ${problem}`);
    }
    pairs.push([ids[0], ids[1]]);
  });
  return { pattern: options.pattern ?? GPT2_PATTERN, tokens, merges: pairs, specialTokens };
}

/** Writes a tokenizer file (version 1). */
export function writeJSON(spec: TokenizerSpec): BytePairTokenizerJSON {
  const spell = (id: number) => bytesToSpelling(spec.tokens[id] as Uint8Array);
  return {
    format: FORMAT,
    version: FORMAT_VERSION,
    pattern: spec.pattern,
    vocabulary: spec.tokens.map((t) => (t ? bytesToSpelling(t) : null)),
    merges: spec.merges ? spec.merges.map(([a, b]) => `${spell(a)} ${spell(b)}`) : null,
    specialTokens: Object.fromEntries(spec.specialTokens),
  };
}

/**
 * Reads a tokenizer file, checking every field. A pattern other than GPT-2's is compiled only
 * with `allowCustomPattern`: a regular expression from an untrusted file could take
 * exponential time on some texts.
 */
export function readJSON(json: unknown, options: { allowCustomPattern?: boolean }, where: string): TokenizerSpec {
  const file = plainObject(typeof json === 'string' ? parseJSONText(json, 'the file', where) : json, 'the file', where);
  if (file.format !== FORMAT)
    throw new ValueError(`${where}: 'format' must be ${JSON.stringify(FORMAT)}, got ${JSON.stringify(file.format)}`);
  if (file.version !== FORMAT_VERSION)
    throw new ValueError(
      `${where}: version ${JSON.stringify(file.version)} is not supported; this Myelin reads version ${FORMAT_VERSION}`,
    );
  const { pattern, vocabulary, merges } = file;
  if (typeof pattern !== 'string')
    throw new ValueError(`${where}: 'pattern' must be a string, got ${describe(pattern)}`);
  if (pattern !== GPT2_PATTERN && !options.allowCustomPattern)
    throw new ValueError(
      `${where}: the file's pre-tokenization pattern is not GPT-2's; pass { allowCustomPattern: true } if you trust the file (a regular expression can be made to run for a very long time)`,
    );
  if (!Array.isArray(vocabulary))
    throw new ValueError(`${where}: 'vocabulary' must be an array, got ${describe(vocabulary)}`);
  if (vocabulary.length > ID_LIMIT)
    throw new ValueError(`${where}: 'vocabulary' has ${vocabulary.length} entries; at most ${ID_LIMIT} are supported`);
  const idOf = new Map<string, number>();
  const tokens = vocabulary.map((spelling: unknown, id) => {
    if (spelling === null) return null;
    const bytes = typeof spelling === 'string' ? spellingToBytes(spelling) : null;
    if (!bytes || bytes.length === 0)
      throw new ValueError(
        `${where}: 'vocabulary[${id}]' must be null or a non-empty string of byte-to-unicode characters, got ${JSON.stringify(spelling)}`,
      );
    idOf.set(spelling as string, id);
    return bytes;
  });
  let pairs: [number, number][] | null = null;
  if (merges !== null) {
    if (!Array.isArray(merges))
      throw new ValueError(`${where}: 'merges' must be an array or null, got ${describe(merges)}`);
    pairs = merges.map((m: unknown, i) => {
      const parts = typeof m === 'string' ? m.split(' ') : [];
      const ids = parts.map((p) => idOf.get(p));
      if (parts.length !== 2 || ids[0] === undefined || ids[1] === undefined)
        throw new ValueError(
          `${where}: 'merges[${i}]' must be two vocabulary tokens separated by one space, got ${JSON.stringify(m)}`,
        );
      return [ids[0], ids[1]];
    });
  }
  const specialTokens = specialMap(file.specialTokens, "'specialTokens'", where);
  return { pattern, tokens, merges: pairs, specialTokens };
}
