import { chain } from './chain.js';
import { addDecayedWeights } from './transform/add-decayed-weights.js';
import { scaleByAdadelta } from './transform/scale-by-adadelta.js';
import { scaleByAdagrad } from './transform/scale-by-adagrad.js';
import { scaleByAdam } from './transform/scale-by-adam.js';
import { scaleByAdamax } from './transform/scale-by-adamax.js';
import { scaleByLearningRate } from './transform/scale-by-learning-rate.js';
import { scaleByNadam } from './transform/scale-by-nadam.js';
import { scaleByRadam } from './transform/scale-by-radam.js';
import { scaleByRms } from './transform/scale-by-rms.js';
import { trace } from './transform/trace.js';
import type { GradientTransformation, LearningRate } from './types.js';
import * as v from './validate.js';

/**
 * The optimisers of torch.optim as chains of transformations, with PyTorch's defaults and argument
 * names in camelCase. Each validates its arguments under its own name, then builds
 * `chain([addDecayedWeights(λ)], scaleBy…, scaleByLearningRate(η))`; the weight-decay step is left
 * out when λ = 0, as torch skips it. Every chain's state is plain data (see `stateDict`).
 */
type T = GradientTransformation<unknown[]>;
type Part = GradientTransformation<unknown> | null;

function build(...parts: Part[]): T {
  return chain(...parts.filter((p): p is GradientTransformation<unknown> => p !== null));
}

function l2(fn: string, weightDecay: number | undefined): Part {
  const wd = v.checkNonNegative(fn, 'weightDecay', weightDecay ?? 0);
  return wd > 0 ? addDecayedWeights(wd) : null;
}

function rate(fn: string, lr: unknown): Part {
  return scaleByLearningRate(v.checkLearningRate(fn, 'lr', lr));
}

