import { type Tensor, tensor } from '@actorgrad/core';
import { z } from 'zod';
import type { Callback, Logs, TrainContext } from '../callback.js';
import { atoms, parseOptions } from './callback-options.js';
import { improves, type Mode, monitored, resolveMode } from './monitor.js';

export interface EarlyStoppingOptions {
  monitor?: string;
  mode?: Mode;
  /** Epochs without improvement before stopping. */
  patience?: number;
  /** The least change that counts as an improvement. */
  minDelta?: number;
  /**
   * Put back the weights of the best epoch when the run ends — whatever ended it: this callback,
   * the epochs running out, another callback, or an abort (what TF.js's option never did).
   */
  restoreBestWeights?: boolean;
}

export interface EarlyStopping extends Callback {
  /** The best monitored value so far and its epoch (null before the first epoch ends). */
  readonly best: number;
  readonly bestEpoch: number | null;
}

/** Stops the run when the monitored value has not improved for more than `patience` epochs. */
const OPTIONS = z.strictObject({
  monitor: atoms.string('a metric name').optional(),
  mode: atoms.mode().optional(),
  patience: atoms.count().optional(),
  minDelta: atoms.number().optional(),
  restoreBestWeights: atoms.boolean().optional(),
});

export function earlyStopping(options?: EarlyStoppingOptions): EarlyStopping {
  const o: EarlyStoppingOptions = parseOptions('earlyStopping', OPTIONS, options);
  const monitor = o.monitor ?? 'val_loss';
  const mode = resolveMode(o.mode ?? 'auto', monitor);
  const patience = o.patience ?? 0;
  const minDelta = Math.abs(o.minDelta ?? 0);
  if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`earlyStopping: patience must be a non-negative integer, got ${patience}`);
  const worst = mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  let best = worst;
  let bestEpoch: number | null = null;
  let wait = 0;
  let bestWeights: Record<string, Tensor> | null = null;
  return {
    name: 'earlyStopping',
    get best() {
      return best;
    },
    get bestEpoch() {
      return bestEpoch;
    },
    onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext) {
      const v = monitored(logs, monitor, 'earlyStopping');
      if (bestEpoch === null || improves(v, best, mode, minDelta)) {
        best = v;
        bestEpoch = epoch;
        wait = 0;
        if (o.restoreBestWeights) bestWeights = ctx.model.stateDict();
        return;
      }
      wait++;
      if (wait > patience) {
        ctx.stopTraining = true;
        ctx.stopReason ??= `early stopping: ${monitor} did not improve for ${wait} epochs (best ${best} at epoch ${bestEpoch})`;
      }
    },
    onTrainEnd(ctx: TrainContext) {
      if (o.restoreBestWeights && bestWeights) ctx.model.loadStateDict(bestWeights);
    },
    state: () => ({
      best: Number.isFinite(best) ? best : null,
      bestEpoch,
      wait,
      bestWeights: bestWeights && Object.fromEntries(Object.entries(bestWeights).map(([k, t]) => [k, { shape: t.shape, dtype: t.dtype, data: Array.from(t.data) }])),
    }),
    setState(s: unknown) {
      const st = s as { best: number | null; bestEpoch: number | null; wait: number; bestWeights: Record<string, { shape: number[]; dtype: 'float32' | 'float64'; data: number[] }> | null };
      best = st.best ?? worst;
      bestEpoch = st.bestEpoch;
      wait = st.wait;
      bestWeights = st.bestWeights && Object.fromEntries(Object.entries(st.bestWeights).map(([k, w]) => [k, tensor(w.data, { shape: w.shape, dtype: w.dtype })]));
    },
  };
}
