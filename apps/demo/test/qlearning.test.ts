import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runQLearning, step } from '../src/qlearning.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-qlearning-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo qlearning (lecture 004: a neural Q(x, u) and the TD loss)', async () => {
  const r = await runQLearning({ out, log: () => {} });

  it('the grid world: walls hold, the goal pays 1 and ends, a pit costs 1 and ends', () => {
    expect(step(0, 0)).toEqual({ next: 0, reward: -0.01, done: false }); // up from the top row stays
    expect(step(23, 3)).toEqual({ next: 24, reward: 1, done: true });
    expect(step(3, 1)).toEqual({ next: 8, reward: -1, done: true });
  });

  it('the greedy policy walks the 8-step shortest path in most seeds', () => {
    expect(r.solved).toBeGreaterThanOrEqual(3);
    for (const w of r.walks.filter((x) => x.reached)) expect(w.cells.at(-1)).toBe(24);
  });

  it('returns rise: the last 20 episodes earn more than the first 20, in every seed', () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const run of r.runs) expect(mean(run.returns.slice(-20))).toBeGreaterThan(mean(run.returns.slice(0, 20)) + 0.3);
  });

  it('writes the learning curves and the policy', () => {
    expect(r.figures.map((f) => f.slice(out.length + 1))).toEqual(['learning-curve.svg', 'policy.svg']);
    for (const f of r.figures) expect(existsSync(f)).toBe(true);
  });
});
