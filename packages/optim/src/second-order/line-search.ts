import { check } from '../schedules/validate.js';
import { backtrackingLineSearch } from './backtracking.js';
import { type StrongWolfeOptions, strongWolfeLineSearch } from './strong-wolfe.js';
import type { LineSearch } from './types.js';

/** A line search by name (with the method's default constants) or as a function. */
export type LineSearchSpec = 'strong-wolfe' | 'backtracking' | LineSearch;

/**
 * Turn a {@link LineSearchSpec} into a {@link LineSearch}. 'strong-wolfe' uses `wolfe` (e.g.
 * c₂ = 0.1 for conjugate gradient, 0.9 for quasi-Newton); 'backtracking' is Armijo with ρ = 0.5.
 */
export function resolveLineSearch(spec: LineSearchSpec, fn: string, wolfe: StrongWolfeOptions = {}): LineSearch {
  if (typeof spec === 'function') return spec;
  check(spec === 'strong-wolfe' || spec === 'backtracking', fn, 'lineSearch', "'strong-wolfe', 'backtracking' or a function", spec);
  if (spec === 'strong-wolfe') return (f, x, loss, grad, d, t0) => strongWolfeLineSearch(f, x, loss, grad, d, { ...wolfe, t0 });
  return (f, x, loss, grad, d, t0) => backtrackingLineSearch(f, x, d, { loss, grad, alpha0: t0 });
}
