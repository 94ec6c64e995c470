import { describe, expect, it } from 'vitest';
import { expectClose, run, tree } from '../../test/helpers.js';
import { scaleByAdam } from './scale-by-adam.js';

describe('scaleByAdam', () => {
  it('first step is g / (|g| + ε) after bias correction', () => {
    const { updates } = run(scaleByAdam(), [{ w: [3, -0.5] }]);
    expectClose(updates[0]!.w!, [3 / (3 + 1e-8), -0.5 / (0.5 + 1e-8)], 1e-15);
  });

  it('second step matches m̂ / (√v̂ + ε) with torch’s grouping', () => {
    const { updates, state } = run(scaleByAdam({ b1: 0.8, b2: 0.9 }), [{ w: [1] }, { w: [3] }]);
    const m = 0.8 * 0.2 + 0.2 * 3;
    const v = 0.9 * 0.1 + 0.1 * 9;
    expectClose(updates[1]!.w!, [m / (1 - 0.8 ** 2) / (Math.sqrt(v) / Math.sqrt(1 - 0.9 ** 2) + 1e-8)]);
    expect(state.count).toBe(2);
    expect(state.nuMax).toBeNull();
  });

  it('AMSGrad divides by the running maximum of v', () => {
    const { updates, state } = run(scaleByAdam({ amsgrad: true, b2: 0.5 }), [{ w: [4] }, { w: [0] }]);
    // v: 8 then 4; the maximum stays 8
    expect(Array.from(state.nuMax!.w!)).toEqual([8]);
    const m = 0.9 * 0.4;
    expectClose(updates[1]!.w!, [m / (1 - 0.81) / (Math.sqrt(8) / Math.sqrt(1 - 0.25) + 1e-8)]);
  });

  it('epsRoot and biasCorrection: u = m / (√(v + ε′) + ε) on the second step without correction', () => {
    const { updates } = run(scaleByAdam({ b1: 0.8, b2: 0.9, eps: 0, epsRoot: 0.5, biasCorrection: false }), [{ w: [1] }, { w: [3] }]);
    const m = 0.8 * 0.2 + 0.2 * 3;
    const v = 0.9 * 0.1 + 0.1 * 9;
    expectClose(updates[1]!.w!, [m / Math.sqrt(v + 0.5)]);
  });

  it('computes float32 leaves in float32, every operation rounded (as torch on float32 tensors), AMSGrad and epsRoot too', () => {
    // The reference rounds through a Float32Array slot: every intermediate is a float32 value.
    const slot = new Float32Array(1);
    const r = (x: number) => {
      slot[0] = x;
      return slot[0]!;
    };
    const n = 2000;
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed / 2147483647) * 2 - 1;
    };
    const grads = [0, 1, 2].map(() => Float32Array.from({ length: n }, () => rand() * 10 ** (3 * rand())));
    for (const opts of [{}, { amsgrad: true }, { epsRoot: 1e-6, b1: 0.8 }] as const) {
      const t = scaleByAdam(opts);
      let state = t.init({ w: new Float32Array(n) });
      const [b1, b2, eps, epsRoot] = [r(opts.b1 ?? 0.9), r(0.999), r(1e-8), r(opts.epsRoot ?? 0)];
      const [c1, c2] = [r(1 - (opts.b1 ?? 0.9)), r(1 - 0.999)];
      const m = new Float32Array(n);
      const v = new Float32Array(n);
      const w = new Float32Array(n);
      let differs = 0;
      for (let step = 1; step <= 3; step++) {
        const g = grads[step - 1]!;
        const [u, next] = t.update({ w: g }, state);
        const bc1 = r(1 - (opts.b1 ?? 0.9) ** step);
        const bc2Sqrt = r(Math.sqrt(1 - 0.999 ** step));
        const want = new Float32Array(n);
        const m64 = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const mi = r(r(b1 * m[i]!) + r(c1 * g[i]!));
          const vi = r(r(b2 * v[i]!) + r(r(c2 * g[i]!) * g[i]!));
          m64[i] = (opts.b1 ?? 0.9) * m[i]! + (1 - (opts.b1 ?? 0.9)) * g[i]!;
          const vHat = opts.amsgrad ? Math.max(w[i]!, vi) : vi;
          const root = epsRoot === 0 ? r(r(Math.sqrt(vHat)) / bc2Sqrt) : r(Math.sqrt(r(r(vHat / r(bc2Sqrt * bc2Sqrt)) + epsRoot)));
          want[i] = r(r(mi / bc1) / r(root + eps));
          m[i] = mi;
          v[i] = vi;
          w[i] = vHat;
        }
        expect(Buffer.from(new Float32Array(u.w!).buffer).equals(Buffer.from(want.buffer)), `${JSON.stringify(opts)}, step ${step}`).toBe(true);
        expect(Array.from(next.mu.w!)).toEqual(Array.from(m));
        // Not the float64 arithmetic rounded once at the end: some moments come out otherwise.
        differs += m.filter((x, i) => x !== Math.fround(m64[i]!)).length;
        state = next;
      }
      expect(differs, JSON.stringify(opts)).toBeGreaterThan(0);
    }
  });

  it('keeps float32 state for float32 parameters', () => {
    const t = scaleByAdam();
    const s = t.init(tree({ w: [0, 0] }, 'float32'));
    expect(s.mu.w).toBeInstanceOf(Float32Array);
  });

  it('rejects bad hyper-parameters', () => {
    expect(() => scaleByAdam({ b2: 1 })).toThrow('scaleByAdam: b2 must be in [0, 1), got 1');
    expect(() => scaleByAdam({ eps: -1e-8 })).toThrow('scaleByAdam: eps must be a finite number > 0, got -1e-8');
    expect(() => scaleByAdam({ eps: 0 })).toThrow('scaleByAdam: eps must be a finite number > 0, got 0');
    expect(() => scaleByAdam({ epsRoot: -1 })).toThrow('scaleByAdam: epsRoot must be a finite number >= 0, got -1');
    expect(() => scaleByAdam({ eps: -1, epsRoot: 1e-8 })).toThrow('scaleByAdam: eps must be a finite number >= 0, got -1');
    expect(() => scaleByAdam({ biasCorrection: 1 as never })).toThrow('scaleByAdam: biasCorrection must be a boolean, got 1');
  });
});
