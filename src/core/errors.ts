/**
 * Errors thrown by Myelin. Messages name the layer or argument and give the expected and
 * received values, so a user can fix the call without reading library code.
 */
export class MyelinError extends Error {
  // Each of Myelin's error classes writes its name out (minifying bundlers rename classes); a
  // subclass a program defines is named after its class.
  override name = 'MyelinError';
  constructor(message: string) {
    super(message);
    if (new.target !== MyelinError) this.name = new.target.name;
  }
}

/** A value is of the right type but not acceptable (wrong shape, out of range, unknown name). */
export class ValueError extends MyelinError {
  // Written out: bundlers that minify rename classes, and the name is part of the message.
  override name = 'ValueError';
}

/** Something is used before it is ready (a model fit before compile, a layer called before build). */
export class StateError extends MyelinError {
  // Written out: bundlers that minify rename classes, and the name is part of the message.
  override name = 'StateError';
}

/** Formats a shape the way messages show it: `[32, 13]`, with `null` for unknown dimensions. */
export function fmtShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/** Throws a ValueError unless `cond` holds. The message is built lazily. */
export function check(cond: unknown, message: () => string): asserts cond {
  if (!cond) throw new ValueError(message());
}

/**
 * Formats a list of names for a message, keeping at most `max` of them: a 1M-column CSV or a
 * hostile file must not turn one error into megabytes. The rest are counted, not listed.
 * @example fmtList(['a', 'b', 'c'], 2); // "a, b (and 1 more)"
 */
export function fmtList(items: readonly unknown[], max = 20, separator = ', '): string {
  const shown = items.slice(0, max).map((x) => {
    const s = String(x);
    return s.length > 200 ? `${s.slice(0, 200)}...` : s;
  });
  return items.length > max ? `${shown.join(separator)} (and ${items.length - max} more)` : shown.join(separator);
}
