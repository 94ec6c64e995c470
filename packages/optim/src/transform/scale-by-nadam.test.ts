import { describe, expect, it } from 'vitest';
import { expectClose, run } from '../../test/helpers.js';
import { scaleByNadam } from './scale-by-nadam.js';

const mu = (t: number) => 0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3));

function expected(g: number[], torch113: boolean): number[] {
  let m = 0;
  let v = 0;
  let prod = 1;
  return g.map((gi, i) => {
    const t = i + 1;
    m = 0.9 * m + 0.1 * gi;
    v = 0.999 * v + 0.001 * gi * gi;
    prod *= mu(t);
    const s = Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8;
    const next = torch113 ? prod * mu(t) * mu(t + 1) : prod * mu(t + 1);
    return ((1 - mu(t)) / (1 - prod)) * (gi / s) + (mu(t + 1) / (1 - next)) * (m / s);
  });
}

describe('scaleByNadam', () => {
  const g = [1, -2, 0.5];
  const grads = g.map((x) => ({ w: [x] }));

  it('follows PyTorch 1.13 by default (μₜ counted twice in the second denominator)', () => {
    const { updates, state } = run(scaleByNadam(), grads);
    expectClose(
      updates.map((u) => u.w![0]!),
      expected(g, true),
    );
    expectClose([state.muProduct], [mu(1) * mu(2) * mu(3)]);
  });

  it('follows the paper and torch >= 2.0 with torch113: false', () => {
    const { updates } = run(scaleByNadam({ torch113: false }), grads);
    expectClose(
      updates.map((u) => u.w![0]!),
      expected(g, false),
    );
    expect(updates[0]!.w![0]).not.toBe(expected(g, true)[0]);
  });

  it('rejects a negative momentum decay', () => {
    expect(() => scaleByNadam({ momentumDecay: -1 })).toThrow(
      'scaleByNadam: momentumDecay must be a finite number >= 0, got -1',
    );
  });
});
