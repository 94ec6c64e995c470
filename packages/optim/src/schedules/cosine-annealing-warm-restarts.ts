import type { Schedule } from '../types.js';
import { checkInteger, checkNonNegative, checkStep } from './validate.js';

/** Options of {@link cosineAnnealingWarmRestarts}. */
export interface CosineAnnealingWarmRestartsOptions {
  /** Length of the first cycle, in steps (≥ 1). */
  t0: number;
  /** Each cycle is `tMult` times longer than the previous one (integer ≥ 1). Default 1. */
  tMult?: number;
  /** Minimum rate. Default 0. */
  etaMin?: number;
}

/**
 * `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts` — SGDR (Loshchilov & Hutter, 2017):
 * `η_t = η_min + (η₀ − η_min) · (1 + cos(π T_cur / T_i)) / 2`, where cycle `i` lasts
 * `T_i = t0 · tMult^i` steps and `T_cur` counts the steps since the last restart.
 */
export function cosineAnnealingWarmRestarts(
  baseLr: number,
  { t0, tMult = 1, etaMin = 0 }: CosineAnnealingWarmRestartsOptions,
): Schedule {
  const fn = 'cosineAnnealingWarmRestarts';
  checkNonNegative(fn, 'baseLr', baseLr);
  checkInteger(fn, 't0', t0, 1);
  checkInteger(fn, 'tMult', tMult, 1);
  checkNonNegative(fn, 'etaMin', etaMin);
  return (step) => {
    checkStep(fn, step);
    let tCur = tMult === 1 ? step % t0 : step;
    let tI = t0;
    // Cycles grow geometrically when tMult ≥ 2, so this runs O(log step) times.
    while (tCur >= tI) {
      tCur -= tI;
      tI *= tMult;
    }
    return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  };
}
