import { allocShared } from '../dtype.js';
import { assertNotCapturing } from './capture.js';
import { Tensor } from '../tensor.js';
import { gradients } from './engine.js';
import { noGrad } from './mode.js';

export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic − numeric| / max(1, |numeric|) over every input element. */
  maxError: number;
  /** The worst element, as `input i, element j`. */
  worst: string;
  analytic: Float64Array[];
  numeric: Float64Array[];
}

/**
 * Compares reverse-mode gradients of Σ f(inputs)·w (w fixed random-free weights 1, 2, 3…) with
 * central differences (f(x + h) − f(x − h)) / 2h. Inputs must be float64.
 */
export function gradcheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  { eps = 1e-6, tol = 1e-6 }: { eps?: number; tol?: number } = {},
): GradcheckResult {
  assertNotCapturing('gradcheck');
  for (const [i, x] of inputs.entries()) {
    if (x.dtype !== 'float64') throw new TypeError(`gradcheck: input ${i} is ${x.dtype}; gradcheck needs float64`);
  }
  const leaves = inputs.map((x) => new Tensor(x.data, x.shape, true));
  const scalarOf = (y: Tensor): number => {
    let s = 0;
    for (let k = 0; k < y.size; k++) s += y.data[k]! * (1 + (k % 7) * 0.25);
    return s;
  };
  const y = f(...leaves);
  const w = new Tensor(allocShared(y.dtype, y.size), y.shape);
  for (let k = 0; k < y.size; k++) w.data[k] = 1 + (k % 7) * 0.25;
  const g = y.requiresGrad ? gradients(y, w, false) : new Map<Tensor, Tensor>();
  const analytic = leaves.map((x) => Float64Array.from(g.get(x)?.data ?? new Float64Array(x.size)));
  const numeric = leaves.map((x) => {
    const out = new Float64Array(x.size);
    noGrad(() => {
      for (let j = 0; j < x.size; j++) {
        const v = x.data[j]!;
        x.data[j] = v + eps;
        const fp = scalarOf(f(...leaves));
        x.data[j] = v - eps;
        const fm = scalarOf(f(...leaves));
        x.data[j] = v;
        out[j] = (fp - fm) / (2 * eps);
      }
    });
    return out;
  });
  let maxError = 0;
  let worst = '';
  analytic.forEach((a, i) =>
    a.forEach((v, j) => {
      const n = numeric[i]![j]!;
      const e = Math.abs(v - n) / Math.max(1, Math.abs(n));
      if (!(e <= maxError)) {
        maxError = e;
        worst = `input ${i}, element ${j}: analytic ${v}, numeric ${n}`;
      }
    }),
  );
  return { ok: maxError <= tol, maxError, worst, analytic, numeric };
}
