import { describe, expect, it } from 'vitest';
import { F, type Tensor, grad, nn, noGrad, tensor } from '../src/index.js';

describe('lecture "Neural Networks" (Piccoli): worked examples', () => {
  it('f = (x + y)·z at (−2, 5, −4): ∂f/∂x = −4, ∂f/∂y = −4, ∂f/∂z = 3', () => {
    const [x, y, z] = [-2, 5, -4].map((v) => tensor(v, { dtype: 'float64', requiresGrad: true })) as [Tensor, Tensor, Tensor];
    const f = x.add(y).mul(z);
    f.backward();
    expect(f.item()).toBe(-12);
    expect(x.grad!.item()).toBe(-4);
    expect(y.grad!.item()).toBe(-4);
    expect(z.grad!.item()).toBe(3);
  });

  // The slide prints ∂L/∂w5 = −18·o3 = −90 and then "w5 = −2 − 90·10⁻³ = −2.09": that drops the sign of its
  // own gradient. The GD rule w ← w − lr·∂L/∂w with ∂L/∂w5 = −90 gives −2 + 0.09 = −1.91, which is what we
  // assert; every printed gradient (−18, −90, 36, 72) and w1 = −0.072 match the slide as printed.
  it('the hand-made 2-2-1 ReLU network: o5 = −4, loss 81, printed gradients, one GD step (w1 = −0.072)', () => {
    // Weight table of the slide: hidden unit 1 has (w1, w2, b1) = (0, 2, 3), unit 2 (w3, w4, b2) = (−4, −1, 1),
    // output (w5, w6, b3) = (−2, 0, 6); x = (2, 1), y = 5, ReLU hidden units, squared error (o5 − y)².
    const hidden = new nn.Linear(2, 2, { dtype: 'float64' });
    const out = new nn.Linear(2, 1, { dtype: 'float64' });
    hidden.weight.data.set([0, 2, -4, -1]);
    hidden.bias!.data.set([3, 1]);
    out.weight.data.set([-2, 0]);
    out.bias!.data.set([6]);
    const net = new nn.Sequential(hidden, nn.ReLU(), out);
    const x = tensor([[2, 1]], { dtype: 'float64' });
    const o5 = net.forward(x);
    expect(o5.item()).toBe(-4);
    const loss = F.mse(o5, tensor([[5]], { dtype: 'float64' }), 'sum');
    const dLdo5 = grad((o: Tensor) => F.mse(o, tensor([[5]], { dtype: 'float64' }), 'sum'))(o5.detach());
    expect(dLdo5.item()).toBe(-18);
    expect(loss.item()).toBe(81);
    loss.backward();
    expect(out.weight.grad!.data[0]).toBe(-90);
    expect(Math.abs(out.weight.grad!.data[1]!)).toBe(0);
    expect(Array.from(hidden.weight.grad!.data.subarray(0, 2))).toEqual([72, 36]); // ∂L/∂w1 = ∂L/∂o1 · x1 = 36 · 2
    const lr = 1e-3;
    noGrad(() => {
      for (const p of Object.values(net.parameters())) p.data.set(p.sub(p.grad!.mul(lr)).data);
    });
    expect(out.weight.data[0]).toBeCloseTo(-1.91, 12); // the slide's sign slip prints −2.09
    expect(-2 + lr * -90).toBeCloseTo(-2.09, 12); // …which is w5 + lr·∂L/∂w5, the wrong sign
    expect(hidden.weight.data[0]).toBeCloseTo(-0.072, 12);
  });
});
