import { allocShared, type ArrayTree, dtypeOf } from '@actorgrad/core';

function check(fn: string, params: ArrayTree, updates: ArrayTree): void {
  const pk = Object.keys(params);
  const uk = Object.keys(updates);
  if (pk.length !== uk.length) {
    throw new Error(`${fn}: params have ${pk.length} entries but updates have ${uk.length}`);
  }
  for (const key of pk) {
    const u = updates[key];
    if (u === undefined) throw new Error(`${fn}: updates have no entry '${key}'`);
    if (u.length !== params[key]!.length) {
      throw new Error(`${fn}: updates['${key}'] has ${u.length} elements, params['${key}'] has ${params[key]!.length}`);
    }
  }
}

/** A new parameter tree `p + u` (fresh shared arrays with the params' dtypes); inputs unchanged. */
export function applyUpdates(params: ArrayTree, updates: ArrayTree): ArrayTree {
  check('applyUpdates', params, updates);
  const out: ArrayTree = {};
  for (const key of Object.keys(params)) {
    const p = params[key]!;
    const u = updates[key]!;
    const q = allocShared(dtypeOf(p), p.length);
    for (let i = 0; i < p.length; i++) q[i] = p[i]! + u[i]!;
    out[key] = q;
  }
  return out;
}

/** `p ← p + u` in place, leaf by leaf; returns `params`. */
export function applyUpdatesInPlace(params: ArrayTree, updates: ArrayTree): ArrayTree {
  check('applyUpdatesInPlace', params, updates);
  for (const key of Object.keys(params)) {
    const p = params[key]!;
    const u = updates[key]!;
    for (let i = 0; i < p.length; i++) p[i] = p[i]! + u[i]!;
  }
  return params;
}
