import { ValueError } from '../core/errors.js';

/**
 * A file or buffer that is not a valid model, weights or checkpoint file: truncated, with
 * inconsistent sizes or offsets, or describing something Myelin does not build. Loaders throw
 * only this (or another Myelin error) for bad input, never a crash.
 *
 * @example
 * try { decodeSafetensors(bytes); } catch (e) { if (e instanceof FileFormatError) console.error(e.message); }
 */
export class FileFormatError extends ValueError {
  // Written out: bundlers that minify rename classes, and the name is part of the message.
  override name = 'FileFormatError';
}

/** Throws a FileFormatError unless `cond` holds; the message is built only on failure. */
export function checkFormat(cond: unknown, message: () => string): asserts cond {
  if (!cond) throw new FileFormatError(message());
}
