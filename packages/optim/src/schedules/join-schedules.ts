import type { Schedule } from '../types.js';
import { check, checkStep } from './validate.js';

/**
 * Run schedules one after another (optax `join_schedules`, torch `SequentialLR`): schedule `i`
 * is active from `boundaries[i − 1]` (0 for the first) and sees the step relative to that point:
 * `η_t = schedules[i](t − b_i)` where `b_i` is the last boundary ≤ t.
 * `boundaries` must be strictly increasing integers ≥ 1, one fewer than the schedules.
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  const fn = 'joinSchedules';
  check(schedules.length >= 1, fn, 'schedules', 'a non-empty array', schedules.length);
  check(
    schedules.every((s) => typeof s === 'function'),
    fn,
    'schedules',
    'an array of functions',
    schedules.map((s) => typeof s),
  );
  check(
    boundaries.length === schedules.length - 1,
    fn,
    'boundaries',
    `an array of length ${schedules.length - 1} (one fewer than schedules)`,
    boundaries,
  );
  const ok = boundaries.every((b, i) => Number.isInteger(b) && b >= 1 && (i === 0 || b > boundaries[i - 1]));
  check(ok, fn, 'boundaries', 'strictly increasing integers >= 1', boundaries);
  const bs = [...boundaries];
  const ss = [...schedules];
  return (step) => {
    checkStep(fn, step);
    let i = 0;
    while (i < bs.length && bs[i] <= step) i++;
    return ss[i](i === 0 ? step : step - bs[i - 1]);
  };
}
