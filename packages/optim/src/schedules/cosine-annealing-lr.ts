import type { Schedule } from '../types.js';
import { checkInteger, checkNonNegative, checkStep } from './validate.js';

/** Options of {@link cosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Half period of the cosine, in steps (≥ 1). */
  tMax: number;
  /** Minimum rate. Default 0. */
  etaMin?: number;
}

/**
 * `torch.optim.lr_scheduler.CosineAnnealingLR` (Loshchilov & Hutter, SGDR, without restarts):
 * `η_t = η_min + (η₀ − η_min) · (1 + cos(π t / T_max)) / 2`.
 * Past `tMax` the cosine keeps going, so the rate climbs back towards η₀ (period 2·T_max), which
 * is what torch 1.13's recursive "chainable" form computes: that form multiplies the previous rate
 * by `(1 + cos(π t/T)) / (1 + cos(π (t−1)/T))` and adds `(η₀ − η_min)(1 − cos(π/T))/2` on the
 * steps after a minimum; it equals this closed form up to rounding (checked against torch's values
 * in the fixture to 1e-12).
 */
export function cosineAnnealingLR(baseLr: number, { tMax, etaMin = 0 }: CosineAnnealingLROptions): Schedule {
  const fn = 'cosineAnnealingLR';
  checkNonNegative(fn, 'baseLr', baseLr);
  checkInteger(fn, 'tMax', tMax, 1);
  checkNonNegative(fn, 'etaMin', etaMin);
  return (step) => {
    checkStep(fn, step);
    return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * step) / tMax))) / 2;
  };
}
