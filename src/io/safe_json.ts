import { checkFormat, FileFormatError } from './format_error.js';

/** Limits for parsing JSON from a file: nesting depth and size in bytes. */
export interface JsonLimits {
  maxDepth?: number;
  maxBytes?: number;
}

const DEFAULT_DEPTH = 64;
const DEFAULT_BYTES = 64 * 1024 * 1024;

/**
 * Parses JSON from an untrusted file. The nesting depth is measured before parsing (deeply
 * nested input would otherwise overflow the stack of whatever walks it), the size is bounded,
 * and `__proto__` keys are dropped so no parsed object can carry a surprising prototype.
 *
 * @example parseJsonSafely('{"a": [1, 2]}', 'model.json'); // { a: [1, 2] }
 */
export function parseJsonSafely(input: string | Uint8Array, what: string, limits: JsonLimits = {}): unknown {
  const maxDepth = limits.maxDepth ?? DEFAULT_DEPTH;
  const maxBytes = limits.maxBytes ?? DEFAULT_BYTES;
  const size = typeof input === 'string' ? input.length : input.byteLength;
  checkFormat(size <= maxBytes, () => `${what}: JSON of ${size} bytes is larger than the limit of ${maxBytes} bytes`);
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new FileFormatError(`${what}: the JSON is not valid UTF-8`);
  }
  const depth = nestingDepth(text);
  checkFormat(
    depth <= maxDepth,
    () =>
      `${what}: JSON nested ${depth > maxDepth ? `more than ${maxDepth}` : depth} levels deep; the limit is ${maxDepth}`,
  );
  try {
    return JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value));
  } catch (e) {
    throw new FileFormatError(`${what}: invalid JSON (${(e as Error).message})`);
  }
}

/** The deepest bracket nesting outside strings; stops counting once past `DEFAULT_DEPTH * 4`. */
function nestingDepth(text: string): number {
  let depth = 0,
    max = 0,
    inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > DEFAULT_DEPTH * 4) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
