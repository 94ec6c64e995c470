import { allocShared, type ArrayTree, type DType, treeClone } from '@actorgrad/core';
import { expect } from 'vitest';
import type { GradientTransformation } from '../src/index.js';

/** A tree of shared arrays from plain number lists. */
export function tree(values: Record<string, number[]>, dtype: DType = 'float64'): ArrayTree {
  const out: ArrayTree = {};
  for (const [k, v] of Object.entries(values)) {
    const x = allocShared(dtype, v.length);
    x.set(v);
    out[k] = x;
  }
  return out;
}

/** Plain number lists of a tree (for `toEqual`). */
export function plain(t: ArrayTree): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(t)) out[k] = Array.from(v);
  return out;
}

/** A deep copy of any plain-data state (typed arrays copied). */
export function snapshot<S>(state: S): S {
  return structuredCloneCopy(state) as S;
}

function structuredCloneCopy(x: unknown): unknown {
  if (x instanceof Float64Array || x instanceof Float32Array) return treeClone({ x }).x;
  if (Array.isArray(x)) return x.map(structuredCloneCopy);
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = structuredCloneCopy(v);
    return out;
  }
  return x;
}

/**
 * Runs `t` on the gradient sequence and returns each step's updates; checks on the way that no
 * update mutates its grads, state or params argument.
 */
export function run<S>(
  t: GradientTransformation<S>,
  grads: Record<string, number[]>[],
  params: Record<string, number[]> = mapZeros(grads[0]!),
): { updates: Record<string, number[]>[]; state: S } {
  const p = tree(params);
  let state = t.init(p);
  const updates: Record<string, number[]>[] = [];
  for (const g of grads) {
    const gt = tree(g);
    const before = { g: snapshot(gt), s: snapshot(state), p: snapshot(p) };
    const [u, next] = t.update(gt, state, p);
    expect({ g: gt, s: state, p }).toEqual(before);
    updates.push(plain(u));
    state = next;
  }
  return { updates, state };
}

function mapZeros(g: Record<string, number[]>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(g)) out[k] = v.map(() => 0);
  return out;
}

/** Expects every entry of `a` within `tol` relative of `b`. */
export function expectClose(a: number[], b: number[], tol = 1e-12): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(Math.abs(a[i]! - b[i]!), `entry ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(
      tol * Math.max(Math.abs(b[i]!), 1e-300),
    );
  }
}
