import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { THETA, maxRegions, paramCount, regionsAlongLine, reluNet, runRegions, singularValues } from '../src/regions.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-regions-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo regions (lecture 004)', async () => {
  const r = await runRegions({ out, log: () => {} });

  it("Θ's singular values are 2.16 and 0.74 (the lecture prints 2.17): their product is |det Θ|, their squares sum to ‖Θ‖²", () => {
    expect(r.sv[0]).toBeCloseTo(2.162, 3);
    expect(r.sv[1]).toBeCloseTo(0.744, 3);
    const [[a, b], [c, d]] = THETA as [[number, number], [number, number]];
    expect(r.sv[0]! * r.sv[1]!).toBeCloseTo(Math.abs(a * d - b * c), 12);
    expect(r.sv[0]! ** 2 + r.sv[1]! ** 2).toBeCloseTo(a * a + b * b + c * c + d * d, 12);
    expect(singularValues([[3, 0], [0, -2]])).toEqual([3, 2]);
  });

  it('5 layers of 10 units on one input: 471 parameters and at most 11^5 = 161,051 regions (printed 161,501)', () => {
    expect(paramCount(1, 10, 5)).toBe(471);
    expect(maxRegions(1, 10, 5)).toBe(11 ** 5);
    expect(paramCount(10, 50, 5)).toBe(10_801);
    expect(maxRegions(1, 3, 1)).toBe(4); // one layer of D units on a line: D + 1 pieces
  });

  it('random networks have linear regions along a line, far fewer than the bound; the count does not change with a finer grid', () => {
    for (const n of r.found) {
      expect(n).toBeGreaterThan(1);
      expect(n).toBeLessThan(161_051);
    }
    const net = reluNet(1, 10, 5, 0);
    expect(regionsAlongLine(net, -10, 10, 80_001)).toBe(r.found[0]);
    expect(r.regions2d).toBeGreaterThan(10);
  });

  it('writes the warping and the regions figures', () => {
    expect(r.figures.map((f) => f.slice(out.length + 1))).toEqual(['warping.svg', 'regions-2d.svg']);
    for (const f of r.figures) expect(existsSync(f)).toBe(true);
  });
});
