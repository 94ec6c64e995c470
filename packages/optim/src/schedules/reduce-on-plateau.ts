import { check, checkInteger, checkNonNegative } from './validate.js';

/** Options of {@link reduceOnPlateau}, with PyTorch's defaults. */
export interface ReduceOnPlateauOptions {
  /** Multiply the rate by this on a plateau, in [0, 1). Default 0.1. */
  factor?: number;
  /** Bad epochs tolerated before reducing (integer ≥ 0). Default 10. */
  patience?: number;
  /** How much better than `best` a metric must be to count. Default 1e-4. */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** 'min': lower metrics are better (a loss); 'max': higher are better (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** Epochs after a reduction during which bad epochs are not counted (integer ≥ 0). Default 0. */
  cooldown?: number;
  /** Lower bound on the rate. Default 0. */
  minLr?: number;
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

/** State of {@link reduceOnPlateau}: plain data (note `best` starts at ±Infinity). */
export interface PlateauState {
  /** The learning rate to use for the next step. */
  readonly lr: number;
  /** Best metric seen so far. */
  readonly best: number;
  /** Consecutive epochs without improvement. */
  readonly badEpochs: number;
  /** Epochs of cooldown remaining. */
  readonly cooldownCounter: number;
}

/** A metric-driven learning rate: a pair of pure functions. */
export interface ReduceOnPlateau {
  init(baseLr: number): PlateauState;
  update(state: PlateauState, metric: number): PlateauState;
}

/**
 * `torch.optim.lr_scheduler.ReduceLROnPlateau` as pure functions — the lectures' "halve the
 * learning rate when the validation error stops improving". `update(state, metric)` is called
 * after each epoch with the validation metric: if it beats `best` (mode 'min', 'rel':
 * `metric < best·(1 − threshold)`) it becomes `best`, else `badEpochs` grows; during cooldown bad
 * epochs are not counted; once `badEpochs > patience` the rate becomes
 * `max(lr·factor, minLr)` (skipped if that changes it by ≤ eps) and cooldown starts.
 */
export function reduceOnPlateau(options: ReduceOnPlateauOptions = {}): ReduceOnPlateau {
  const fn = 'reduceOnPlateau';
  const { factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', mode = 'min' } = options;
  const { cooldown = 0, minLr = 0, eps = 1e-8 } = options;
  check(Number.isFinite(factor) && factor >= 0 && factor < 1, fn, 'factor', 'in [0, 1)', factor);
  checkInteger(fn, 'patience', patience, 0);
  checkNonNegative(fn, 'threshold', threshold);
  check(thresholdMode === 'rel' || thresholdMode === 'abs', fn, 'thresholdMode', "'rel' or 'abs'", thresholdMode);
  check(mode === 'min' || mode === 'max', fn, 'mode', "'min' or 'max'", mode);
  checkInteger(fn, 'cooldown', cooldown, 0);
  checkNonNegative(fn, 'minLr', minLr);
  checkNonNegative(fn, 'eps', eps);

  const isBetter = (a: number, best: number): boolean => {
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  };

  return {
    init(baseLr) {
      checkNonNegative(fn, 'baseLr', baseLr);
      return { lr: baseLr, best: mode === 'min' ? Infinity : -Infinity, badEpochs: 0, cooldownCounter: 0 };
    },
    update(state, metric) {
      check(typeof metric === 'number', fn, 'metric', 'a number', metric);
      let { lr, best, badEpochs, cooldownCounter } = state;
      if (isBetter(metric, best)) {
        best = metric;
        badEpochs = 0;
      } else {
        badEpochs += 1;
      }
      if (cooldownCounter > 0) {
        cooldownCounter -= 1;
        badEpochs = 0;
      }
      if (badEpochs > patience) {
        const reduced = Math.max(lr * factor, minLr);
        if (lr - reduced > eps) lr = reduced;
        cooldownCounter = cooldown;
        badEpochs = 0;
      }
      return { lr, best, badEpochs, cooldownCounter };
    },
  };
}
