import { z } from 'zod';
import type { Callback, Logs, TrainContext } from '../callback.js';
import { atoms, parseOptions } from './callback-options.js';

/**
 * 'bar': a bar redrawn in place, then a summary line per epoch (Keras's verbose 1); 'lines': one
 * line per epoch (verbose 2); 'auto': bar on a TTY, else lines. 'bar' on a stream that is not a
 * TTY is 'lines' too: a line redrawn with '\r' would garble a log file.
 */
export type ProgressMode = 'bar' | 'lines' | 'auto';

/** `FitOptions.verbose`: 0 silent, 1 bar, 2 one line per epoch, 'auto' 1 on a TTY else 2. */
export type Verbosity = 0 | 1 | 2 | 'auto';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  /** Terminal width: a bar line is cut to fit, since a wrapped line cannot be redrawn with '\r'. */
  columns?: number;
}

export interface ProgressOptions {
  mode?: ProgressMode;
  /** Where to write (default process.stdout). */
  stream?: ProgressStream;
  /** Width of the bar in characters (default 30). */
  width?: number;
  /** The clock in milliseconds (default `performance.now`); tests pass a fake one. */
  now?: () => number;
  /** Least time between two redraws of the bar, in ms (default 100: at most ~10 a second). */
  redrawMs?: number;
}

/** A number of a log: 4 decimals, or 3 significant digits in exponent form when tiny. */
export function fmtValue(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 || !Number.isFinite(v) ? v.toFixed(4) : v.toExponential(2);
}

