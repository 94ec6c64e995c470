import { allocShared, dtypeOf, type FloatArray } from './dtype.js';

/**
 * A parameter tree: a flat record from dotted names (`'0.weight'`, `'0.bias'`, as in a PyTorch
 * `state_dict`) to values. Optimiser states, gradients and updates are trees of typed arrays; the
 * key order is the insertion order and every tree function preserves it.
 */
export type Tree<T> = Record<string, T>;
export type ArrayTree = Tree<FloatArray>;

/** Applies `f` to every leaf. */
export function treeMap<A, B>(tree: Tree<A>, f: (leaf: A, key: string) => B): Tree<B> {
  const out: Tree<B> = {};
  for (const key of Object.keys(tree)) out[key] = f(tree[key]!, key);
  return out;
}

/** Applies `f` leaf-wise to trees with the same keys; throws naming the key that is missing. */
export function treeZip<A, B, C>(a: Tree<A>, b: Tree<B>, f: (x: A, y: B, key: string) => C): Tree<C> {
  const out: Tree<C> = {};
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) {
    throw new Error(`treeZip: trees differ in size (${ka.length} vs ${Object.keys(b).length} leaves)`);
  }
  for (const key of ka) {
    if (!(key in b)) throw new Error(`treeZip: key '${key}' is missing from the second tree`);
    out[key] = f(a[key]!, b[key]!, key);
  }
  return out;
}

/** A tree of zero-filled shared arrays shaped (and typed) like `tree`. */
export function treeZerosLike(tree: ArrayTree): ArrayTree {
  return treeMap(tree, (x) => allocShared(dtypeOf(x), x.length));
}

/** A deep copy of an array tree into fresh shared memory. */
export function treeClone(tree: ArrayTree): ArrayTree {
  return treeMap(tree, (x) => {
    const y = allocShared(dtypeOf(x), x.length);
    y.set(x);
    return y;
  });
}

/** The global L2 norm √(Σ over all leaves Σ xᵢ²), accumulated in float64 in key order. */
export function globalNorm(tree: ArrayTree): number {
  let s = 0;
  for (const key of Object.keys(tree)) {
    const x = tree[key]!;
    for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  }
  return Math.sqrt(s);
}

/** The number of scalar entries in a tree. */
export function treeSize(tree: ArrayTree): number {
  let n = 0;
  for (const key of Object.keys(tree)) n += tree[key]!.length;
  return n;
}
