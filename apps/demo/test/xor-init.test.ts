import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runXorInit, trainXor } from '../src/xor-init.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-xor-init-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("demo xor-init (lecture 000: 'does the starting point matter?')", async () => {
  const lines: string[] = [];
  const r = await runXorInit({ out, log: (l) => lines.push(l) });

  it('U(−10, 10) fails often (the lecture: 6/20), N(0, 1/√fan_in) rarely (the lecture: 0/20)', () => {
    expect(r.failures.uniform).toBeGreaterThanOrEqual(3);
    expect(r.failures.uniform).toBeLessThanOrEqual(10);
    expect(r.failures.lecun).toBeLessThanOrEqual(2);
    expect(r.failures.uniform).toBeGreaterThan(r.failures.lecun);
    expect(lines.join('\n')).toMatch(/failures, init U\(-10, 10\)\s+6\/20\s+\d+\/20/);
  });

  it('a solved run classifies all four points with a small loss; a failed run is stuck at a plateau', () => {
    const solved = r.runs.filter((x) => !x.failed);
    const failed = r.runs.filter((x) => x.failed);
    for (const s of solved) expect(s.losses.at(-1)!).toBeLessThan(0.05);
    for (const f of failed) expect(f.losses.at(-1)!).toBeGreaterThan(0.1);
  });

  it('a run is a deterministic function of its seed', () => {
    const again = trainXor('U(-10, 10)', 3, 200);
    expect(trainXor('U(-10, 10)', 3, 200).losses).toEqual(again.losses);
  });

  it('writes the loss curves and two decision maps', () => {
    expect(r.figures.map((f) => f.slice(out.length + 1))).toEqual(['losses.svg', 'decision-map-failed.svg', 'decision-map-solved.svg']);
    for (const f of r.figures) expect(existsSync(f)).toBe(true);
  });
});
