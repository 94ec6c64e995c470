import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRUE_W, runPolynomial } from '../src/polynomial.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-polynomial-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo polynomial (lecture 002: model fitting)', async () => {
  const r = await runPolynomial({ out, log: () => {}, iterations: 5000 });
  const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

  it('the least-squares cubic of the data is near the cubic that made it', () => {
    expect(maxDiff(r.leastSquares, TRUE_W)).toBeLessThan(0.25);
  });

  it("every one of the lecture's four starts reaches the same least-squares cubic at lr 7.5e-4", () => {
    for (const f of r.fits) expect(maxDiff(f.w, r.leastSquares), JSON.stringify(f.w0)).toBeLessThan(1e-6);
  });

  it('at lr 2e-5 the same descent is far slower', () => {
    const [slow, fast] = r.rates;
    expect(slow!.losses[1000]!).toBeGreaterThan(10 * fast!.losses[1000]!);
    expect(slow!.losses.at(-1)!).toBeLessThan(slow!.losses[0]!);
  });

  it('writes two figures', () => {
    expect(r.figures.map((f) => f.slice(out.length + 1))).toEqual(['initialisations.svg', 'learning-rates.svg']);
    for (const f of r.figures) expect(existsSync(f)).toBe(true);
  });
});
