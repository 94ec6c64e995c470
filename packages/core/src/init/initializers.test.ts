import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import * as init from './initializers.js';

const facts = JSON.parse(readFileSync(new URL('../../test/fixtures/init.json', import.meta.url), 'utf8'));
const N = 100_000;
const shape = [N / 100, 100]; // 1e5 samples; the fans come from the fixture (300, 100)
const opts = (seed: number) => ({ rng: new Rng(seed), dtype: 'float64' as const, fanIn: facts.fan_in, fanOut: facts.fan_out });

function stats(d: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]!;
  const mean = s / d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / d.length) };
}

// Expected std: a normal's std, or a uniform's limit/√3.
const table: [string, init.Initializer, number][] = [
  ['glorotUniform', init.glorotUniform, facts.glorot_uniform_limit / Math.sqrt(3)],
  ['glorotNormal', init.glorotNormal, facts.glorot_normal_std],
  ['heUniform', init.heUniform, facts.he_uniform_limit / Math.sqrt(3)],
  ['heNormal', init.heNormal, facts.he_normal_std],
  ['lecunUniform', init.lecunUniform, facts.lecun_uniform_limit / Math.sqrt(3)],
  ['lecunNormal', init.lecunNormal, facts.lecun_normal_std],
  ['uniform(-2, 4)', init.uniform(-2, 4), 6 / Math.sqrt(12)],
  ['normal(1, 3)', init.normal(1, 3), 3],
];

describe('initialisers on 1e5 samples', () => {
  it.each(table)('%s: std within 2%% of its formula, mean within 2%% of a std', (name, f, std) => {
    const t = f(shape, opts(11));
    const s = stats(t.data);
    const mean = name === 'uniform(-2, 4)' ? 1 : name === 'normal(1, 3)' ? 1 : 0;
    expect(Math.abs(s.std - std) / std).toBeLessThan(0.02);
    expect(Math.abs(s.mean - mean)).toBeLessThan(0.02 * std);
  });

  it.each(table)('%s: the same seed gives the same numbers, another seed others', (_n, f) => {
    const a = f([50, 6], opts(5));
    const b = f([50, 6], opts(5));
    const c = f([50, 6], opts(6));
    const bytes = (t: typeof a) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(bytes(a).equals(bytes(c))).toBe(false);
  });

  it('uniform limits are respected', () => {
    const t = init.heUniform([100, 300], { rng: new Rng(1) });
    const lim = Math.sqrt(6 / 300);
    expect(Math.max(...t.data)).toBeLessThanOrEqual(lim);
    expect(Math.min(...t.data)).toBeGreaterThanOrEqual(-lim);
  });

  it('fans follow PyTorch: [out, in, k, k]', () => {
    expect(init.computeFans([8, 3, 5, 5])).toEqual({ fanIn: 75, fanOut: 200 });
    expect(init.computeFans([10, 4])).toEqual({ fanIn: 4, fanOut: 10 });
  });

  it('constants and bad arguments', () => {
    expect(Array.from(init.constant(0.5)([3]).data)).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(init.zeros([2]).data)).toEqual([0, 0]);
    expect(Array.from(init.ones([2]).data)).toEqual([1, 1]);
    expect(() => init.uniform(1, 0)).toThrow(/init.uniform: expected a < b, got a = 1, b = 0/);
    expect(() => init.normal(0, -1)).toThrow(/init.normal: std must be finite and ≥ 0, got -1/);
    expect(() => init.heNormal([2, 2], { dtype: 'int8' as unknown as 'float32' })).toThrow(/unknown dtype "int8"/);
  });
});
