import { describe, expect, it } from 'vitest';
import { expectClose, run } from '../../test/helpers.js';
import { scaleByRadam } from './scale-by-radam.js';

describe('scaleByRadam', () => {
  const g = [1, -2, 0.5, 3, 1, 2, -1];
  const grads = g.map((x) => ({ w: [x] }));
  const { updates } = run(scaleByRadam(), grads);
  const rhoInf = 2 / 0.001 - 1;
  const rho = (t: number) => rhoInf - (2 * t * 0.999 ** t) / (1 - 0.999 ** t);

  it('takes the plain bias-corrected momentum step while ρₜ <= 5', () => {
    let m = 0;
    for (let t = 1; t <= g.length; t++) {
      m = 0.9 * m + 0.1 * g[t - 1]!;
      if (rho(t) <= 5) expectClose(updates[t - 1]!.w!, [m / (1 - 0.9 ** t)]);
    }
    expect(rho(5)).toBeLessThanOrEqual(5);
  });

  it('rectifies once ρₜ > 5', () => {
    const t = g.length;
    expect(rho(t)).toBeGreaterThan(5);
    let m = 0;
    let v = 0;
    for (const x of g) {
      m = 0.9 * m + 0.1 * x;
      v = 0.999 * v + 0.001 * x * x;
    }
    const r = rho(t);
    const rect = Math.sqrt(((r - 4) * (r - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * r));
    const adaptive = Math.sqrt(1 - 0.999 ** t) / (Math.sqrt(v) + 1e-8);
    expectClose(updates[t - 1]!.w!, [(m / (1 - 0.9 ** t)) * adaptive * rect]);
  });

  it('rejects bad hyper-parameters', () => {
    expect(() => scaleByRadam({ b2: Number.NaN })).toThrow('scaleByRadam: b2 must be in [0, 1), got NaN');
  });
});
