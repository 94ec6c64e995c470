/**
 * Issue 19: sweeps — the search (grid, seeded random), the checks of a sweep and of every trial it
 * expands to, and a sweep on one daemon's own queue (no Redis): the budget's maxConcurrent holds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SweepSpec, parseSweep, sweepPoints, sweepSchema, withField } from '../src/sweep/index.js';
import { type DaemonProcess, api, cli, isDone, startDaemon, tempHome } from './harness.js';
import { smallSpec } from './specs.js';

const spec = (s: unknown): SweepSpec => sweepSchema.parse(s);
const opts = { allowedDirs: ['/nonexistent'], baseDir: '/nonexistent' };

describe('the search', () => {
  it('a grid is the product of the values, first parameter slowest, ranges at `steps` points', () => {
    const s = spec({ base: {}, params: { a: [1, 2], b: { min: 0.001, max: 0.1, scale: 'log', steps: 3 }, c: { min: 1, max: 3, int: true, steps: 5 } } });
    const pts = sweepPoints(s);
    expect(pts).toHaveLength(2 * 3 * 3); // c's 5 points round to 1, 2, 2, 3, 3: 3 distinct.
    expect(pts.slice(0, 3).map((p) => [p.a, p.c])).toEqual([[1, 1], [1, 2], [1, 3]]);
    const bs = [...new Set(pts.map((p) => p.b as number))];
    expect(bs).toHaveLength(3);
    expect(bs[0]).toBeCloseTo(0.001, 15);
    expect(bs[1]).toBeCloseTo(0.01, 15);
    expect(bs[2]).toBeCloseTo(0.1, 15);
    expect(pts.at(-1)).toEqual({ a: 2, b: bs[2], c: 3 });
    expect(sweepPoints({ ...s, budget: { maxJobs: 4, maxConcurrent: 1 } })).toEqual(pts.slice(0, 4));
  });

  it('a random search draws `trials` points from its seed: the same seed the same points, in range', () => {
    const s = spec({ base: {}, params: { lr: { min: 1e-4, max: 1e-1, scale: 'log' }, units: { min: 8, max: 64, int: true }, act: ['relu', 'tanh'] }, search: { type: 'random', seed: 7, trials: 50 } });
    const a = sweepPoints(s);
    expect(a).toHaveLength(50);
    expect(sweepPoints(s)).toEqual(a);
    expect(sweepPoints({ ...s, search: { type: 'random', seed: 8, trials: 50 } })).not.toEqual(a);
    for (const p of a) {
      expect(p.lr as number).toBeGreaterThanOrEqual(1e-4);
      expect(p.lr as number).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(p.units)).toBe(true);
      expect(['relu', 'tanh']).toContain(p.act);
    }
    // Log scale: about half the draws below the geometric middle 10^-2.5.
    const below = a.filter((p) => (p.lr as number) < 10 ** -2.5).length;
    expect(below).toBeGreaterThan(12);
    expect(below).toBeLessThan(38);
    expect(new Set(a.map((p) => p.act)).size).toBe(2);
    expect(sweepPoints({ ...s, budget: { maxJobs: 5, maxConcurrent: 1 } })).toEqual(a.slice(0, 5));
  });

  it('sets dotted paths, array indices included, without touching the base', () => {
    const base = { model: { layers: [{ args: { outFeatures: 4 } }] }, epochs: 1 };
    const out = withField(base, 'model.layers.0.args.outFeatures', 32);
    expect(out).toEqual({ model: { layers: [{ args: { outFeatures: 32 } }] }, epochs: 1 });
    expect(base.model.layers[0]!.args.outFeatures).toBe(4);
    expect(withField({}, 'optimizer.options.lr', 0.1)).toEqual({ optimizer: { options: { lr: 0.1 } } });
  });
});

describe('the checks', () => {
  it('names every problem of the sweep: a grid range without steps, a log range through 0, max < min, an unknown key', () => {
    const r1 = parseSweep({ base: smallSpec('x'), params: { lr: { min: 0, max: 1, scale: 'log', steps: 2 }, b: { min: 2, max: 1, steps: 2 }, c: { min: 0, max: 1 } } }, opts);
    expect(r1.ok).toBe(false);
    const p1 = r1.ok ? [] : r1.problems;
    expect(p1.map((p) => p.path)).toEqual(['$.params.c.steps', '$.params.lr.min', '$.params.b.max']);
    expect([p1[1]!.expected, p1[1]!.found]).toEqual(['min > 0 (a log scale)', '0']);
    const r2 = parseSweep({ base: smallSpec('x'), params: { lr: [0.1] }, serch: {} }, opts);
    expect(r2.ok ? [] : r2.problems.map((p) => p.path)).toEqual(['$.serch']);
  });

  it("names each bad trial by its index and values, at the base's path", () => {
    const r = parseSweep({ base: smallSpec('x'), params: { 'optimizer.options.lr': [0.01, -1], batchSize: [16, 0] } }, opts);
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.problems.map((p) => p.path);
    expect(paths).toEqual([
      '$.base.batchSize (trial 1: {"optimizer.options.lr":0.01,"batchSize":0})',
      '$.base.optimizer.options.lr (trial 2: {"optimizer.options.lr":-1,"batchSize":16})',
      '$.base.batchSize (trial 3: {"optimizer.options.lr":-1,"batchSize":0})',
      '$.base.optimizer.options.lr (trial 3: {"optimizer.options.lr":-1,"batchSize":0})',
    ].sort((a, b) => Number(/trial (\d)/.exec(a)![1]) - Number(/trial (\d)/.exec(b)![1])));
  });

  it('gives every trial its own name and validated spec', () => {
    const r = parseSweep({ name: 'lrs', base: smallSpec('x'), params: { 'optimizer.options.lr': [0.01, 0.1] } }, opts);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.trials.map((t) => [t.spec.name, (t.spec.optimizer as { options: { lr: number } }).options.lr])).toEqual([['lrs-0', 0.01], ['lrs-1', 0.1]]);
  });
});

describe("a sweep on one daemon's own queue", () => {
  const { home, cleanup } = tempHome('actorgrad-sweep-');
  let d: DaemonProcess;
  beforeAll(async () => {
    d = await startDaemon(home, ['--concurrency', '2']);
  }, 120_000);
  afterAll(async () => {
    if (d.child.exitCode === null) await d.terminate();
    cleanup();
  });

  it('runs its trials at most maxConcurrent at a time, each once, and ranks them', async () => {
    const file = join(home, 'sweep.yaml');
    writeFileSync(file, JSON.stringify({ name: 'local', base: 'job.json', params: { 'optimizer.options.lr': [0.003, 0.01, 0.03] }, metric: { name: 'loss' }, budget: { maxConcurrent: 1 } }));
    writeFileSync(join(home, 'job.json'), JSON.stringify(smallSpec('x')));
    const out = cli(home, ['sweep', file]);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^s1 {2}\(3 trials/);
    type View = { trials: { id: string; state: string; metric: number | null }[] };
    let v: View;
    for (;;) {
      v = (await api<View>(d, 'GET', '/api/sweeps/s1')).body;
      if (v.trials.length === 3 && v.trials.every(isDone)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const jobs = await Promise.all(v.trials.map(async (t) => (await api<{ startedAt: number; finishedAt: number; attempts: number; state: string }>(d, 'GET', `/api/jobs/${t.id}`)).body));
    expect(jobs.map((j) => [j.state, j.attempts])).toEqual(Array(3).fill(['finished', 1]));
    // The daemon could run 2 at once; the sweep allows 1: no two trials overlap.
    const spans = jobs.map((j) => [j.startedAt, j.finishedAt] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    const m = v.trials.map((t) => t.metric!);
    expect(m).toEqual([...m].sort((a, b) => a - b));

    const bad = await api<{ problems: { path: string }[] }>(d, 'POST', '/api/sweeps', { sweep: { base: smallSpec('y'), params: { epochs: [0] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p) => p.path)).toEqual(['$.base.epochs (trial 0: {"epochs":0})']);
    expect((await api<unknown[]>(d, 'GET', '/api/sweeps')).body).toHaveLength(1);
  }, 300_000);
});

describe('a sweep trial stopped or removed before it ran', () => {
  const { home, cleanup } = tempHome('actorgrad-sweep-stop-');
  let d: DaemonProcess;
  beforeAll(async () => {
    d = await startDaemon(home); // One job at a time: the sweep's second trial waits in the queue.
  }, 120_000);
  afterAll(async () => {
    if (d.child.exitCode === null) await d.terminate();
    cleanup();
  });

  it('gives its place to the next trial', async () => {
    const sweep = { base: smallSpec('x'), params: { 'optimizer.options.lr': [0.003, 0.01, 0.03, 0.1, 0.3, 1] }, budget: { maxConcurrent: 2 } };
    const { body } = await api<{ id: string }>(d, 'POST', '/api/sweeps', { sweep });
    type View = { trials: { id: string; trial: number; state: string }[] };
    const view = async () => (await api<View>(d, 'GET', `/api/sweeps/${body.id}`)).body.trials;
    expect((await view()).map((t) => [t.trial, t.state]).sort()).toEqual([[0, expect.any(String)], [1, 'queued']]);
    expect((await api<{ state: string }>(d, 'POST', `/api/jobs/${body.id}-1/stop`)).body.state).toBe('stopped');
    expect((await view()).map((t) => t.trial).sort()).toEqual([0, 1, 3]);
    expect((await api(d, 'DELETE', `/api/jobs/${body.id}-3`)).status).toBe(200);
    const trials = (await view()).map((t) => t.trial).sort();
    expect(trials).toEqual([0, 1, 5]); // Trial i is followed by trial i + maxConcurrent: 3 is gone, 5 took its place.
    for (;;) {
      const v = await view();
      if (v.length === 5 && v.every(isDone)) {
        expect(v.map((t) => [t.trial, t.state]).sort()).toEqual([[0, 'finished'], [1, 'stopped'], [2, 'finished'], [4, 'finished'], [5, 'finished']]);
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 300_000);
});
