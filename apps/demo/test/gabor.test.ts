import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PHI_STAR, runGabor } from '../src/gabor.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-gabor-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo gabor (lecture 004: the non-convex Gabor model)', async () => {
  const r = await runGabor({ out, log: () => {} });
  const of = (o: string) => r.runs.filter((x) => x.outcome === o);

  it('GD from the right valley reaches the global minimum, at φ* and at the noise level (30 points of N(0, 0.1²): ≈ 0.3)', () => {
    expect(of('global minimum').length).toBeGreaterThan(0);
    for (const g of of('global minimum')) {
      expect(Math.abs(g.end[0]! - PHI_STAR[0]!)).toBeLessThan(0.2);
      expect(Math.abs(g.end[1]! - PHI_STAR[1]!)).toBeLessThan(1); // The valley is long in φ1.
    }
    expect(r.best).toBeGreaterThan(0.1);
    expect(r.best).toBeLessThan(0.6);
  });

  it('from elsewhere GD ends in local minima, higher than the global one, and sometimes near a saddle', () => {
    expect(of('local minimum').length).toBeGreaterThan(0);
    for (const l of of('local minimum')) expect(l.loss).toBeGreaterThan(1.5 * r.best);
    expect(of('saddle point').length + of('local minimum').length + of('global minimum').length).toBe(r.runs.length);
  });

  it("SGD's noise gets some runs out of a local minimum GD could not leave", () => {
    expect(r.sgdRuns.length).toBe(2 * of('local minimum').length);
    expect(r.escaped).toBeGreaterThan(0);
  });

  it('writes the loss surface with the paths', () => {
    expect(r.figures.map((f) => f.slice(out.length + 1))).toEqual(['loss-surface.svg']);
    expect(existsSync(r.figures[0]!)).toBe(true);
  });
});
