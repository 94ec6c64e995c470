import type { LearningRate } from './types.js';

/**
 * Hyper-parameter checks shared by every transformation and alias. Each throws a `RangeError` whose
 * message names the function, the argument and the offending value, e.g.
 * `adam: betas[1] must be in [0, 1), got 1.5`.
 */

function show(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  return String(value);
}

function fail(fn: string, name: string, what: string, value: unknown): never {
  throw new RangeError(`${fn}: ${name} must be ${what}, got ${show(value)}`);
}

function finite(fn: string, name: string, value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(fn, name, what, value);
  return value;
}

/** `value` is a finite number (any sign). */
export function checkFinite(fn: string, name: string, value: unknown): number {
  return finite(fn, name, value, 'a finite number');
}

/** `value` is finite and >= 0 (learning rates, weight decay, lr decay, accumulator values). */
export function checkNonNegative(fn: string, name: string, value: unknown): number {
  const v = finite(fn, name, value, 'a finite number >= 0');
  if (v < 0) fail(fn, name, 'a finite number >= 0', v);
  return v;
}

/** `value` is finite and > 0 (eps, maximum norms). */
export function checkPositive(fn: string, name: string, value: unknown): number {
  const v = finite(fn, name, value, 'a finite number > 0');
  if (!(v > 0)) fail(fn, name, 'a finite number > 0', v);
  return v;
}

/**
 * The ε added outside a square root and the ε′ added under it (`√(v + ε′) + ε`): both finite and
 * >= 0, ε > 0 unless ε′ > 0 (one of them keeps the denominator away from 0).
 */
export function checkEps(fn: string, eps: unknown, epsRoot: unknown): [number, number] {
  const root = checkNonNegative(fn, 'epsRoot', epsRoot);
  return [root > 0 ? checkNonNegative(fn, 'eps', eps) : checkPositive(fn, 'eps', eps), root];
}

/** `value` is one of `allowed` (a string option such as an optimiser's `form`). */
export function checkOneOf<S extends string>(fn: string, name: string, value: unknown, allowed: readonly S[]): S {
  if (!allowed.includes(value as S)) fail(fn, name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  return value as S;
}

/** `value` is in [0, 1): decay rates (β, ρ, α, momentum). */
export function checkDecay(fn: string, name: string, value: unknown): number {
  const v = finite(fn, name, value, 'in [0, 1)');
  if (v < 0 || v >= 1) fail(fn, name, 'in [0, 1)', v);
  return v;
}

/** `value` is in [0, 1] (dampening). */
export function checkUnit(fn: string, name: string, value: unknown): number {
  const v = finite(fn, name, value, 'in [0, 1]');
  if (v < 0 || v > 1) fail(fn, name, 'in [0, 1]', v);
  return v;
}

/** `value` is an integer >= `min` (step counts, k of gradient accumulation). */
export function checkInteger(fn: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(fn, name, `an integer >= ${min}`, value);
  }
  return value;
}

/** `value` is a boolean. */
export function checkBoolean(fn: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new RangeError(`${fn}: ${name} must be a boolean, got ${show(value)}`);
  }
  return value;
}

/** A learning rate: a finite number >= 0 or a schedule (a function, checked at every step). */
export function checkLearningRate(fn: string, name: string, value: unknown): LearningRate {
  if (typeof value === 'function') return value as LearningRate;
  return checkNonNegative(fn, name, value);
}

/** A pair `[β₁, β₂]`, each in [0, 1). */
export function checkBetas(fn: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new RangeError(`${fn}: betas must be a pair [beta1, beta2], got ${JSON.stringify(value)}`);
  }
  return [checkDecay(fn, 'betas[0]', value[0]), checkDecay(fn, 'betas[1]', value[1])];
}

/** The learning rate at `step`: `lr` itself or `lr(step)`, which must be finite and >= 0. */
export function learningRateAt(fn: string, lr: LearningRate, step: number): number {
  if (typeof lr === 'number') return lr;
  const v = lr(step);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    fail(fn, `lr(${step})`, 'a finite number >= 0', v);
  }
  return v;
}