/** Thousands grouped by spaces ('6 400'); one decimal below 10. */
function fmtCount(v: number): string {
  if (v < 10) return v.toFixed(1);
  return String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Seconds as '3.1 s' below a minute, else 'm:ss'. */
function fmtSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s - m * 60)).padStart(2, '0')}`;
}

const fmtLogs = (logs: Logs) =>
  Object.entries(logs)
    .map(([k, v]) => `${k} ${fmtValue(v)}`)
    .join(' · ');

/** What one epoch has done so far. */
interface Meter {
  t0: number;
  /** When the last batch ended. */
  tBatch: number;
  batches: number;
  /** Batches of the epoch done before this run (a run resumed inside the epoch). */
  before: number;
  /** Rows trained on (0 when the batch logs do not say). */
  samples: number;
  lossSum: number;
}

const newMeter = (t: number, before = 0): Meter => ({ t0: t, tBatch: t, batches: 0, before, samples: 0, lossSum: 0 });

/** Rows per second over the epoch's batches, or null when the logs carry no `samples`. */
function rate(m: Meter): string | null {
  const s = (m.tBatch - m.t0) / 1000;
  return m.samples > 0 && s > 0 ? `${fmtCount(m.samples / s)} samples/s` : null;
}

/** The in-place bar: epoch, bar, batch/total, ETA of the epoch, samples/s, running loss. */
function barLine(m: Meter, ctx: TrainContext, width: number): string {
  const done = m.before + m.batches;
  const total = Math.max(ctx.stepsPerEpoch, done);
  const filled = Math.round((done / total) * width);
  const bar = filled >= width ? '='.repeat(width) : `${'='.repeat(Math.max(0, filled - 1))}>${' '.repeat(width - Math.max(1, filled))}`;
  const eta = ((m.tBatch - m.t0) / 1000 / m.batches) * (total - done);
  const parts = [`epoch ${ctx.epoch + 1}/${ctx.epochs} [${bar}] ${done}/${total}`, `ETA ${fmtSeconds(eta)}`, rate(m), `loss ${fmtValue(m.lossSum / (m.samples || m.batches))}`];
  return parts.filter((p) => p !== null).join(' · ');
}

/** The epoch's one line: `epoch 3/10 · 1.2 s · 6 400 samples/s · loss 0.1234 · …`. */
function summaryLine(epoch: number, logs: Logs, m: Meter, ctx: TrainContext, t: number): string {
  return [`epoch ${epoch + 1}/${ctx.epochs}`, fmtSeconds((t - m.t0) / 1000), rate(m), fmtLogs(logs)].filter((p) => p !== null).join(' · ');
}

/**
 * Reports a run's progress on a stream: in 'bar' mode a bar redrawn in place (at most every
 * `redrawMs`) with the epoch, batch/total, the epoch's ETA, samples/s and the running loss, then a
 * summary line per epoch; in 'lines' mode only the summary lines, one per epoch, so a log file
 * gets exactly one line an epoch. On a stream that is not a TTY the bar is never drawn. A run that
 * ends other than 'completed' gets a last line `stopped: <reason>` (and where, if inside an epoch). `Trainer.fit` adds it first
 * when `verbose` ≠ 0.
 */
const OPTIONS = z.strictObject({
  mode: z.enum(['bar', 'lines', 'auto'], { error: "'bar', 'lines' or 'auto'" }).optional(),
  stream: z.custom<ProgressStream>((v) => typeof (v as ProgressStream | null)?.write === 'function', { error: 'a stream with a write(s) method' }).optional(),
  width: atoms.positiveInt().optional(),
  now: atoms.fn('a function returning milliseconds').optional(),
  redrawMs: atoms.nonNegative().optional(),
});

export function progressBar(options?: ProgressOptions): Callback {
  const o = parseOptions('progressBar', OPTIONS, options) as ProgressOptions;
  const out = o.stream ?? process.stdout;
  const now = o.now ?? (() => performance.now());
  const bar = (o.mode ?? 'auto') !== 'lines' && Boolean(out.isTTY);
  const width = o.width ?? 30;
  const redrawMs = o.redrawMs ?? 100;
  let m = newMeter(0);
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const clear = () => (drawn ? '\r\x1b[K' : '');
  const fit = (s: string) => (out.columns ? s.slice(0, out.columns - 1) : s);
  return {
    name: 'progressBar',
    onEpochBegin(_epoch: number, ctx: TrainContext) {
      m = newMeter(now(), ctx.batchInEpoch);
    },
    onBatchEnd(_step: number, logs: Logs, ctx: TrainContext) {
      const samples = logs.samples ?? 0;
      m.tBatch = now();
      m.batches++;
      m.samples += samples;
      m.lossSum += (logs.loss ?? 0) * (samples || 1);
      if (!bar || m.tBatch - lastDraw < redrawMs) return;
      lastDraw = m.tBatch;
      out.write(`\r${fit(barLine(m, ctx, width))}\x1b[K`);
      drawn = true;
    },
    onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext) {
      out.write(`${clear()}${summaryLine(epoch, logs, m, ctx, now())}\n`);
      drawn = false;
    },
    onTrainEnd(ctx: TrainContext) {
      // `ctx.stopReason`, not `ctx.history.stopReason`: the history may not be final yet.
      const reason = ctx.stopReason;
      const inside = ctx.batchInEpoch > 0 ? ` (inside epoch ${ctx.epoch + 1}/${ctx.epochs}, after batch ${ctx.batchInEpoch}/${ctx.stepsPerEpoch})` : '';
      if (reason !== null && reason !== 'completed') out.write(`${clear()}stopped: ${reason}${inside}\n`);
      else if (drawn) out.write('\n');
      drawn = false;
    },
  };
}

/** The progress callback `FitOptions.verbose` asks for: none for 0, else a progressBar on stdout. */
export function progressForVerbose(verbose: Verbosity | undefined, stream?: ProgressStream): Callback[] {
  if (verbose === undefined || verbose === 0) return [];
  if (verbose !== 1 && verbose !== 2 && verbose !== 'auto') throw new RangeError(`fit: verbose must be 0, 1, 2 or 'auto', got ${JSON.stringify(verbose)}`);
  const mode: ProgressMode = verbose === 1 ? 'bar' : verbose === 2 ? 'lines' : 'auto';
  return [progressBar({ mode, ...(stream && { stream }) })];
}
