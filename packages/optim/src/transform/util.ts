import { type ArrayTree, dtypeOf, type FloatArray } from '@actorgrad/core';
import { allocArray } from '../recycle.js';

/**
 * A shared array with the dtype and length of `x`, contents unspecified (inside `Optimizer.step`
 * it may be a recycled one): every caller writes all of its elements.
 */
export function emptyLike(x: FloatArray): FloatArray {
  return allocArray(dtypeOf(x), x.length);
}

/** A tree of shared arrays like `tree`, every entry `value`. */
export function fullLike(tree: ArrayTree, value: number): ArrayTree {
  const out: ArrayTree = {};
  for (const key of Object.keys(tree)) {
    out[key] = emptyLike(tree[key]!).fill(value);
  }
  return out;
}

/** The leaf of `tree` at `key`, with an error that names `fn`, the tree and the key when absent. */
export function leaf(fn: string, tree: ArrayTree, what: string, key: string, length: number): FloatArray {
  const x = tree[key];
  if (x === undefined) throw new Error(`${fn}: ${what} has no entry '${key}'`);
  if (x.length !== length) {
    throw new Error(`${fn}: ${what}['${key}'] has ${x.length} elements, expected ${length}`);
  }
  return x;
}

/** The params argument, or an error naming `fn` when a transformation needs it and it is missing. */
export function needParams(fn: string, params: ArrayTree | undefined): ArrayTree {
  if (params === undefined) throw new Error(`${fn}: update needs the current params (third argument)`);
  return params;
}

/** `f · x` leaf-wise, into fresh shared arrays. */
export function scaleTree(tree: ArrayTree, factor: number): ArrayTree {
  const out: ArrayTree = {};
  for (const key of Object.keys(tree)) {
    const x = tree[key]!;
    const y = emptyLike(x);
    for (let i = 0; i < x.length; i++) y[i] = factor * x[i]!;
    out[key] = y;
  }
  return out;
}
