import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PHI, THETA, runUniversal } from '../src/universal.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-universal-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo universal (lectures 000, 004)', async () => {
  const r = await runUniversal({ out, log: () => {}, steps: 2000 });
  const s = r.shallow;

  it('the 1-3-1 network has its joints at −θ_d0/θ_d1 and 4 linear pieces on [0, 1]', () => {
    expect(s.joints).toEqual(THETA.map(([b, w]) => -b! / w!).sort((a, c) => a - c));
    expect(r.pieces).toBe(4);
  });

  it('its slope ∂y/∂x (autograd) is constant on each piece and jumps by φ_d·θ_d1 at the d-th joint', () => {
    const at = (x: number) => s.slope[Math.round(x * 200)]!;
    const edges = [0, ...s.joints, 1];
    for (let k = 0; k + 1 < edges.length; k++) {
      const mid = (edges[k]! + edges[k + 1]!) / 2;
      expect(at(mid)).toBeCloseTo(at(edges[k]! + 0.3 * (edges[k + 1]! - edges[k]!)), 12);
    }
    for (const [d, [b, w]] of THETA.entries()) {
      const j = -b! / w!;
      const jump = at(Math.min(1, j + 0.02)) - at(Math.max(0, j - 0.02));
      expect(Math.abs(jump)).toBeCloseTo(Math.abs(PHI[d + 1]! * w!), 12);
    }
  });

  it('the error of 1-D-1 networks falls as D grows', () => {
    for (let i = 1; i < r.widths.length; i++) expect(r.widths[i]!.mse).toBeLessThanOrEqual(r.widths[i - 1]!.mse * 1.001);
    expect(r.widths.at(-1)!.mse).toBeLessThan(r.widths[0]!.mse / 100);
  });

  it("RBF: the third step (fine-tuning) lowers the 2-step network's error more than 10×", () => {
    expect(r.rbf.twoStep).toBeLessThan(1e-3);
    expect(r.rbf.threeStep).toBeLessThan(r.rbf.twoStep / 10);
  });

  it('writes two figures', () => {
    expect(r.figures.map((f) => f.slice(out.length + 1))).toEqual(['shallow.svg', 'width.svg']);
    for (const f of r.figures) expect(existsSync(f)).toBe(true);
  });
});
