import { type FloatArray, dtypeOf, kernels } from '@actorgrad/core';
import { allocArray } from '@actorgrad/optim';
import type { OptimizerConfig } from '../protocol.js';

/** The state of optim's `adam` alias without weight decay: chain(scaleByAdam, scaleByLearningRate). */
type AdamChainState = [{ count: number; mu: Record<string, FloatArray>; nu: Record<string, FloatArray>; nuMax: null }, { count: number }];

function isAdamChainState(s: unknown, key: string, length: number): s is AdamChainState {
  if (!Array.isArray(s) || s.length !== 2) return false;
  const [a, r] = s as [Record<string, unknown> | null, Record<string, unknown> | null];
  if (!a || !r || typeof a.count !== 'number' || typeof r.count !== 'number' || a.nuMax !== null) return false;
  const mu = a.mu as Record<string, FloatArray> | undefined;
  const nu = a.nu as Record<string, FloatArray> | undefined;
  if (!mu || !nu || Object.keys(mu).length !== 1 || Object.keys(nu).length !== 1) return false;
  return mu[key]?.length === length && nu[key]?.length === length;
}

/**
 * optim's `adam` (no weight decay, no AMSGrad) on one parameter, in one pass instead of four
 * (moments and update, learning rate, sum into the parameter, each through memory), with the same
 * arithmetic in the same order and dtype (float32 parameters in float32, as optim's `scaleByAdam`
 * computes them), so parameters and state come
 * out bit for bit as `optimizerStep`'s general path gives them (tested). Returns null when the
 * configuration or the state is not that (the caller then takes the general path). New moments come
 * from `allocArray`, i.e. from the pool of the enclosing `withPool`.
 *
 * The arithmetic, per element, as optim does it: `g ← g·scale` (a copy, when clipping),
 * `m = β₁m₀ + (1−β₁)g`, `v = β₂v₀ + (1−β₂)g²` (stored), `u = m / (1−β₁ᵗ) / (√v / √(1−β₂ᵗ) + ε)`
 * (stored), `u' = −η·u` (stored), `p ← p + u'` — core's `kernels.adamUpdate` (WebAssembly SIMD or
 * JavaScript, the same bits).
 */
export function fusedAdam(
  cfg: OptimizerConfig,
  lr: number,
  gradScale: number,
  key: string,
  param: FloatArray,
  grad: FloatArray,
  state: unknown,
): { next: AdamChainState; dead: FloatArray[] } | null {
  if (cfg.name !== 'adam') return null;
  const o = cfg.options;
  if ((o.weightDecay !== undefined && o.weightDecay !== 0) || o.amsgrad === true) return null;
  if (!isAdamChainState(state, key, param.length) || grad.length !== param.length) return null;
  const [adam, rate] = state;
  const m0 = adam.mu[key]!;
  const v0 = adam.nu[key]!;
  const f32 = param instanceof Float32Array && grad instanceof Float32Array && m0 instanceof Float32Array && v0 instanceof Float32Array;
  const f64 = param instanceof Float64Array && grad instanceof Float64Array && m0 instanceof Float64Array && v0 instanceof Float64Array;
  if (!f32 && !f64) return null;
  const [b1, b2] = (o.betas as [number, number] | undefined) ?? [0.9, 0.999];
  const eps = (o.eps as number | undefined) ?? 1e-8;
  const t = adam.count + 1;
  const m = allocArray(dtypeOf(m0), m0.length);
  const v = allocArray(dtypeOf(v0), v0.length);
  // Clipping scales a copy of the gradient first, as optim's input (`optimizerStep`'s general path).
  const g = gradScale === 1 ? grad : scaledCopy(grad, gradScale);
  kernels.adamUpdate(g, m0, v0, m, v, param, { b1, c1: 1 - b1, b2, c2: 1 - b2, bc1: 1 - b1 ** t, bc2Sqrt: Math.sqrt(1 - b2 ** t), eps, factor: -lr });
  return { next: [{ count: t, mu: { [key]: m }, nu: { [key]: v }, nuMax: null }, { count: rate.count + 1 }], dead: [m0, v0] };
}

/** `scale · g` into a new (unshared) array of g's dtype: the gradient an optimiser sees after clipping. */
export function scaledCopy(g: FloatArray, scale: number): FloatArray {
  const out = g instanceof Float64Array ? new Float64Array(g.length) : new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) out[i] = g[i]! * scale;
  return out;
}
