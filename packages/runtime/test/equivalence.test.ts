import { F, noGrad, type Tensor } from '@actorgrad/core';
import { Optimizer, clipByGlobalNorm, chain, sgd } from '@actorgrad/optim';
import { describe, expect, it } from 'vitest';
import { createEngine, dataParallel, inline } from '../src/index.js';
import { batch, mlp } from './helpers.js';

/** ‖a − b‖ / ‖b‖ over a whole tensor (elementwise relative error is meaningless where entries cancel to ~0). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    n += b[i]! ** 2;
  }
  return Math.sqrt(d / n);
}

describe('one sharded step equals one whole-batch step computed by core and optim alone', () => {
  it.each([
    ['inline, 3 shards', inline({ shards: 3 })],
    ['dataParallel, 2 replicas, 4 shards', dataParallel({ replicas: 2, shards: 4, threads: 2 })],
  ])('%s: gradients and clipped SGD step within 1e-6 relative (float32)', async (_name, placement) => {
    const b = batch(5, 30, 20, 5);
    // Reference: whole batch, core autograd + optim's clipByGlobalNorm then SGD.
    const ref = mlp(3, [20, 32, 16, 5], 0);
    const maxNorm = 0.1;
    const opt = new Optimizer(ref.parameters(), chain(clipByGlobalNorm(maxNorm), sgd({ lr: 0.1 })));
    const loss = F.crossEntropy(ref.forward(b.x), b.y);
    loss.backward();
    const refGrads = Object.fromEntries(ref.namedParameters().map(([k, p]) => [k, Float32Array.from((p.grad as Tensor).data)]));
    let sq = 0;
    for (const g of Object.values(refGrads)) for (const v of g) sq += v * v;
    expect(Math.sqrt(sq)).toBeGreaterThan(maxNorm); // so clipping really acts
    opt.step();

    const model = mlp(3, [20, 32, 16, 5], 0);
    const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: { name: 'sgd', options: { lr: 0.1 } }, placement, clipNorm: maxNorm });
    try {
      const r = await engine.step(b);
      expect(Math.abs(r.loss - loss.item()) / loss.item()).toBeLessThan(1e-6);
      expect(Math.abs(r.gradNorm - Math.sqrt(sq)) / Math.sqrt(sq)).toBeLessThan(1e-6);
      const got = engine.lastGradients();
      for (const [k, g] of Object.entries(refGrads)) expect(relErr(got[k]!, g), k).toBeLessThan(1e-6);
      const refParams = Object.fromEntries(ref.namedParameters());
      for (const [k, p] of model.namedParameters()) expect(relErr(p.data, refParams[k]!.data), k).toBeLessThan(1e-6);
    } finally {
      await engine.close();
    }
    // And the step changed something.
    const untouched = mlp(3, [20, 32, 16, 5], 0);
    expect(relErr(noGrad(() => model.forward(b.x)).data, noGrad(() => untouched.forward(b.x)).data)).toBeGreaterThan(1e-3);
  });
});
