import { reduceOnPlateau } from '@actorgrad/optim';
import { z } from 'zod';
import type { Callback, Logs, TrainContext } from '../callback.js';
import { atoms, parseOptions } from './callback-options.js';
import { type Mode, monitored, resolveMode } from './monitor.js';

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  mode?: Mode;
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
}

/**
 * Multiplies the learning rate by `factor` when the monitored value stops improving for
 * `patience` epochs — optim's pure `reduceOnPlateau` (torch.optim.lr_scheduler.ReduceLROnPlateau
 * semantics) fed with the epoch's validation metric. From then on it overrides the schedule.
 */
const OPTIONS = z.strictObject({
  monitor: atoms.string('a metric name').optional(),
  mode: atoms.mode().optional(),
  factor: atoms.number().optional(),
  patience: atoms.count().optional(),
  threshold: atoms.nonNegative().optional(),
  thresholdMode: z.enum(['rel', 'abs'], { error: "'rel' or 'abs'" }).optional(),
  cooldown: atoms.count().optional(),
  minLr: atoms.nonNegative().optional(),
});

export function reduceLROnPlateau(options?: ReduceLROnPlateauOptions): Callback {
  const o: ReduceLROnPlateauOptions = parseOptions('reduceLROnPlateau', OPTIONS, options);
  const monitor = o.monitor ?? 'val_loss';
  const plateau = reduceOnPlateau({
    mode: resolveMode(o.mode ?? 'auto', monitor),
    factor: o.factor ?? 0.1,
    patience: o.patience ?? 10,
    threshold: o.threshold ?? 1e-4,
    thresholdMode: o.thresholdMode ?? 'rel',
    cooldown: o.cooldown ?? 0,
    minLr: o.minLr ?? 0,
  });
  let state: ReturnType<typeof plateau.init> | null = null;
  return {
    name: 'reduceLROnPlateau',
    onEpochEnd(_epoch: number, logs: Logs, ctx: TrainContext) {
      state ??= plateau.init(ctx.currentLr());
      state = plateau.update(state, monitored(logs, monitor, 'reduceLROnPlateau'));
      if (state.lr !== ctx.currentLr()) ctx.lrOverride = state.lr;
    },
    state: () => state,
    setState(s: unknown) {
      state = s as typeof state;
    },
  };
}
