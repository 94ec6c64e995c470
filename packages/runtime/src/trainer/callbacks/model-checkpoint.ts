import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensureWritableDirectory } from '@actorgrad/io';
import { z } from 'zod';
import { optimizerPath } from '../../checkpoint/optimizer-path.js';
import type { Callback, Logs, TrainContext } from '../callback.js';
import { atoms, checkPath, parseOptions } from './callback-options.js';
import { improves, type Mode, monitored, resolveMode } from './monitor.js';

export interface ModelCheckpointOptions {
  /** File path template; `{epoch}` and `{step}` and any log name (`{val_loss}`) are filled in. */
  path: string;
  /** Save every n epochs (default 1). */
  every?: number;
  /** Only save when the monitored value improves. */
  saveBestOnly?: boolean;
  monitor?: string;
  mode?: Mode;
  /** With saveBestOnly: keep the k best files and delete the others (default 1). */
  keepBest?: number;
  /**
   * Also save when the run is interrupted (abort, process signal, non-finite loss, a stop inside
   * an epoch), at the step boundary where it stopped, with the position inside the epoch, so a
   * resume loses nothing. The path's `{epoch}` is then the epoch in progress (0-based), and log
   * placeholders take the last finished epoch's values. Default: true, except with saveBestOnly.
   */
  saveOnStop?: boolean;
}

/** Fills `{name}` and `{name:.4f}` placeholders from the epoch, step and logs. */
export function fillTemplate(template: string, values: Record<string, number>): string {
  checkPath('fillTemplate', 'template', template);
  return template.replace(/\{(\w+)(?::\.(\d+)f)?\}/g, (m, name: string, digits?: string) => {
    const v = values[name];
    if (v === undefined) throw new RangeError(`modelCheckpoint: '{${name}}' in path '${template}' is not a known value (have: ${Object.keys(values).join(', ')})`);
    return digits ? v.toFixed(Number(digits)) : String(v);
  });
}

/**
 * Writes checkpoints (weights + optimiser state + training position) every n epochs, or only the
 * best ones by a monitored metric, keeping exactly the best k files.
 */
const OPTIONS = z.strictObject({
  path: atoms.path(),
  every: atoms.positiveInt().optional(),
  saveBestOnly: atoms.boolean().optional(),
  monitor: atoms.string('a metric name').optional(),
  mode: atoms.mode().optional(),
  keepBest: atoms.positiveInt().optional(),
  saveOnStop: atoms.boolean().optional(),
});

export function modelCheckpoint(options: ModelCheckpointOptions): Callback & { kept(): string[] } {
  const o: ModelCheckpointOptions = parseOptions('modelCheckpoint', OPTIONS, options, true);
  const every = o.every ?? 1;
  const monitor = o.monitor ?? 'val_loss';
  const mode = resolveMode(o.mode ?? 'auto', monitor);
  const keep = o.keepBest ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`modelCheckpoint: every must be a positive integer, got ${every}`);
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`modelCheckpoint: keepBest must be a positive integer, got ${keep}`);
  const saveOnStop = o.saveOnStop ?? !o.saveBestOnly;
  let best: { value: number; path: string }[] = [];
  /** The path and step of the last save (a stop right after it has nothing new to save). */
  let last = '';
  return {
    name: `modelCheckpoint:${o.path}`,
    kept: () => best.map((b) => b.path),
    onTrainBegin: () => checkDirectory(o.path),
    async onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext) {
      if ((epoch + 1) % every !== 0) return;
      const path = fillTemplate(o.path, { ...logs, epoch, step: ctx.step });
      if (!o.saveBestOnly) {
        await ctx.saveCheckpoint(path, `every ${every} epoch(s)`);
        last = `${ctx.step}:${path}`;
        return;
      }
      const v = monitored(logs, monitor, 'modelCheckpoint');
      const worst = best.length < keep ? null : best[best.length - 1]!;
      if (worst && !improves(v, worst.value, mode)) return;
      await ctx.saveCheckpoint(path, `${monitor} = ${v} is among the best ${keep}`);
      best = best.filter((b) => b.path !== path);
      best.push({ value: v, path });
      best.sort((a, b) => (mode === 'min' ? a.value - b.value : b.value - a.value));
      for (const gone of best.splice(keep)) {
        if (gone.path !== path) await removeCheckpoint(gone.path);
      }
    },
    async onInterrupt(ctx: TrainContext) {
      if (!saveOnStop) return;
      const logs = Object.fromEntries(Object.entries(ctx.history.metrics).map(([k, v]) => [k, v[v.length - 1]!]));
      let path: string;
      try {
        path = fillTemplate(o.path, { ...logs, epoch: ctx.epoch, step: ctx.step });
      } catch (e) {
        ctx.emit({ type: 'warning', step: ctx.step, message: `modelCheckpoint: no checkpoint on stop: ${(e as Error).message}` });
        return;
      }
      if (last === `${ctx.step}:${path}`) return;
      await ctx.saveCheckpoint(path, `stopped (${ctx.stopReason}) at step ${ctx.step}`);
      last = `${ctx.step}:${path}`;
    },
    state: () => ({ best }),
    setState(s: unknown) {
      best = (s as { best: { value: number; path: string }[] }).best;
    },
  };
}

/**
 * Creates the directory of a path template — its part before the first `{…}` placeholder, as
 * far as the last `/` (`runs/{epoch}/w.safetensors` → `runs`) — and checks that a file can be
 * created there, so that a bad path fails before the first epoch is trained, not after it.
 */
async function checkDirectory(template: string): Promise<void> {
  const brace = template.indexOf('{');
  const dir = brace < 0 ? dirname(template) : dirname(`${template.slice(0, brace)}x`);
  try {
    await ensureWritableDirectory(dir);
  } catch (e) {
    const { code, message } = e as { code?: string; message: string };
    const why = code === undefined || message.startsWith(code) ? message : `${code}: ${message}`;
    throw new Error(`modelCheckpoint: cannot write checkpoints to ${dir} (${why})`, { cause: e });
  }
}

/** Removes a checkpoint and its optimiser-state companion. */
async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(optimizerPath(path), { force: true });
}
