import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@actorgrad/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DEPTHS, SIZES, epochsTo, mlp, parameterCount, randomLabels, runMnist1d } from '../src/mnist1d.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-mnist1d-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo mnist1d (lecture 004, Fig. 20.2): the networks', () => {
  it('1-4 hidden layers of 298, 100, 75, 63 units have 15,208, 15,210, 15,235 and 15,319 parameters (the lecture prints 15,139 for the last)', () => {
    const counted = DEPTHS.map((d) => Object.values(mlp(d.layers, d.units, new Rng(0)).parameters()).reduce((n, p) => n + p.size, 0));
    expect(counted).toEqual([15_208, 15_210, 15_235, 15_319]);
    expect(DEPTHS.map((d) => parameterCount(d.layers, d.units))).toEqual(counted);
    expect(DEPTHS.map((d) => d.lecture)).toEqual([15_208, 15_210, 15_235, 15_139]);
    // no width w gives a 4-hidden-layer 40-w-w-w-w-10 network with the printed count
    expect(Array.from({ length: 200 }, (_, w) => parameterCount(4, w + 1))).not.toContain(15_139);
  });

  it('He initialisation: weights of variance 2/fan_in, biases 0', () => {
    const net = mlp(2, 100, new Rng(3));
    const p = net.parameters();
    const w = Array.from(p['2.weight']!.data);
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance / (2 / 100)).toBeGreaterThan(0.95);
    expect(variance / (2 / 100)).toBeLessThan(1.05);
    expect(Array.from(p['0.bias']!.data).every((v) => v === 0)).toBe(true);
  });

  it("the data: MNIST-1D's first training examples, 40 points each, with labels drawn uniformly", () => {
    const d = randomLabels(4000);
    expect(d.x.shape).toEqual([4000, 40]);
    const counts = new Array(10).fill(0);
    for (const y of d.y.data) counts[y]++;
    for (const c of counts) expect(Math.abs(c - 400)).toBeLessThan(4 * Math.sqrt(400 * 0.9));
    expect(() => randomLabels(4001)).toThrow('mnist1d demo: at most 4000 examples, got 4001');
    expect(epochsTo([0.1, 0.5, 0.95, 1], 0.9)).toBe(2);
    expect(epochsTo([0.1, 0.5], 1)).toBeNull();
  });
});

describe('demo mnist1d: deeper networks memorise random labels in fewer epochs', async () => {
  const lines: string[] = [];
  const r = await runMnist1d({ out, log: (l) => lines.push(l) });

  it('runs at the default size, which --full replaces by the lecture’s', () => {
    expect(r.size).toEqual(SIZES.default);
    expect(SIZES.full).toMatchObject({ examples: 4000, lr: 0.0025 });
  });

  it('every network classifies every (randomly labelled) example right in the end', () => {
    for (const run of r.runs) {
      expect(run.memorised).not.toBeNull();
      expect(run.acc.at(-1)).toBe(1);
      expect(run.acc[0]).toBeLessThan(0.2); // chance is 0.1
    }
  });

  it('epochs to 90%: 1 hidden layer the most, then 2, then 3 and 4; to 100%: 1 > 2 > 3, and 4 < 1', () => {
    const [one, two, three, four] = r.runs.map((x) => ({ ninety: x.ninety!, all: x.memorised! }));
    expect(one!.ninety).toBeGreaterThan(two!.ninety);
    expect(two!.ninety).toBeGreaterThan(Math.max(three!.ninety, four!.ninety));
    expect(one!.all).toBeGreaterThan(two!.all);
    expect(two!.all).toBeGreaterThan(three!.all);
    expect(four!.all).toBeLessThan(one!.all);
  });

  it('prints both parameter counts and writes its figure', () => {
    expect(lines.join('\n')).toMatch(/4 hidden layers of 63: parameters +15,139 +15,319/);
    expect(lines.join('\n')).toContain("the lecture's 15,139 has the 3 and the 1 swapped");
    expect(r.figures.map((f) => f.slice(out.length + 1))).toEqual(['training-accuracy.svg']);
    expect(existsSync(r.figures[0]!)).toBe(true);
    expect(readFileSync(r.figures[0]!, 'utf8')).toContain('training accuracy (%)');
  });
});
