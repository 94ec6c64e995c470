import { appendFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Callback, Logs, TrainContext } from '../callback.js';
import { unknownKey } from '../option-errors.js';
import { atoms, checkPath, parseOptions } from './callback-options.js';

const CSV = z.strictObject({ append: atoms.boolean().optional() });
const JSONL = z.strictObject({ batchEvery: atoms.count().optional(), append: atoms.boolean().optional() });
const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onInterrupt', 'onTrainEnd', 'state', 'setState'] as const;

/** Appends one CSV row per epoch (`epoch,loss,…`); the header is written at the start (columns fixed by the first epoch). */
export function csvLogger(path: string, options?: { append?: boolean }): Callback {
  checkPath('csvLogger', 'path', path);
  const { append = false } = parseOptions('csvLogger', CSV, options);
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
export function jsonlLogger(path: string, options?: { batchEvery?: number; append?: boolean }): Callback {
  checkPath('jsonlLogger', 'path', path);
  const { batchEvery = 0, append = false } = parseOptions('jsonlLogger', JSONL, options);
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
  checkPath('lambdaCallback', 'name', name);
  if (hooks === null || typeof hooks !== 'object') throw new TypeError(`lambdaCallback(${name}): hooks must be an object of functions {${HOOKS.join(', ')}}`);
  for (const [k, v] of Object.entries(hooks)) {
    if (!(HOOKS as readonly string[]).includes(k)) throw new TypeError(unknownKey(`lambdaCallback(${name})`, k, 'hooks', HOOKS, [], 'hook'));
    if (typeof v !== 'function') throw new TypeError(`lambdaCallback(${name}): hook '${k}' must be a function, got ${typeof v}`);
  }
  return { name, ...hooks };
}
