import { describe, expect, it } from 'vitest';
import { compile, F, type DType, getBackend, randn, Rng, setBackend, type Tensor, tensor } from '../index.js';

const rand = (shape: number[], dtype: DType, seed: number): Tensor => randn(shape, { rng: new Rng(seed), dtype });
const bits = (t: Tensor): number[] => Array.from(t.data);

/** x·Wᵀ + b as the composed ops compute it (a transposed copy of W, then the product and the bias). */
const composed = (x: Tensor, w: Tensor, b: Tensor | null): Tensor => {
  const y = x.matmul(w.transpose());
  return b ? y.add(b) : y;
};

describe('F.linear', () => {
  it('gives the bits of x.matmul(W.T).add(b) on ragged shapes, both dtypes, with and without bias', () => {
    const rng = new Rng(5);
    for (const dtype of ['float32', 'float64'] as const) {
      for (let trial = 0; trial < 24; trial++) {
        const [m, n, k] = [1 + rng.int(70), 1 + rng.int(70), 1 + rng.int(300)];
        const x = rand([m, k], dtype, 10 + trial);
        const w = rand([n, k], dtype, 100 + trial);
        const b = trial % 3 === 0 ? null : rand([n], dtype, 1000 + trial);
        const y = F.linear(x, w, b);
        expect(y.shape).toEqual([m, n]);
        expect(y.dtype).toBe(dtype);
        expect(bits(y), `${dtype} ${m}×${n}×${k}`).toEqual(bits(composed(x, w, b)));
      }
    }
    // Leading axes are rows; a vector is one row.
    const w = rand([3, 4], 'float64', 1);
    const b = rand([3], 'float64', 2);
    const x3 = rand([2, 5, 4], 'float64', 3);
    expect(F.linear(x3, w, b).shape).toEqual([2, 5, 3]);
    expect(bits(F.linear(x3, w, b))).toEqual(bits(composed(x3, w, b)));
    const v = rand([4], 'float64', 4);
    expect(F.linear(v, w, b).shape).toEqual([3]);
    expect(bits(F.linear(v, w, b))).toEqual(bits(composed(v, w, b)));
    expect(F.linear(rand([0, 4], 'float64', 5), w, b).shape).toEqual([0, 3]);
  });

  it('gives the gradients of the composed ops: x, W and b, through a graph as nn.Linear builds it', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const leaf = (t: Tensor) => Object.assign(t, { requiresGrad: true });
      const [x1, w1, b1] = [leaf(rand([9, 37], dtype, 7)), leaf(rand([13, 37], dtype, 8)), leaf(rand([13], dtype, 9))];
      const [x2, w2, b2] = [leaf(rand([9, 37], dtype, 7)), leaf(rand([13, 37], dtype, 8)), leaf(rand([13], dtype, 9))];
      const g = rand([9, 13], dtype, 10);
      F.linear(x1, w1, b1).mul(g).sum().backward();
      composed(x2, w2, b2).mul(g).sum().backward();
      for (const t of [x1, w1, b1]) expect(t.grad!.data.some((v) => v !== 0)).toBe(true);
      expect(bits(x1.grad!)).toEqual(bits(x2.grad!));
      expect(bits(w1.grad!)).toEqual(bits(w2.grad!));
      expect(bits(b1.grad!)).toEqual(bits(b2.grad!));
    }
  });

  it('replays in a compiled function with new values in its inputs', () => {
    const w = rand([6, 5], 'float32', 1);
    const b = rand([6], 'float32', 2);
    const f = compile((x: Tensor) => F.linear(x, w, b));
    const x = rand([4, 5], 'float32', 3);
    f(x);
    x.data.set(rand([4, 5], 'float32', 4).data);
    w.data[0] = 7;
    const y = f(x);
    expect(bits(y)).toEqual(bits(composed(x, w, b)));
    expect(y.data[0]).not.toBe(composed(rand([4, 5], 'float32', 3), w, b).data[0]);
  });

  it('gives the same values for mixed dtypes (promoted) and on a backend without matmulNT, also when set after compiling', () => {
    const x = rand([3, 4], 'float64', 1);
    const w = rand([2, 4], 'float32', 2);
    expect(F.linear(x, w).dtype).toBe('float64');
    expect(bits(F.linear(x, w))).toEqual(bits(composed(x, w, null)));
    const w64 = rand([2, 4], 'float64', 3);
    const b64 = rand([2], 'float64', 4);
    const f = compile((t: Tensor) => F.linear(t, w64, b64));
    f(x);
    const { matmulNT: _dropped, ...rest } = getBackend();
    const prev = setBackend(rest);
    try {
      expect(bits(F.linear(x, w64, b64))).toEqual(bits(composed(x, w64, b64)));
      expect(bits(f(x))).toEqual(bits(composed(x, w64, b64)));
    } finally {
      setBackend(prev);
    }
  });

  it('rejects operands that do not fit, naming the shapes', () => {
    const w = rand([3, 4], 'float32', 1);
    expect(() => F.linear(rand([2, 5], 'float32', 2), w)).toThrow('linear: expected input with 4 features in the last axis (weight [3, 4]), got shape [2, 5]');
    expect(() => F.linear(rand([2, 4], 'float32', 2), rand([4], 'float32', 3))).toThrow('linear: weight must be [out, in], got shape [4]');
    expect(() => F.linear(rand([2, 4], 'float32', 2), w, rand([4], 'float32', 3))).toThrow('linear: bias must be [3] for weight [3, 4], got shape [4]');
    expect(() => F.linear(tensor(1), w)).toThrow(/linear: expected input with 4 features/);
  });
});