export interface SgdOptions {
  lr: LearningRate;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** torch.optim.SGD: `g ← g + λp`; momentum `b ← μb + (1 − d)g` (b₁ = g); `p ← p − η·(b | g + μb | g)`. */
export function sgd(o: SgdOptions): T {
  const mu = v.checkDecay('sgd', 'momentum', o.momentum ?? 0);
  const dampening = v.checkUnit('sgd', 'dampening', o.dampening ?? 0);
  const nesterov = v.checkBoolean('sgd', 'nesterov', o.nesterov ?? false);
  if (nesterov && (mu <= 0 || dampening !== 0)) {
    throw new RangeError(`sgd: nesterov needs momentum > 0 and dampening = 0, got momentum ${mu} and dampening ${dampening}`);
  }
  const momentumPart = mu > 0 ? trace({ decay: mu, dampening, nesterov }) : null;
  return build(l2('sgd', o.weightDecay), momentumPart, rate('sgd', o.lr));
}

/** Heavy-ball momentum: `sgd({lr, momentum: beta})`; the lecture's `v ← βv − α∇J`, `θ ← θ + v`. */
export function momentum(lr: LearningRate, beta = 0.9): T {
  v.checkDecay('momentum', 'beta', beta);
  return sgd({ lr: v.checkLearningRate('momentum', 'lr', lr), momentum: beta });
}

/** Nesterov momentum: `sgd({lr, momentum: beta, nesterov: true})` (torch's look-ahead form). */
export function nesterov(lr: LearningRate, beta = 0.9): T {
  if (!(typeof beta === 'number' && beta > 0 && beta < 1)) {
    throw new RangeError(`nesterov: beta must be in (0, 1), got ${beta}`);
  }
  return sgd({ lr: v.checkLearningRate('nesterov', 'lr', lr), momentum: beta, nesterov: true });
}

export interface AdagradAliasOptions {
  lr?: LearningRate;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}

/** torch.optim.Adagrad (lr 1e-2, eps 1e-10): `r ← r + g²`, `p ← p − η/(1 + (t−1)κ) · g/(√r + ε)`. */
export function adagrad(o: AdagradAliasOptions = {}): T {
  const fn = 'adagrad';
  const lrDecay = v.checkNonNegative(fn, 'lrDecay', o.lrDecay ?? 0);
  const initialAccumulatorValue = v.checkNonNegative(fn, 'initialAccumulatorValue', o.initialAccumulatorValue ?? 0);
  const eps = v.checkPositive(fn, 'eps', o.eps ?? 1e-10);
  const scaling = scaleByAdagrad({ lrDecay, initialAccumulatorValue, eps });
  return build(l2(fn, o.weightDecay), scaling, rate(fn, o.lr ?? DEFAULT_LR.adagrad));
}

export interface AdadeltaAliasOptions {
  lr?: LearningRate;
  rho?: number;
  eps?: number;
  weightDecay?: number;
}

/**
 * torch.optim.Adadelta (lr 1, ρ 0.9, eps 1e-6): `p ← p − η·Δ`, Δ as in `scaleByAdadelta` (Zeiler,
 * 2012). Lecture 002's "AdaDelta" is another method: `rmsprop({ form: 'lecture002' })`.
 */
export function adadelta(o: AdadeltaAliasOptions = {}): T {
  const rho = v.checkDecay('adadelta', 'rho', o.rho ?? 0.9);
  const eps = v.checkPositive('adadelta', 'eps', o.eps ?? 1e-6);
  return build(l2('adadelta', o.weightDecay), scaleByAdadelta({ rho, eps }), rate('adadelta', o.lr ?? DEFAULT_LR.adadelta));
}

/**
 * Where `rmsprop` adds ε:
 * - `'torch'` (default): outside the root, `p ← p − η·g/(√v + ε)` (torch.optim.RMSprop; also lecture
 *   000_25d9901f85987fe6.txt, §RMSProp: `θ ← θ − α/(δ + √r) ⊙ ∇J`).
 * - `'lecture002'`: under the root, `p ← p − η·g/√(v + ε)`, `v ← γv + (1 − γ)g²` (α plays γ): the
 *   method lecture 002_7395964b67df274e.txt, §AdaDelta, calls "AdaDelta" (`E[g²]ₜ = γE[g²]ₜ₋₁ +
 *   (1 − γ)gₜ²`, `θₜ₊₁ = θₜ − η/√(E[g²]ₜ + ε) · gₜ`), which is RMSProp with ε inside the root, not
 *   Zeiler's AdaDelta (that is `adadelta`); lecture 003_ad5331f8bc59fec7.txt, §RMSProp, writes the
 *   same `g/√(v + ε)`.
 */
export type RmspropForm = 'torch' | 'lecture002';
const RMSPROP_FORMS: readonly RmspropForm[] = ['torch', 'lecture002'];

export interface RmspropOptions {
  lr?: LearningRate;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  /** Where ε goes (see {@link RmspropForm}); `'torch'` by default. */
  form?: RmspropForm;
}

/**
 * torch.optim.RMSprop (lr 1e-2, α 0.99, eps 1e-8): `p ← p − η·u`, u as in `scaleByRms`; with
 * `form: 'lecture002'` ε goes under the root (lecture 002's "AdaDelta", see {@link RmspropForm}).
 */
export function rmsprop(o: RmspropOptions = {}): T {
  const fn = 'rmsprop';
  const alpha = v.checkDecay(fn, 'alpha', o.alpha ?? 0.99);
  const eps = v.checkPositive(fn, 'eps', o.eps ?? 1e-8);
  const mu = v.checkDecay(fn, 'momentum', o.momentum ?? 0);
  const centered = v.checkBoolean(fn, 'centered', o.centered ?? false);
  const inRoot = v.checkOneOf(fn, 'form', o.form ?? 'torch', RMSPROP_FORMS) === 'lecture002';
  const scaling = scaleByRms({ alpha, eps: inRoot ? 0 : eps, epsRoot: inRoot ? eps : 0, momentum: mu, centered });
  return build(l2(fn, o.weightDecay), scaling, rate(fn, o.lr ?? DEFAULT_LR.rmsprop));
}

/**
 * Which Adam `adam` and `adamw` compute (m, v the moving averages of g and g², ε = `eps`):
 * - `'torch'` (default): `p ← p − η·m̂/(√v̂ + ε)`, m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ) (torch.optim.Adam).
 * - `'lecture000'`: no bias correction, ε outside the root: `θ ← θ − α/(δ + √v) · m`
 *   (000_25d9901f85987fe6.txt, §ADAM algorithm; the slide says "correct the bias" but its formula
 *   uses the uncorrected m and v, and this form is that formula).
 * - `'lecture003'`: no bias correction, ε under the root: `x ← x − α·μ/√(v + ε)`
 *   (003_ad5331f8bc59fec7.txt, §Adam; that slide calls the decay of v β and that of μ β₂: here
 *   `betas` stays [β of m, β of v]).
 * - `'lecture004'`: bias correction, ε under the root: `φ ← φ − α·m̃/√(ṽ + ε)`
 *   (004_d8dfb9115cc8a83f.txt, §Adaptive moment estimation. Adam, "Moderate near start of the sequence").
 */
export type AdamForm = 'torch' | 'lecture000' | 'lecture003' | 'lecture004';
const ADAM_FORMS: Record<AdamForm, { biasCorrection: boolean; inRoot: boolean }> = {
  torch: { biasCorrection: true, inRoot: false },
  lecture000: { biasCorrection: false, inRoot: false },
  lecture003: { biasCorrection: false, inRoot: true },
  lecture004: { biasCorrection: true, inRoot: true },
};

export interface AdamAliasOptions {
  lr?: LearningRate;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  /** Which Adam (see {@link AdamForm}); `'torch'` by default. */
  form?: AdamForm;
}

function adamParts(fn: string, o: AdamAliasOptions) {
  const [b1, b2] = v.checkBetas(fn, o.betas ?? [0.9, 0.999]);
  const eps = v.checkPositive(fn, 'eps', o.eps ?? 1e-8);
  const amsgrad = v.checkBoolean(fn, 'amsgrad', o.amsgrad ?? false);
  const form = v.checkOneOf(fn, 'form', o.form ?? 'torch', Object.keys(ADAM_FORMS) as AdamForm[]);
  const { biasCorrection, inRoot } = ADAM_FORMS[form];
  return { b1, b2, eps: inRoot ? 0 : eps, epsRoot: inRoot ? eps : 0, amsgrad, biasCorrection };
}

/**
 * torch.optim.Adam (lr 1e-3, betas (0.9, 0.999), eps 1e-8), L2 weight decay: `g ← g + λp` first;
 * `form` picks the lectures' versions instead (see {@link AdamForm}).
 */
export function adam(o: AdamAliasOptions = {}): T {
  const h = adamParts('adam', o);
  return build(l2('adam', o.weightDecay), scaleByAdam(h), rate('adam', o.lr ?? DEFAULT_LR.adam));
}

/**
 * torch.optim.AdamW (weight decay 1e-2): `p ← p·(1 − η(t)λ) − η(t)·adam`, built as
 * `chain(scaleByAdam, addDecayedWeights(λ), scaleByLearningRate(η))` so that the same `η(t)` (also
 * from a schedule) scales both terms.
 */
export function adamw(o: AdamAliasOptions = {}): T {
  const h = adamParts('adamw', o);
  const wd = v.checkNonNegative('adamw', 'weightDecay', o.weightDecay ?? 1e-2);
  return build(scaleByAdam(h), wd > 0 ? addDecayedWeights(wd) : null, rate('adamw', o.lr ?? DEFAULT_LR.adamw));
}

export type AdamaxAliasOptions = Omit<AdamAliasOptions, 'amsgrad' | 'form'>;

/** torch.optim.Adamax (lr 2e-3): `p ← p − η · m/(1 − β₁ᵗ) / max(β₂n, |g| + ε)`. */
export function adamax(o: AdamaxAliasOptions = {}): T {
  const [b1, b2] = v.checkBetas('adamax', o.betas ?? [0.9, 0.999]);
  const eps = v.checkPositive('adamax', 'eps', o.eps ?? 1e-8);
  return build(l2('adamax', o.weightDecay), scaleByAdamax({ b1, b2, eps }), rate('adamax', o.lr ?? DEFAULT_LR.adamax));
}

export interface NadamAliasOptions extends AdamaxAliasOptions {
  momentumDecay?: number;
}

/** torch.optim.NAdam (lr 2e-3, momentum decay 4e-3): `p ← p − η·u`, u as in `scaleByNadam`. */
export function nadam(o: NadamAliasOptions = {}): T {
  const [b1, b2] = v.checkBetas('nadam', o.betas ?? [0.9, 0.999]);
  const eps = v.checkPositive('nadam', 'eps', o.eps ?? 1e-8);
  const momentumDecay = v.checkNonNegative('nadam', 'momentumDecay', o.momentumDecay ?? 4e-3);
  const scaling = scaleByNadam({ b1, b2, eps, momentumDecay });
  return build(l2('nadam', o.weightDecay), scaling, rate('nadam', o.lr ?? DEFAULT_LR.nadam));
}

/** torch.optim.RAdam (lr 1e-3): `p ← p − η·u`, u as in `scaleByRadam` (rectified when ρₜ > 5). */
export function radam(o: AdamaxAliasOptions = {}): T {
  const [b1, b2] = v.checkBetas('radam', o.betas ?? [0.9, 0.999]);
  const eps = v.checkPositive('radam', 'eps', o.eps ?? 1e-8);
  return build(l2('radam', o.weightDecay), scaleByRadam({ b1, b2, eps }), rate('radam', o.lr ?? DEFAULT_LR.radam));
}

/**
 * The option keys each alias that takes an options object reads, for validating option objects
 * that come from users or job specs before anything is built (a misspelled key is otherwise
 * silently ignored). Tested against what the aliases really read, so it cannot drift.
 */
export const ALIAS_OPTION_KEYS = {
  sgd: ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'],
  adam: ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'form'],
  adamw: ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'form'],
  adamax: ['lr', 'betas', 'eps', 'weightDecay'],
  nadam: ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay'],
  radam: ['lr', 'betas', 'eps', 'weightDecay'],
  adagrad: ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'],
  adadelta: ['lr', 'rho', 'eps', 'weightDecay'],
  rmsprop: ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'form'],
} as const satisfies {
  sgd: readonly (keyof SgdOptions)[];
  adam: readonly (keyof AdamAliasOptions)[];
  adamw: readonly (keyof AdamAliasOptions)[];
  adamax: readonly (keyof AdamaxAliasOptions)[];
  nadam: readonly (keyof NadamAliasOptions)[];
  radam: readonly (keyof AdamaxAliasOptions)[];
  adagrad: readonly (keyof AdagradAliasOptions)[];
  adadelta: readonly (keyof AdadeltaAliasOptions)[];
  rmsprop: readonly (keyof RmspropOptions)[];
};

/** The names of the aliases that take an options object (the keys of `ALIAS_OPTION_KEYS`). */
export type OptionAliasName = keyof typeof ALIAS_OPTION_KEYS;

/**
 * Each alias's learning rate when none is given: PyTorch's defaults (torch.optim 2.x; SGD's 1e-3
 * since 2.3, before which it had none — `sgd` itself still requires one). The Trainer reads this
 * table too, so the rate it logs and schedules from is the one the optimiser uses.
 */
export const DEFAULT_LR: Record<OptionAliasName, number> = {
  sgd: 1e-3,
  adam: 1e-3,
  adamw: 1e-3,
  adamax: 2e-3,
  nadam: 2e-3,
  radam: 1e-3,
  adagrad: 1e-2,
  adadelta: 1,
  rmsprop: 1e-2,
};

/** The constant learning rate of an optimiser config: its `lr` if given, else {@link DEFAULT_LR} of its name (1e-3 for a name not listed). */
export function baseLearningRate(name: string, options: { lr?: unknown }): number {
  return Number(options.lr ?? DEFAULT_LR[name as OptionAliasName] ?? 1e-3);
}
