import { apply, type Primitive } from '../autograd/primitive.js';
import { getBackend } from '../backend.js';
import type { FloatArray } from '../dtype.js';
import { transpose2d } from '../kernels/transpose.js';
import { broadcastShapes, fmtShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { empty, operands, unbroadcast } from './util.js';

/** Batched product of [..., m, k] and [..., k, n]; a rank-2 operand is shared by every batch item. */
const MATMUL: Primitive = {
  name: 'matmul',
  forward([a, b]) {
    const m = a!.shape[a!.ndim - 2]!;
    const n = b!.shape[b!.ndim - 1]!;
    const out = empty(a!.dtype, [...(a!.ndim >= b!.ndim ? a! : b!).shape.slice(0, -2), m, n]);
    MATMUL.plan!([a!, b!], undefined, out)();
    return out;
  },
  plan([a, b], _attrs, out) {
    const m = a!.shape[a!.ndim - 2]!;
    const k = a!.shape[a!.ndim - 1]!;
    const n = b!.shape[b!.ndim - 1]!;
    const batch = sizeOf(out.shape.slice(0, -2));
    const { data: ad } = a!;
    const { data: bd } = b!;
    const od = out.data;
    const sa = a!.ndim === 2 ? 0 : m * k;
    const sb = b!.ndim === 2 ? 0 : k * n;
    return () => getBackend().matmul(batch, m, n, k, ad, sa, bd, sb, od);
  },
  vjp: (g, [a, b]) => [
    a!.requiresGrad ? unbroadcast(g.matmul(b!.transpose()), a!.shape) : null,
    b!.requiresGrad ? unbroadcast(a!.transpose().matmul(g), b!.shape) : null,
  ],
  jvp([ta, tb], [a, b]) {
    const da = ta ? ta.matmul(b!) : null;
    const db = tb ? a!.matmul(tb) : null;
    return da && db ? da.add(db) : (da ?? db);
  },
};

/**
 * Matrix product with NumPy/PyTorch semantics: 1-D operands are promoted to a row (left) or a
 * column (right) and the added axis is removed afterwards; batch axes broadcast.
 */
export function matmul(a0: Tensor, b0: Tensor): Tensor {
  let [a, b] = operands(a0, b0, 'matmul');
  if (a.ndim === 0 || b.ndim === 0) throw new RangeError('matmul: both operands must have at least one dimension');
  const vecA = a.ndim === 1;
  const vecB = b.ndim === 1;
  if (vecA) a = a.reshape([1, a.shape[0]!]);
  if (vecB) b = b.reshape([b.shape[0]!, 1]);
  const k = a.shape[a.ndim - 1]!;
  if (b.shape[b.ndim - 2] !== k) {
    throw new RangeError(`matmul: shapes ${fmtShape(a0.shape)} and ${fmtShape(b0.shape)} are not aligned (${k} vs ${b.shape[b.ndim - 2]})`);
  }
  if (a.ndim > 2 || b.ndim > 2) {
    // A rank-2 operand stays shared (stride 0); batched ones are broadcast to the common batch shape.
    let batch: number[];
    try {
      batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
    } catch {
      throw new RangeError(`matmul: shapes ${fmtShape(a0.shape)} and ${fmtShape(b0.shape)} have batch dimensions that cannot be broadcast together`);
    }
    if (a.ndim > 2) a = a.expand([...batch, ...a.shape.slice(-2)]);
    if (b.ndim > 2) b = b.expand([...batch, ...b.shape.slice(-2)]);
  }
  let out = apply(MATMUL, [a, b], undefined);
  if (vecA) out = out.squeeze(out.ndim - 2);
  if (vecB) out = out.squeeze(out.ndim - 1);
  return out;
}

/**
 * y = x · Wᵀ + b over the last axis of x ([..., in] → [..., out]), W [out, in]: one product with
 * W read transposed by the backend (`matmulNT`), no transposed copy of W, then the bias. The same
 * bits as `x.matmul(W.T).add(b)`; its gradients are g·W, gᵀ·x (x's leading axes flattened) and
 * the sum of g over them.
 */
const LINEAR: Primitive = {
  name: 'linear',
  forward(inputs) {
    const [x, w] = inputs;
    const out = empty(x!.dtype, [...x!.shape.slice(0, -1), w!.shape[0]!]);
    LINEAR.plan!(inputs, undefined, out)();
    return out;
  },
  plan([x, w, b], _attrs, out) {
    const [n, k] = w!.shape as [number, number];
    const m = sizeOf(x!.shape.slice(0, -1));
    const { data: xd } = x!;
    const { data: wd } = w!;
    const bd = b?.data;
    const od = out.data;
    return () => {
      productNT(m, n, k, xd, wd, od);
      if (bd) addRows(od, bd, m, n);
    };
  },
  vjp(g, [x, w, b]) {
    const [n, k] = w!.shape as [number, number];
    const m = sizeOf(x!.shape.slice(0, -1));
    return [
      x!.requiresGrad ? g.matmul(w!) : null,
      w!.requiresGrad ? g.reshape([m, n]).transpose().matmul(x!.reshape([m, k])) : null,
      b?.requiresGrad ? g.reshape([m, n]).sum(0) : null,
    ];
  },
  jvp([tx, tw, tb], [x, w], out) {
    const dx = tx ? tx.matmul(w!.transpose()) : null;
    const dw = tw ? x!.matmul(tw.transpose()) : null;
    const t = dx && dw ? dx.add(dw) : (dx ?? dw);
    if (!tb) return t;
    return t ? t.add(tb) : tb.expand(out.shape);
  },
};

/**
 * c = a · bᵀ (a [m, k], b [n, k]) on the backend: its `matmulNT`, or, for a backend without one
 * (set after the product was compiled), its `matmul` on a transposed copy of b.
 */
function productNT(m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): void {
  const backend = getBackend();
  if (backend.matmulNT) {
    backend.matmulNT(m, n, k, a, b, c);
    return;
  }
  const bt = new (b.constructor as new (length: number) => FloatArray)(k * n);
  transpose2d(b, 0, n, k, bt, 0);
  backend.matmul(1, m, n, k, a, 0, bt, 0, c);
}

/** c[i, j] += b[j] for each of the m rows of c [m, n]. */
function addRows(c: FloatArray, b: FloatArray, m: number, n: number): void {
  for (let i = 0, r = 0; i < m; i++, r += n) for (let j = 0; j < n; j++) c[r + j] = c[r + j]! + b[j]!;
}

/**
 * torch.nn.functional.linear: y = x · Wᵀ + b, x [..., in] (or [in]), weight [out, in], bias [out]
 * (optional) → [..., out]. Operands of different dtypes take `x.matmul(weight.T).add(bias)` (which
 * promotes them); a backend without `matmulNT` gets the product as `matmul` of a transposed copy.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2) throw new RangeError(`linear: weight must be [out, in], got shape ${fmtShape(weight.shape)}`);
  const [out, inF] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new RangeError(`linear: expected input with ${inF} features in the last axis (weight ${fmtShape(weight.shape)}), got shape ${fmtShape(x.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== out)) throw new RangeError(`linear: bias must be [${out}] for weight ${fmtShape(weight.shape)}, got shape ${fmtShape(bias.shape)}`);
  if (x.dtype !== weight.dtype || (bias && bias.dtype !== weight.dtype)) {
    const y = x.matmul(weight.transpose());
    return bias ? y.add(bias) : y;
  }
  return apply(LINEAR, bias ? [x, weight, bias] : [x, weight], undefined);
}
