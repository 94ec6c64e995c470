import { apply, type Primitive } from '../autograd/primitive.js';
import { promote } from '../dtype.js';
import { stridedOffsets } from '../kernels/strided.js';
import { broadcastShapes, broadcastStrides, shapeEq } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { asTensor, empty, type TensorLike, unbroadcast } from './util.js';

/** where(c, a, b): a where c ≠ 0, else b (all three broadcast). The condition gets no gradient. */
const WHERE: Primitive = {
  name: 'where',
  forward(inputs) {
    const [c, a, b] = inputs;
    const out = empty(a!.dtype, broadcastShapes(broadcastShapes(c!.shape, a!.shape, 'where'), b!.shape, 'where'));
    WHERE.plan!(inputs, undefined, out)();
    return out;
  },
  plan([c, a, b], _attrs, out) {
    const { shape, data: od } = out;
    const oc = stridedOffsets(shape, broadcastStrides(c!.shape, shape));
    const oa = stridedOffsets(shape, broadcastStrides(a!.shape, shape));
    const ob = stridedOffsets(shape, broadcastStrides(b!.shape, shape));
    const cd = c!.data;
    const ad = a!.data;
    const bd = b!.data;
    return () => {
      for (let i = 0; i < od.length; i++) od[i] = cd[oc[i]!] !== 0 ? ad[oa[i]!]! : bd[ob[i]!]!;
    };
  },
  // The branch not taken gets an exact 0 (not g·0, which is NaN where g is ±∞), as in torch.
  vjp(g, [c, a, b]) {
    return [
      null,
      a!.requiresGrad ? unbroadcast(where(c!, g, 0), a!.shape) : null,
      b!.requiresGrad ? unbroadcast(where(c!, 0, g), b!.shape) : null,
    ];
  },
  jvp([, ta, tb], [c], out) {
    const t = where(c!, ta ?? 0, tb ?? 0);
    return shapeEq(t.shape, out.shape) ? t : t.expand(out.shape);
  },
};

/** Elementwise selection: `a` where `cond` is non-zero, `b` elsewhere (broadcasting). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const da = typeof a === 'number' ? undefined : a.dtype;
  const db = typeof b === 'number' ? undefined : b.dtype;
  const dtype = da && db ? promote(da, db) : (da ?? db ?? cond.dtype);
  let ta = asTensor(a, dtype, 'where');
  let tb = asTensor(b, dtype, 'where');
  if (ta.dtype !== dtype) ta = ta.cast(dtype);
  if (tb.dtype !== dtype) tb = tb.cast(dtype);
  return apply(WHERE, [cond, ta, tb], undefined);
}
