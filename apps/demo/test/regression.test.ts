import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { METHODS, descend, leastSquares, regressionData, runRegression } from '../src/regression.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-regression-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo regression (lecture 000)', async () => {
  const lines: string[] = [];
  const r = await runRegression({ out, log: (l) => lines.push(l) });
  const dist = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);

  it("our data's least-squares fit is near the true (2, 3), and so are the lecture's end points", () => {
    expect(dist(r.fit, [2, 3])).toBeLessThan(0.1);
    for (const m of METHODS) if (m.lecture) expect(dist(m.lecture, r.fit)).toBeLessThan(0.1);
  });

  it('GD, momentum and Nesterov at α 0.005 reach the least-squares fit in 1000 iterations', () => {
    for (const run of r.runs.slice(0, 3)) expect(dist(run.end, r.fit), run.method.name).toBeLessThan(1e-6);
  });

  it('momentum gets there faster than plain GD, and the loss never rises for GD', () => {
    const [gd, mom] = r.runs;
    expect(mom!.losses[100]!).toBeLessThan(gd!.losses[100]!);
    for (let t = 1; t < gd!.losses.length; t++) expect(gd!.losses[t]!).toBeLessThanOrEqual(gd!.losses[t - 1]! + 1e-12);
  });

  it('z-scoring x makes GD converge faster (the raw vs z-scored panel)', () => {
    expect(r.scaled.losses[50]!).toBeLessThan(r.raw.losses[50]! / 2);
  });

  it('the closed-form fit is what GD converges to on other seeds too', () => {
    const d = regressionData(7);
    expect(dist(descend(METHODS[0]!, d.X, d.y).end, leastSquares(d.xs, d.ys))).toBeLessThan(1e-6);
  });

  it('prints the lecture numbers beside ours and writes three figures', () => {
    expect(lines.join('\n')).toMatch(/θ1000, GD \(α 0\.005\)\s+\(1\.9882, 2\.9975\)\s+\(\d\.\d{4}, \d\.\d{4}\)/);
    expect(r.figures.map((f) => f.slice(out.length + 1))).toEqual(['paths.svg', 'loss.svg', 'scaling.svg']);
    for (const f of r.figures) expect(existsSync(f)).toBe(true);
  });
});
