import { apply, type Primitive, ZERO_DERIVATIVE } from '../autograd/primitive.js';
import { getBackend, type UnaryOp } from '../backend.js';
import type { Tensor } from '../tensor.js';
import { empty } from './util.js';
import { where } from './where.js';

type Rule = (g: Tensor, x: Tensor, out: Tensor) => Tensor;

/** d out / d x, built with differentiable ops; the vjp is g · d and the jvp is t · d ('zero': see ZERO_DERIVATIVE). */
const DERIVATIVE: Record<UnaryOp, Rule | 'zero'> = {
  neg: (g) => g.neg(),
  exp: (g, _x, y) => g.mul(y),
  log: (g, x) => g.div(x),
  log1p: (g, x) => g.div(x.add(1)),
  sqrt: (g, _x, y) => g.div(y.mul(2)),
  abs: (g, x) => g.mul(x.sign()),
  sign: 'zero',
  sin: (g, x) => g.mul(x.cos()),
  cos: (g, x) => g.mul(x.sin()).neg(),
  tanh: (g, _x, y) => g.mul(y.mul(y).neg().add(1)),
  sigmoid: (g, _x, y) => g.mul(y.mul(y.neg().add(1))),
  erf: (g, x) => g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI))),
  // relu'(0) = 0 as torch; at NaN the gradient passes (torch's threshold_backward).
  relu: (g, x) => where(x.le(0), 0, g),
};

const PRIMS = new Map<UnaryOp, Primitive>();

function primitive(op: UnaryOp): Primitive {
  let p = PRIMS.get(op);
  if (p) return p;
  const rule = DERIVATIVE[op];
  p = {
    name: op,
    forward([x]) {
      const out = empty(x!.dtype, x!.shape);
      getBackend().unary(op, x!.data, out.data, x!.size);
      return out;
    },
    plan([x], _attrs, out) {
      const xd = x!.data;
      const od = out.data;
      const n = x!.size;
      return () => getBackend().unary(op, xd, od, n);
    },
    ...(rule === 'zero'
      ? ZERO_DERIVATIVE
      : {
          vjp: (g: Tensor, [x]: Tensor[], out: Tensor) => [rule(g, x!, out)],
          jvp: ([t]: (Tensor | null)[], [x]: Tensor[], out: Tensor) => (t ? rule(t, x!, out) : null),
        }),
  };
  PRIMS.set(op, p);
  return p;
}

/** Applies a unary elementwise primitive (`neg exp log log1p sqrt abs sign sin cos tanh sigmoid erf relu`). */
export function unary(op: UnaryOp, x: Tensor): Tensor {
  return apply(primitive(op), [x], undefined);
}
