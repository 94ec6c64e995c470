import type { Schedule } from '../types.js';
import { check, checkInRange, checkInteger, checkPositive, checkStep } from './validate.js';

/** Options of {@link oneCycleLR}, with PyTorch's defaults. */
export interface OneCycleLROptions {
  /** Peak learning rate. */
  maxLr: number;
  /** Length of the cycle in steps (≥ 1); steps 0 … totalSteps are valid. */
  totalSteps: number;
  /** Fraction of the cycle spent increasing the rate. Default 0.3. */
  pctStart?: number;
  /** Initial rate = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** Final rate = initial rate / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Shape of each phase. Default 'cos'. */
  annealStrategy?: 'cos' | 'linear';
  /** Three phases (up, back down to the initial rate, then to the final rate) as in Smith's paper. */
  threePhase?: boolean;
  /** Cycle momentum inversely to the rate. Default true; when false, momentum is maxMomentum. */
  cycleMomentum?: boolean;
  /** Momentum at the peak rate. Default 0.85. */
  baseMomentum?: number;
  /** Momentum at the start and end. Default 0.95. */
  maxMomentum?: number;
}

/** A learning-rate schedule and the momentum (or Adam β₁) schedule that goes with it. */
export interface OneCycle {
  lr: Schedule;
  momentum: Schedule;
}

interface Phase {
  end: number;
  lr: [number, number];
  momentum: [number, number];
}

/** Cosine anneal from `a` to `b` as `pct` goes 0 → 1: `b + (a − b)(1 + cos(π·pct))/2`. */
const annealCos = (a: number, b: number, pct: number): number => b + ((a - b) / 2) * (Math.cos(Math.PI * pct) + 1);
/** Linear anneal from `a` to `b`: `a + (b − a)·pct`. */
const annealLinear = (a: number, b: number, pct: number): number => (b - a) * pct + a;

/**
 * `torch.optim.lr_scheduler.OneCycleLR` — the 1cycle policy (Smith & Topin, "Super-Convergence",
 * 2017). With `η_init = maxLr / divFactor` and `η_min = η_init / finalDivFactor`, two phases (the
 * default, fastai's): steps 0 … p·N − 1 anneal η_init → maxLr while momentum goes
 * maxMomentum → baseMomentum; then up to step N − 1 the rate anneals maxLr → η_min and momentum
 * returns to maxMomentum. Within a phase `pct = (t − start) / (end − start)` and the anneal is
 * `end + (start − end)(1 + cos(π·pct))/2` (or linear). Evaluating past `totalSteps` throws, as torch
 * does. Where a phase has zero length torch divides by zero; here that phase is at its end value.
 */
export function oneCycleLR(options: OneCycleLROptions): OneCycle {
  const fn = 'oneCycleLR';
  const { maxLr, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = options;
  const { annealStrategy = 'cos', threePhase = false, cycleMomentum = true } = options;
  const { baseMomentum = 0.85, maxMomentum = 0.95 } = options;
  checkPositive(fn, 'maxLr', maxLr);
  checkInteger(fn, 'totalSteps', totalSteps, 1);
  checkInRange(fn, 'pctStart', pctStart, 0, 1);
  checkPositive(fn, 'divFactor', divFactor);
  checkPositive(fn, 'finalDivFactor', finalDivFactor);
  check(annealStrategy === 'cos' || annealStrategy === 'linear', fn, 'annealStrategy', "'cos' or 'linear'", annealStrategy);
  checkInRange(fn, 'baseMomentum', baseMomentum, 0, 1);
  checkInRange(fn, 'maxMomentum', maxMomentum, 0, 1);

  const initialLr = maxLr / divFactor;
  const minLr = initialLr / finalDivFactor;
  const up = pctStart * totalSteps - 1;
  const phases: Phase[] = threePhase
    ? [
        { end: up, lr: [initialLr, maxLr], momentum: [maxMomentum, baseMomentum] },
        { end: 2 * pctStart * totalSteps - 2, lr: [maxLr, initialLr], momentum: [baseMomentum, maxMomentum] },
        { end: totalSteps - 1, lr: [initialLr, minLr], momentum: [maxMomentum, maxMomentum] },
      ]
    : [
        { end: up, lr: [initialLr, maxLr], momentum: [maxMomentum, baseMomentum] },
        { end: totalSteps - 1, lr: [maxLr, minLr], momentum: [baseMomentum, maxMomentum] },
      ];
  const anneal = annealStrategy === 'cos' ? annealCos : annealLinear;

  const evaluate = (step: number, pick: (p: Phase) => [number, number]): number => {
    checkStep(fn, step);
    check(step <= totalSteps, fn, 'step', `<= totalSteps (${totalSteps})`, step);
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const phase = phases[i]!;
      if (step <= phase.end || i === phases.length - 1) {
        const span = phase.end - start;
        const pct = span > 0 ? (step - start) / span : 1;
        const [a, b] = pick(phase);
        return anneal(a, b, pct);
      }
      start = phase.end;
    }
    throw new Error('unreachable');
  };
  return {
    lr: (step) => evaluate(step, (p) => p.lr),
    momentum: cycleMomentum
      ? (step) => evaluate(step, (p) => p.momentum)
      : (step) => {
          checkStep(fn, step);
          return maxMomentum;
        },
  };
}
