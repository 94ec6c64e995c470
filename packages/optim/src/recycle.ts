import { allocShared, type DType, type FloatArray } from '@actorgrad/core';

/**
 * Reuse of dead arrays inside `Optimizer.step()`. Fresh shared memory is costly on first touch
 * (page faults), and a pure update allocates its whole new state every step. The Optimizer owns the
 * states it has replaced, so it hands their arrays (and the consumed updates) back through a pool
 * that the transformations draw from, but only while it runs them: the pure API never sees a
 * recycled array.
 *
 * @internal Shared with the runtime's engine, which allocates optimiser states through it; not part of the user-facing API.
 */
export class ArrayPool {
  /** Dead arrays by length, one map per dtype (number keys: no string built per call). */
  private readonly free32 = new Map<number, FloatArray[]>();
  private readonly free64 = new Map<number, FloatArray[]>();

  /** A dead array of this dtype and length, if one is available (its contents are stale). */
  take(dtype: DType, length: number): FloatArray | undefined {
    return (dtype === 'float64' ? this.free64 : this.free32).get(length)?.pop();
  }

  /** Hands back arrays nobody references any more. */
  give(arrays: Iterable<FloatArray>): void {
    for (const x of arrays) {
      const free = x instanceof Float64Array ? this.free64 : this.free32;
      const list = free.get(x.length);
      if (list) list.push(x);
      else free.set(x.length, [x]);
    }
  }
}

let active: ArrayPool | null = null;

/**
 * Runs `f` with `pool` as the source of the arrays that `allocArray` returns.
 *
 * @internal Shared with the runtime's engine, which allocates optimiser states through it; not part of the user-facing API.
 */
export function withPool<T>(pool: ArrayPool, f: () => T): T {
  const previous = active;
  active = pool;
  try {
    return f();
  } finally {
    active = previous;
  }
}

/**
 * A shared array of `length` elements whose contents are unspecified (zero when fresh, stale when
 * recycled): the caller writes every element.
 *
 * @internal Shared with the runtime's engine, which allocates optimiser states through it; not part of the user-facing API.
 */
export function allocArray(dtype: DType, length: number): FloatArray {
  return active?.take(dtype, length) ?? allocShared(dtype, length);
}

/**
 * Every typed array reachable from a plain-data value.
 *
 * @internal Shared with the runtime's engine, which allocates optimiser states through it; not part of the user-facing API.
 */
export function arraysIn(value: unknown, out: Set<FloatArray> = new Set()): Set<FloatArray> {
  walkArrays(value, out, true);
  return out;
}

/** Removes from `set` every typed array reachable from a plain-data value. @internal */
export function deleteArraysIn(value: unknown, set: Set<FloatArray>): void {
  walkArrays(value, set, false);
}

/** Adds (`add`) or deletes every typed array reachable from `value` to or from `set` (no closure: it runs every step). */
function walkArrays(value: unknown, set: Set<FloatArray>, add: boolean): void {
  if (value instanceof Float64Array || value instanceof Float32Array) {
    if (add) set.add(value);
    else set.delete(value);
  } else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) walkArrays(value[i], set, add);
  else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k in o) walkArrays(o[k], set, add);
  }
}
