/** Small dense-vector helpers over Float64Array (internal). */
import type { Evaluation, Objective } from './types.js';

/** `aᵀb`. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** `‖a‖∞`. */
export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** `‖a‖₁`. */
export function sumAbs(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]);
  return s;
}

/** A new array `x + t·d`. */
export function addScaled(x: Float64Array, t: number, d: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + t * d[i];
  return out;
}

/** A new array `a − b`. */
export function sub(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** A new array `s·a`. */
export function scale(a: Float64Array, s: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = s * a[i];
  return out;
}

/** Evaluate `f` at `x`, checking the gradient's length and copying it (objectives may reuse buffers). */
export function evaluate(f: Objective, x: Float64Array): Evaluation {
  const { loss, grad } = f(x);
  if (grad.length !== x.length) {
    throw new RangeError(`objective: grad has length ${grad.length}, expected ${x.length} (the length of x)`);
  }
  return { loss, grad: Float64Array.from(grad) };
}
