import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEDULES, bestStep, bound, runSchedules } from '../src/schedules.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-schedules-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo schedules (lectures 000, 003)', async () => {
  const r = await runSchedules({ out, log: () => {} });

  it('draws every schedule over 301 steps', () => {
    expect(r.curves.length).toBe(Object.keys(SCHEDULES).length * 301);
    expect(r.curves.find((c) => c.schedule === 'stepLR(100, 0.5)' && c.step === 150)!.lr).toBeCloseTo(0.05, 15);
  });

  it("003's bound R²/(2(k+1)h) + G²h/2 is smallest at h* = R/(G√(k+1)), where it is RG/√(k+1)", () => {
    for (const [R, G, k] of [
      [1, 1, 10],
      [2, 0.5, 100],
      [0.3, 4, 1000],
    ] as const) {
      const h = bestStep(R, G, k);
      expect(bound(R, G, k, h)).toBeCloseTo((R * G) / Math.sqrt(k + 1), 12);
      expect(bound(R, G, k, h * 1.01)).toBeGreaterThan(bound(R, G, k, h));
      expect(bound(R, G, k, h * 0.99)).toBeGreaterThan(bound(R, G, k, h));
    }
    r.ks.forEach((k, i) => expect(Math.abs(r.numericBest[i]!.h / bestStep(1, 1, k) - 1)).toBeLessThan(0.03));
  });

  it('SGD on y = x, 0.9x, 1.1x: a constant step keeps wandering around w* = 1, Robbins–Monro steps settle there', () => {
    expect(r.spread(r.constant)).toBeGreaterThan(0.05);
    expect(r.spread(r.robbinsMonro)).toBeLessThan(r.spread(r.constant) / 20);
    expect(Math.abs(r.robbinsMonro.at(-1)! - 1)).toBeLessThan(0.02);
    for (const w of r.constant.slice(-500)) expect(Math.abs(w - 1)).toBeLessThan(0.2);
  });

  it('writes three figures', () => {
    expect(r.figures.map((f) => f.slice(out.length + 1))).toEqual(['schedules.svg', 'tradeoff.svg', 'sgd-lines.svg']);
    for (const f of r.figures) expect(existsSync(f)).toBe(true);
  });
});
