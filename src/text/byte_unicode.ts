/**
 * GPT-2's byte-to-unicode spelling: every byte 0..255 is written as one printable character, so
 * byte-level tokens read as text in `vocab.json`, `merges.txt` and Myelin's tokenizer files. A byte
 * that is already a printable Latin-1 character spells itself ('a' is 'a'); the others (space,
 * control bytes, ...) take the characters from U+0100 on, so a space is 'Ġ' and a newline 'Ċ'.
 *
 * `BYTE_ORDER` is the order of GPT-2's first 256 ids: the printable bytes first, then the others.
 */
function buildTables(): { order: number[]; chars: string[] } {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const order: number[] = [];
  const chars: string[] = new Array(256);
  for (let b = 0; b < 256; b++) {
    if (!printable(b)) continue;
    order.push(b);
    chars[b] = String.fromCharCode(b);
  }
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (printable(b)) continue;
    order.push(b);
    chars[b] = String.fromCharCode(256 + extra++);
  }
  return { order, chars };
}

const tables = buildTables();

/** The 256 bytes in the order of GPT-2's ids 0..255. */
export const BYTE_ORDER: readonly number[] = tables.order;

/** `BYTE_TO_CHAR[b]` is the character that spells byte `b`. */
export const BYTE_TO_CHAR: readonly string[] = tables.chars;

// Indexed by character code (all spellings are below U+0144); -1 for characters that spell no byte.
const CHAR_TO_BYTE = new Int16Array(0x144).fill(-1);
tables.chars.forEach((c, b) => {
  CHAR_TO_BYTE[c.charCodeAt(0)] = b;
});

/** Spells bytes (the first `length`) as GPT-2's vocabulary does: `bytesToSpelling([0x20, 0x61])` is 'Ġa'. */
export function bytesToSpelling(bytes: ArrayLike<number>, length = bytes.length): string {
  let s = '';
  for (let i = 0; i < length; i++) s += BYTE_TO_CHAR[bytes[i]];
  return s;
}

/** The bytes a spelling stands for, or null when a character is not one of the 256 byte spellings. */
export function spellingToBytes(spelling: string): Uint8Array | null {
  const out = new Uint8Array(spelling.length);
  for (let i = 0; i < spelling.length; i++) {
    const b = CHAR_TO_BYTE[spelling.charCodeAt(i)] ?? -1;
    if (b < 0) return null;
    out[i] = b;
  }
  return out;
}
