import { expect } from 'vitest';
import type { NestedArray, Tensor } from '../../src/index.js';

/** Flattens nested arrays of numbers (or a number) into a plain array. */
export function flat(x: NestedArray | readonly NestedArray[]): number[] {
  if (typeof x === 'number') return [x];
  return (x as NestedArray[]).flat(Number.POSITIVE_INFINITY as 1) as number[];
}

/** Shape of a nested array (rectangular). */
export function shapeOf(x: NestedArray): number[] {
  const s: number[] = [];
  let cur: NestedArray = x;
  while (Array.isArray(cur)) {
    s.push(cur.length);
    cur = cur[0]!;
  }
  return s;
}

export interface Tol {
  /** Relative tolerance: |a − e| ≤ rel·|e| … */
  rel: number;
  /** … or, for values near 0, |a − e| ≤ abs. */
  abs: number;
}

/** float64 paths: 1e-9 relative; the 1e-300 floor only matters where the reference is exactly 0. */
export const F64: Tol = { rel: 1e-9, abs: 1e-300 };
/** float32 paths: 1e-4 relative, with an absolute floor of 1e-6 for values near 0. */
export const F32: Tol = { rel: 1e-4, abs: 1e-6 };

/**
 * Asserts every element of `actual` is within `tol` of `expected` (same number of elements, same
 * shape when `actual` is a tensor), reporting the worst element.
 */
export function expectClose(actual: Tensor | NestedArray, expected: NestedArray, tol: Tol, what = 'value'): void {
  const a = typeof actual === 'number' || Array.isArray(actual) ? flat(actual) : Array.from((actual as Tensor).data);
  const e = flat(expected);
  if (typeof actual === 'object' && !Array.isArray(actual)) {
    expect((actual as Tensor).shape, `${what}: shape`).toEqual(shapeOf(expected));
  }
  expect(a.length, `${what}: number of elements`).toBe(e.length);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i]! - e[i]!);
    const allowed = Math.max(tol.rel * Math.abs(e[i]!), tol.abs);
    const ratio = err / allowed;
    if (!(ratio <= worstRatio)) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (!(worstRatio <= 1)) {
    const i = worst;
    expect.fail(
      `${what}: element ${i} is ${a[i]}, expected ${e[i]} (|diff| ${Math.abs(a[i]! - e[i]!)}, allowed ${Math.max(tol.rel * Math.abs(e[i]!), tol.abs)})`,
    );
  }
}
