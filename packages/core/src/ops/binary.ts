import { apply, type Primitive, ZERO_DERIVATIVE } from '../autograd/primitive.js';
import { type BinaryOp, getBackend } from '../backend.js';
import { broadcastShapes, broadcastStrides, shapeEq } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { empty, operands, type TensorLike, unbroadcast } from './util.js';
import { where } from './where.js';

type Pair = [Tensor | null, Tensor | null];
type DiffOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';

/** Partial derivatives ∂out/∂a · g and ∂out/∂b · g, before un-broadcasting. */
const RULES: Record<DiffOp, (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => Pair> = {
  add: (g) => [g, g],
  sub: (g) => [g, g.neg()],
  mul: (g, a, b) => [g.mul(b), g.mul(a)],
  div: (g, a, b, out) => [g.div(b), g.mul(out).div(b).neg()],
  // d(aᵇ)/da = b·aᵇ⁻¹; d(aᵇ)/db = aᵇ·ln a (only formed when b needs it: ln a is NaN for a < 0).
  // As torch: d/da is 0 where b = 0 (not 0·0⁻¹ = NaN at a = 0), d/db is 0 where a = 0 and b ≥ 0.
  pow: (g, a, b, out) => [
    a.requiresGrad || a._tangent ? where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))) : null,
    b.requiresGrad || b._tangent ? where(a.eq(0).mul(b.ge(0)), 0, g.mul(out).mul(a.log())) : null,
  ],
  // Ties split the gradient equally, as torch.maximum / torch.minimum do; the losing side gets an
  // exact 0 (selected with where, so an infinite g does not become 0·∞ = NaN). Where a NaN makes
  // every comparison false, nobody loses and both sides get g (as torch), so NaN is not masked.
  maximum: (g, a, b) => extremumRule(g, a.gt(b), a.lt(b), a.eq(b)),
  minimum: (g, a, b) => extremumRule(g, a.lt(b), a.gt(b), a.eq(b)),
};

/** 0 to the losing side, g/2 to each side at ties, g otherwise (the winner, and both sides at a NaN). */
function extremumRule(g: Tensor, aWins: Tensor, bWins: Tensor, tie: Tensor): Pair {
  const half = g.mul(0.5);
  return [where(bWins, 0, where(tie, half, g)), where(aWins, 0, where(tie, half, g))];
}

const PRIMS = new Map<BinaryOp, Primitive>();

function primitive(op: BinaryOp): Primitive {
  let p = PRIMS.get(op);
  if (p) return p;
  const rule = (RULES as Partial<typeof RULES>)[op as DiffOp];
  p = {
    name: op,
    forward([a, b]) {
      const shape = broadcastShapes(a!.shape, b!.shape, op);
      const out = empty(a!.dtype, shape);
      getBackend().binary(op, a!.data, b!.data, out.data, shape, broadcastStrides(a!.shape, shape), broadcastStrides(b!.shape, shape));
      return out;
    },
    plan([a, b], _attrs, out) {
      const { data: ad, shape: as } = a!;
      const { data: bd, shape: bs } = b!;
      const { data: od, shape } = out;
      const sa = broadcastStrides(as, shape);
      const sb = broadcastStrides(bs, shape);
      return () => getBackend().binary(op, ad, bd, od, shape, sa, sb);
    },
    // The comparisons are step functions of their operands (0/1 floats): zero derivative.
    ...(rule ? differentiable(rule) : ZERO_DERIVATIVE),
  };
  PRIMS.set(op, p);
  return p;
}

/** The vjp and jvp of a differentiable binary op from its partial-derivative rule. */
function differentiable(rule: (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => Pair): Pick<Primitive, 'vjp' | 'jvp'> {
  return {
    vjp(g: Tensor, [a, b]: Tensor[], out: Tensor) {
      const [ga, gb] = rule(g, a!, b!, out);
      return [ga && a!.requiresGrad ? unbroadcast(ga, a!.shape) : null, gb && b!.requiresGrad ? unbroadcast(gb, b!.shape) : null];
    },
    jvp([ta, tb]: (Tensor | null)[], [a, b]: Tensor[], out: Tensor) {
      const da = ta ? rule(ta, a!, b!, out)[0] : null;
      const db = tb ? rule(tb, a!, b!, out)[1] : null;
      const t = da && db ? da.add(db) : (da ?? db);
      return t && !shapeEq(t.shape, out.shape) ? t.expand(out.shape) : t;
    },
  };
}

/** Applies a broadcasting binary primitive; numbers adopt the tensor's dtype. */
export function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands(a, b, op);
  return apply(primitive(op), [ta, tb], undefined);
}
