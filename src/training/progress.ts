import { Callback, type Logs } from './callback.js';

/** Where progress goes: a TTY gets a live, redrawn line; anything else one line per epoch. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 20;
const REDRAW_MS = 50;

/** Formats a logged value as Keras does: 4 decimals, or scientific notation for tiny values. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(4) : v.toFixed(4);
}

function formatDuration(seconds: number): string {
  if (seconds >= 3600)
    return `${Math.floor(seconds / 3600)}:${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
  return `${Math.round(seconds)}s`;
}

function formatPerStep(seconds: number): string {
  if (seconds >= 1) return `${seconds.toFixed(0)}s/step`;
  if (seconds >= 1e-3) return `${Math.round(seconds * 1e3)}ms/step`;
  return `${Math.round(seconds * 1e6)}us/step`;
}

/** `loss: 1.2345 - mae: 0.5000`, in the order the values were logged. */
export function formatLogs(logs: Logs, skip: readonly string[] = ['batch', 'size']): string {
  return Object.entries(logs)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k}: ${formatValue(v)}`)
    .join(' - ');
}

/**
 * Keras' progress display. On a terminal (verbose 1): `Epoch 3/10` then a redrawn line with a
 * bar, steps, ETA (final: epoch time), time per step, running loss and metrics. Otherwise, or
 * with verbose 2: one plain line per epoch.
 */
export class ProgressLogger extends Callback {
  private epochStart = 0;
  private lastDraw = 0;
  private epoch = 0;

  constructor(
    private readonly verbose: number,
    private readonly stream: ProgressStream = process.stdout,
  ) {
    super();
  }

  private get live(): boolean {
    return this.verbose === 1 && this.stream.isTTY === true;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.epochStart = performance.now();
    this.lastDraw = 0;
    if (this.live) this.stream.write(`Epoch ${epoch + 1}/${this.params.epochs}\n`);
  }

  override async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    if (!this.live) return;
    const now = performance.now();
    const steps = this.params.steps;
    if (now - this.lastDraw < REDRAW_MS && batch + 1 !== steps) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const perStep = elapsed / (batch + 1);
    const eta = steps ? perStep * (steps - batch - 1) : elapsed;
    this.stream.write(`\r${this.line(batch + 1, eta, perStep, logs ?? {})}\x1b[K`);
  }

  override async onEpochEnd(_epoch: number, logs?: Logs): Promise<void> {
    const elapsed = (performance.now() - this.epochStart) / 1000;
    const steps = this.params.steps ?? 1;
    const line = this.line(steps, elapsed, elapsed / steps, logs ?? {});
    if (this.live) this.stream.write(`\r${line}\x1b[K\n`);
    else this.stream.write(`Epoch ${this.epoch + 1}/${this.params.epochs} - ${line}\n`);
  }

  private line(done: number, seconds: number, perStep: number, logs: Logs): string {
    const steps = this.params.steps;
    const stepText = steps ? `${String(done).padStart(String(steps).length)}/${steps}` : `${done}`;
    const filled = steps ? Math.round((BAR_WIDTH * done) / steps) : BAR_WIDTH;
    const bar = this.live ? ` ${'━'.repeat(filled)}${'─'.repeat(BAR_WIDTH - filled)}` : '';
    const values = formatLogs(logs);
    return `${stepText}${bar} ${formatDuration(seconds)} ${formatPerStep(perStep)}${values ? ` - ${values}` : ''}`;
  }
}
