import { allocShared, type ArrayTree, dtypeOf, type FloatArray } from '@actorgrad/core';

/** A zero-filled shared array with the dtype and length of `x`. */
export function emptyLike(x: FloatArray): FloatArray {
  return allocShared(dtypeOf(x), x.length);
}

/** A shared copy of `x` (same dtype). */
export function copyOf(x: FloatArray): FloatArray {
  const y = emptyLike(x);
  y.set(x);
  return y;
}

/** A tree of shared arrays like `tree`, every entry `value`. */
export function fullLike(tree: ArrayTree, value: number): ArrayTree {
  const out: ArrayTree = {};
  for (const key of Object.keys(tree)) {
    const x = emptyLike(tree[key]!);
    if (value !== 0) x.fill(value);
    out[key] = x;
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
