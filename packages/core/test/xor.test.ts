import { describe, expect, it } from 'vitest';
import { F, Rng, nn, noGrad, tensor } from '../src/index.js';

describe('XOR with core alone', () => {
  it('Linear → tanh → Linear trained by plain gradient descent reaches loss < 0.01', () => {
    const rng = new Rng(3);
    const net = new nn.Sequential(new nn.Linear(2, 4, { rng }), nn.Tanh(), new nn.Linear(4, 1, { rng }));
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tensor([[0], [1], [1], [0]]);
    const params = Object.values(net.parameters());
    let loss = Number.POSITIVE_INFINITY;
    for (let step = 0; step < 2000 && loss >= 0.01; step++) {
      net.zeroGrad();
      const l = F.mse(net.forward(x), y);
      l.backward();
      loss = l.item();
      noGrad(() => {
        for (const p of params) p.data.set(p.sub(p.grad!.mul(0.5)).data);
      });
    }
    expect(loss).toBeLessThan(0.01);
    const pred = noGrad(() => net.forward(x)).toArray() as number[][];
    expect(pred.map(([v]) => (v! > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });
});
