import type { Callback, Logs, TrainContext } from '../callback.js';

export interface ProgressOptions {
  /** Where to write (default process.stdout). */
  stream?: { write(s: string): unknown; isTTY?: boolean };
  /** Width of the bar in characters. */
  width?: number;
}

const fmt = (logs: Logs) =>
  Object.entries(logs)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2)}`)
    .join('  ');

/**
 * A progress bar redrawn in place on a terminal; plain lines (one per epoch, and a line every
 * 10% of an epoch) when the output is not a TTY, so logs stay readable.
 */
export function progressBar(o: ProgressOptions = {}): Callback {
  const out = o.stream ?? process.stdout;
  const tty = Boolean(out.isTTY);
  const width = o.width ?? 30;
  let t0 = 0;
  let inEpoch = 0;
  let lastTenth = -1;
  return {
    name: 'progressBar',
    onEpochBegin(epoch: number, ctx: TrainContext) {
      t0 = performance.now();
      inEpoch = 0;
      lastTenth = -1;
      if (!tty) out.write(`epoch ${epoch + 1}/${ctx.epochs}\n`);
    },
    onBatchEnd(_step: number, logs: Logs, ctx: TrainContext) {
      inEpoch++;
      const total = Math.max(ctx.stepsPerEpoch, inEpoch);
      const frac = Math.min(1, inEpoch / total);
      if (tty) {
        const filled = Math.round(frac * width);
        out.write(`\repoch ${ctx.epoch + 1}/${ctx.epochs} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${inEpoch}/${total}  loss ${logs.loss!.toFixed(4)}`);
      } else {
        const tenth = Math.floor(frac * 10);
        if (tenth > lastTenth && tenth < 10) {
          lastTenth = tenth;
          out.write(`  ${inEpoch}/${total} loss ${logs.loss!.toFixed(4)}\n`);
        }
      }
    },
    onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext) {
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      out.write(`${tty ? '\r\x1b[K' : ''}epoch ${epoch + 1}/${ctx.epochs} (${s} s)  ${fmt(logs)}\n`);
    },
  };
}
