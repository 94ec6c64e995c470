import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBackprop } from '../src/backprop.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-backprop-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo backprop: the lectures worked examples', async () => {
  const lines: string[] = [];
  const r = await runBackprop({ out, log: (l) => lines.push(l) });

  it("002's computational graph f = (x + y)z at (−2, 5, −4): −12 and gradients −4, −4, 3", () => {
    expect([r.graph.f, r.graph.dx, r.graph.dy, r.graph.dz]).toEqual([-12, -4, -4, 3]);
  });

  it("002's hand-made network: o = (5, −8, 5, 0, −4), loss 81, gradients −18 / −90 / 36 / 72, w₁ = −0.072", () => {
    const h = r.handMade;
    expect(h.o).toEqual([5, -8, 5, 0, -4]);
    expect(h.loss).toBe(81);
    expect([h.dLdo5, h.gW5, h.dLdo3, h.gW1]).toEqual([-18, -90, 36, 72]);
    expect(h.w1).toBeCloseTo(-0.072, 15);
  });

  it('w₅ after the step is −1.91 by the update rule (the lecture prints −2.09), and the table says why', () => {
    expect(r.handMade.w5).toBeCloseTo(-1.91, 15);
    expect(lines.join('\n')).toMatch(/-2\.09\s+-1\.91\s+the lecture's own rule gives -2 - 1e-3·\(-90\) = -1\.91/);
  });

  it("004's sin/exp/cos chain: autograd equals the lecture's formula and central differences", () => {
    expect(r.chain.autograd).toBeCloseTo(r.chain.formula, 14);
    expect(r.chain.finiteDifference).toBeCloseTo(r.chain.autograd, 8);
  });

  it("000's forward and reverse modes agree with each other and with the lecture's two formulas; reverse takes one pass", () => {
    const m = r.modes;
    for (let i = 0; i < m.n; i++) {
      expect(m.forward[i]).toBeCloseTo(m.reverse[i]!, 14);
      expect(m.forward[i]).toBeCloseTo(m.lectureForward[i]!, 14);
      expect(m.reverse[i]).toBeCloseTo(m.lectureReverse[i]!, 14);
    }
    expect(m.passes).toEqual({ forward: m.n, reverse: 1 });
  });

  it('writes its two figures as SVG and prints their paths', () => {
    expect(r.figures).toEqual([join(out, 'network-gradients.svg'), join(out, 'chain-derivative.svg')]);
    for (const f of r.figures) {
      expect(existsSync(f)).toBe(true);
      expect(readFileSync(f, 'utf8')).toMatch(/^<svg[^>]*>.*<path/s);
      expect(lines).toContain(`figure: ${f}`);
    }
  });
});
