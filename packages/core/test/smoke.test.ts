import { describe, expect, it } from 'vitest';
const clean = (a: unknown) => JSON.parse(JSON.stringify(a));
import { type Tensor, tensor, grad, hessian, jvp, hvp, F, randn, Rng } from '../src/index.js';

describe('smoke', () => {
  it('(x + y)·z', () => {
    const x = tensor(-2, { requiresGrad: true, dtype: 'float64' });
    const y = tensor(5, { requiresGrad: true, dtype: 'float64' });
    const z = tensor(-4, { requiresGrad: true, dtype: 'float64' });
    const f = x.add(y).mul(z);
    f.backward();
    expect(f.item()).toBe(-12);
    expect([x.grad!.item(), y.grad!.item(), z.grad!.item()]).toEqual([-4, -4, 3]);
  });
  it('second derivative, jvp, hvp, hessian', () => {
    const x = tensor([1.5, -0.5], { dtype: 'float64' });
    const f = (t: Tensor) => t.mul(t).mul(t).sum();
    const g = grad(f)(x);
    expect(g.toArray()).toEqual([6.75, 0.75]);
    const gg = grad((t: Tensor) => grad(f)(t).sum())(x);
    expect(gg.toArray()).toEqual([9, -3]);
    const [, t] = jvp((u: Tensor) => u.mul(u), [x], [tensor([1, 2], { dtype: 'float64' })]);
    expect(t.toArray()).toEqual([3, -2]);
    expect(clean(hvp(f, x, tensor([1, 0], { dtype: 'float64' })).toArray())).toEqual([9, 0]);
    expect(clean(hessian(f)(x).toArray())).toEqual([[9, 0], [0, -3]]);
  });
  it('matmul + softmax + ce', () => {
    const rng = new Rng(1);
    const w = randn([3, 4], { rng, dtype: 'float64', requiresGrad: true });
    const xb = randn([5, 3], { rng, dtype: 'float64' });
    const loss = F.crossEntropy(xb.matmul(w), [0, 1, 2, 3, 0]);
    loss.backward();
    expect(w.grad!.shape).toEqual([3, 4]);
    expect(Number.isFinite(loss.item())).toBe(true);
    const s = F.softmax(tensor([[1, 2, 1000]], { dtype: 'float64' }));
    expect(s.toArray()).toEqual([[0, 0, 1]]);
  });
});
