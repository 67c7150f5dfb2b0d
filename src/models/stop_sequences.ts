// Stop sequences for generation: held back while they may still match, cut off once they do.
import type { Tokenizer } from './generate.js';

/**
 * Emits what cannot be the start of a stop sequence and ends at the first complete one (left
 * out of the output): `push` takes new units and returns those safe to emit.
 */
class StopWatch<T> {
  private pending: T[] = [];
  stopped = false;

  constructor(private readonly stops: readonly (readonly T[])[]) {}

  push(units: readonly T[]): T[] {
    this.pending.push(...units);
    const p = this.pending;
    let cut = -1;
    for (const s of this.stops)
      for (let i = 0; i + s.length <= p.length; i++)
        if ((cut < 0 || i < cut) && s.every((u, j) => p[i + j] === u)) {
          cut = i;
          break;
        }
    if (cut >= 0) {
      this.stopped = true;
      this.pending = [];
      return p.slice(0, cut);
    }
    // Hold back the longest tail that begins some stop sequence.
    let hold = 0;
    for (const s of this.stops)
      for (let k = Math.min(s.length - 1, p.length); k > hold; k--)
        if (s.slice(0, k).every((u, j) => p[p.length - k + j] === u)) {
          hold = k;
          break;
        }
    const out = p.slice(0, p.length - hold);
    this.pending = p.slice(p.length - hold);
    return out;
  }

  flush(): T[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

/** Raw sampled ids, cut at the first stop sequence (which is left out). */
export async function* idStream(raw: AsyncGenerator<number>, stops: number[][]): AsyncGenerator<number> {
  const watch = new StopWatch<number>(stops);
  try {
    for await (const id of raw) {
      yield* watch.push([id]);
      if (watch.stopped) return;
    }
    yield* watch.flush();
  } finally {
    await raw.return(undefined);
  }
}

/** Raw sampled ids decoded incrementally, cut at the first stop string (which is left out). */
export async function* textStream(
  raw: AsyncGenerator<number>,
  tokenizer: Tokenizer,
  stops: string[],
): AsyncGenerator<string> {
  const decoder = tokenizer.streamDecoder?.() ?? {
    write: (id: number | ArrayLike<number>) => tokenizer.decode(typeof id === 'number' ? [id] : id),
    end: () => '',
  };
  const watch = new StopWatch<string>(stops.map((s) => [...s]));
  const emit = (chars: string[]) => chars.join('');
  try {
    for await (const id of raw) {
      const piece = emit(watch.push([...decoder.write(id)]));
      if (piece) yield piece;
      if (watch.stopped) return;
    }
    const rest = emit([...watch.push([...decoder.end()]), ...(watch.stopped ? [] : watch.flush())]);
    if (rest) yield rest;
  } finally {
    await raw.return(undefined);
  }
}
