/**
 * Argument checks shared by the schedules. Every failure is a RangeError that names the function,
 * the argument and the offending value: `stepLR: gamma must be a finite number > 0, got -1`.
 */

function show(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
}

/** Throw `RangeError('fn: name must be what, got value')` unless `ok`. */
export function check(ok: boolean, fn: string, name: string, what: string, value: unknown): void {
  if (!ok) throw new RangeError(`${fn}: ${name} must be ${what}, got ${show(value)}`);
}

/** A finite number. */
export function checkFinite(fn: string, name: string, value: number): void {
  check(typeof value === 'number' && Number.isFinite(value), fn, name, 'a finite number', value);
}

/** A finite number ≥ 0. */
export function checkNonNegative(fn: string, name: string, value: number): void {
  check(Number.isFinite(value) && value >= 0, fn, name, 'a finite number >= 0', value);
}

/** A finite number > 0. */
export function checkPositive(fn: string, name: string, value: number): void {
  check(Number.isFinite(value) && value > 0, fn, name, 'a finite number > 0', value);
}

/** An integer ≥ `min`. */
export function checkInteger(fn: string, name: string, value: number, min: number): void {
  check(Number.isInteger(value) && value >= min, fn, name, `an integer >= ${min}`, value);
}

/** A finite number in the closed interval [lo, hi]. */
export function checkInRange(fn: string, name: string, value: number, lo: number, hi: number): void {
  check(Number.isFinite(value) && value >= lo && value <= hi, fn, name, `in [${lo}, ${hi}]`, value);
}

/** The step a schedule is evaluated at: a finite number ≥ 0 (normally an integer count). */
export function checkStep(fn: string, step: number): void {
  check(Number.isFinite(step) && step >= 0, fn, 'step', 'a finite number >= 0', step);
}