describe('relu as one primitive', () => {
  it('is 0 where x ≤ 0 (+0 for -0), x elsewhere, NaN for NaN; its gradient passes g where x > 0 or x is NaN', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor([-2, -0, 0, 0.5, Number.NaN, 3, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], { dtype, requiresGrad: true });
      const y = F.relu(x);
      expect(Array.from(y.data)).toEqual([0, 0, 0, 0.5, Number.NaN, 3, Number.POSITIVE_INFINITY, 0]);
      expect(Object.is(y.data[1], 0)).toBe(true);
      expect(bits(x.relu())).toEqual(bits(y));
      y.mul(tensor([1, 2, 3, 4, 5, 6, 7, 8], { dtype })).sum().backward();
      expect(Array.from(x.grad!.data)).toEqual([0, 0, 0, 4, 5, 6, 7, 0]);
    }
  });
});

describe('slice and narrow copy runs', () => {
  it('give every element of the box, and their gradients put g back in place, for random boxes', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 40; trial++) {
      const nd = 1 + rng.int(4);
      const full = Array.from({ length: nd }, () => 1 + rng.int(5));
      const starts = full.map((d) => rng.int(d));
      const ends = full.map((d, i) => starts[i]! + rng.int(d - starts[i]! + 1));
      const x = Object.assign(rand(full, 'float64', trial), { requiresGrad: true });
      const y = x.slice(starts, ends);
      // Reference: walk the box element by element.
      const strides = full.map((_, i) => full.slice(i + 1).reduce((a, d) => a * d, 1));
      const shape = ends.map((e, i) => e - starts[i]!);
      const want: number[] = [];
      const offsets: number[] = [];
      const walk = (d: number, off: number) => {
        if (d === nd) {
          want.push(x.data[off]!);
          offsets.push(off);
          return;
        }
        for (let i = starts[d]!; i < ends[d]!; i++) walk(d + 1, off + i * strides[d]!);
      };
      walk(0, 0);
      expect(y.shape, `${full} [${starts}:${ends}]`).toEqual(shape);
      expect(Array.from(y.data)).toEqual(want);
      const g = rand(shape, 'float64', 500 + trial);
      y.mul(g).sum().backward();
      const gx = new Array<number>(x.size).fill(0);
      offsets.forEach((o, i) => {
        gx[o] = g.data[i]!;
      });
      expect(Array.from(x.grad!.data)).toEqual(gx);
    }
  });
});
