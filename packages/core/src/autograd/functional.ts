import { allocShared } from '../dtype.js';
import { effect } from './capture.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { gradients } from './engine.js';
import { enterForward, exitForward, isGradEnabled, withGrad } from './mode.js';

type Fn = (...args: Tensor[]) => Tensor;

/** A fresh leaf that shares `x`'s data, or `x` itself when an outer transform already tracks it. */
function track(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError('autodiff: every argument must be a Tensor');
  if (x.requiresGrad && isGradEnabled()) return x;
  const leaf = new Tensor(x.data, x.shape, true);
  // A forward-mode tangent rides along, so jvp(grad(f)) (forward-over-reverse) works.
  leaf._tangent = x._tangent;
  leaf._tangentLevel = x._tangentLevel;
  return leaf;
}

function checkScalar(y: Tensor, what: string): void {
  if (!(y instanceof Tensor)) throw new TypeError(`${what}: the function must return a Tensor`);
  if (y.size !== 1) throw new RangeError(`${what}: the function must return a scalar, got shape ${fmtShape(y.shape)}`);
}

function zerosOf(x: Tensor): Tensor {
  return new Tensor(allocShared(x.dtype, x.size), x.shape);
}

/**
 * The value of `f` and its gradients w.r.t. the arguments listed in `argnums` (default: the
 * first). The gradients are themselves differentiable, so `grad(grad(f))` works.
 */
export function valueAndGrad(f: Fn, argnums: number | number[] = 0) {
  const nums = typeof argnums === 'number' ? [argnums] : argnums;
  return (...args: Tensor[]): [Tensor, Tensor[]] =>
    withGrad(true, () => {
      const xs = args.map((a, i) => (nums.includes(i) ? track(a) : a));
      const y = f(...xs);
      checkScalar(y, 'grad');
      const seed = new Tensor(allocShared(y.dtype, 1).fill(1), y.shape);
      const g = y.requiresGrad ? gradients(y, seed, true) : new Map<Tensor, Tensor>();
      return [y, nums.map((i) => g.get(xs[i]!) ?? zerosOf(xs[i]!))];
    });
}

/** ∇f w.r.t. the first argument (or a list of gradients when `argnums` is an array). */
export function grad(f: Fn): (...args: Tensor[]) => Tensor;
export function grad(f: Fn, argnums: number[]): (...args: Tensor[]) => Tensor[];
export function grad(f: Fn, argnums: number | number[] = 0) {
  const vg = valueAndGrad(f, argnums);
  return (...args: Tensor[]) => {
    const [, gs] = vg(...args);
    return typeof argnums === 'number' ? gs[0]! : gs;
  };
}

/** Reverse mode: `[f(x…), v ↦ vᵀ·J]` — the outputs and a function pulling a cotangent back. */
export function vjp(f: Fn, ...primals: Tensor[]): [Tensor, (cotangent: Tensor) => Tensor[]] {
  const xs = primals.map(track);
  const y = withGrad(true, () => f(...xs));
  return [
    y,
    (v) =>
      withGrad(true, () => {
        const g = y.requiresGrad ? gradients(y, v, true) : new Map<Tensor, Tensor>();
        return xs.map((x) => g.get(x) ?? zerosOf(x));
      }),
  ];
}

/**
 * Forward mode: `[f(x), J·v]` for primals x and tangents v, carried through each primitive's
 * forward rule in one evaluation of f.
 */
export function jvp(f: Fn, primals: Tensor[], tangents: Tensor[]): [Tensor, Tensor] {
  if (primals.length !== tangents.length) {
    throw new RangeError(`jvp: ${primals.length} primals but ${tangents.length} tangents`);
  }
  if (new Set(primals).size !== primals.length) throw new RangeError('jvp: the same tensor is passed twice as a primal');
  primals.forEach((p, i) => {
    const t = tangents[i];
    if (!(p instanceof Tensor) || !(t instanceof Tensor)) throw new TypeError(`jvp: primal and tangent ${i} must be Tensors`);
    if (t.size !== p.size || t.shape.some((d, j) => d !== p.shape[j])) {
      throw new RangeError(`jvp: tangent ${i} has shape ${fmtShape(t.shape)} but primal has shape ${fmtShape(p.shape)}`);
    }
  });
  const level = enterForward();
  try {
    primals.forEach((p, i) => {
      p._tangent = tangents[i]!.cast(p.dtype);
      p._tangentLevel = level;
    });
    const y = f(...primals);
    const ty = y._tangentLevel === level && y._tangent ? y._tangent : zerosOf(y);
    y._tangent = null;
    y._tangentLevel = 0;
    return [y, ty];
  } finally {
    for (const p of primals) {
      p._tangent = null;
      p._tangentLevel = 0;
    }
    exitForward();
  }
}

/** Hessian-vector product H·v of a scalar f at x, as forward-over-reverse: jvp of ∇f along v. */
export function hvp(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor): Tensor {
  return jvp((y) => grad(f)(y), [x], [v])[1];
}

/** The Jacobian of f at x as a tensor of shape [...out, ...in], one reverse pass per output. */
export function jacobian(f: (x: Tensor) => Tensor) {
  return (x: Tensor): Tensor => {
    const [y, pull] = vjp(f, x);
    const out = new Tensor(allocShared(x.dtype, y.size * x.size), [...y.shape, ...x.shape]);
    for (let i = 0; i < y.size; i++) {
      const e = zerosOf(y);
      e.data[i] = 1;
      const row = pull(e)[0]!.data;
      // An effect, so a compiled function copies the row again on every call.
      effect(() => out.data.set(row, i * x.size));
    }
    return out;
  };
}

/** The Hessian of a scalar f at x, shape [...x.shape, ...x.shape] (for small inputs). */
export function hessian(f: (x: Tensor) => Tensor) {
  return jacobian((x) => grad(f)(x));
}
