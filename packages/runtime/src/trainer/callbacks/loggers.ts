import { appendFileSync, writeFileSync } from 'node:fs';
import type { Callback, Logs, TrainContext } from '../callback.js';

/** Appends one CSV row per epoch (`epoch,loss,…`); the header is written at the start (columns fixed by the first epoch). */
export function csvLogger(path: string, { append = false } = {}): Callback {
  let columns: string[] | null = null;
  return {
    name: `csvLogger:${path}`,
    onTrainBegin() {
      if (!append) writeFileSync(path, '');
    },
    onEpochEnd(epoch: number, logs: Logs) {
      if (!columns) {
        columns = Object.keys(logs);
        if (!append) appendFileSync(path, `${['epoch', ...columns].join(',')}\n`);
      }
      appendFileSync(path, `${[epoch, ...columns.map((c) => logs[c] ?? '')].join(',')}\n`);
    },
  };
}

/** Appends one JSON object per line: every epoch, and every `batchEvery` steps if given. */
export function jsonlLogger(path: string, { batchEvery = 0, append = false } = {}): Callback {
  const line = (o: unknown) => appendFileSync(path, `${JSON.stringify(o)}\n`);
  return {
    name: `jsonlLogger:${path}`,
    onTrainBegin() {
      if (!append) writeFileSync(path, '');
    },
    onBatchEnd(step: number, logs: Logs) {
      if (batchEvery > 0 && step % batchEvery === 0) line({ type: 'batch', step, ...logs });
    },
    onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext) {
      line({ type: 'epoch', epoch, step: ctx.step, ...logs });
    },
  };
}

/** Stops the run when an epoch's logs hold a NaN or infinite value (the engine already refuses non-finite steps). */
export function terminateOnNaN(): Callback {
  return {
    name: 'terminateOnNaN',
    onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext) {
      const bad = Object.entries(logs).find(([, v]) => !Number.isFinite(v));
      if (bad) {
        ctx.stopTraining = true;
        ctx.stopReason ??= `non-finite ${bad[0]} (${bad[1]}) at epoch ${epoch}`;
      }
    },
  };
}

/** Runs a function on every event of a kind: the simplest user callback. */
export function lambdaCallback(name: string, hooks: Omit<Callback, 'name'>): Callback {
  return { name, ...hooks };
}
