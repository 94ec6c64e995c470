import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@actorgrad/core';
import { RunStore } from '@actorgrad/viz-server';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMOS, listing, parseCli, runDemo } from '../src/demos.js';
import { liveSink, noLive } from '../src/live.js';
import { mlp, parameterCount } from '../src/mnist1d.js';
import { runRegression } from '../src/regression.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-live-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('pnpm demo: the command line', () => {
  it('parses a name, --viz and --full; refuses an unknown flag, demo or a second name', () => {
    expect(parseCli([])).toEqual({ name: undefined, viz: false, full: false });
    expect(parseCli(['mnist1d', '--full', '--viz'])).toEqual({ name: 'mnist1d', viz: true, full: true });
    expect(() => parseCli(['regression', '--fast'])).toThrow(/Unknown option '--fast'/);
    expect(() => parseCli(['nope'])).toThrow("demo: unknown demo 'nope'; available: ");
    expect(() => parseCli(['gabor', 'regions'])).toThrow('demo: expected one demo name, got 2: gabor regions');
  });

  it('the training demos stream through Live, mnist through the Trainer; --full exists only where the lecture is larger', () => {
    const live = Object.keys(DEMOS).filter((n) => DEMOS[n]!.viz === 'live');
    expect(live.sort()).toEqual(['gabor', 'mnist1d', 'polynomial', 'qlearning', 'regression', 'regularisation', 'schedules', 'universal', 'xor', 'xor-init']);
    expect(DEMOS.mnist!.viz).toBe('trainer');
    expect(Object.keys(DEMOS).filter((n) => DEMOS[n]!.full)).toEqual(['mnist1d']);
    expect(listing()).toMatch(/^ {2}mnist1d +lecture 004 \(Fig\. 20\.2\).*\[--full: /m);
  });
});

describe('--viz for the lecture demos: Live records into the live view store', () => {
  it('runDemo with a sink streams each of the demo’s runs: config, running, one step per iteration, finished', async () => {
    const store = new RunStore();
    await runDemo('regression', { sink: store, out: join(out, 'regression'), warn: () => {} });
    const runs = store.list();
    expect(runs.map((r) => r.name)).toEqual(['regression GD (α 0.005)', 'regression momentum (β 0.6)', 'regression Nesterov (β 0.8)', 'regression AdaGrad (lr 0.5)', 'regression RMSProp (lr 0.05)', 'regression Adam (lr 0.05)']);
    for (const info of runs) {
      expect(info.state).toBe('finished');
      const events = store.get(info.id)!.since(0);
      const types = events.map((r) => r.e.type);
      expect(types.slice(0, 2)).toEqual(['config', 'state']);
      expect(types.at(-1)).toBe('state');
      const steps = events.filter((r) => r.e.type === 'step').map((r) => r.e as { step: number; loss: number });
      expect(steps.length).toBeGreaterThan(100); // the store keeps a downsampled series of the 1000 steps
      expect(steps[0]!.step).toBe(1);
      expect(steps.at(-1)!.step).toBe(1000);
      expect(steps.at(-1)!.loss).toBeLessThan(steps[0]!.loss);
    }
  });

  it('the losses streamed are the losses the demo computes, and streaming does not change them', async () => {
    const store = new RunStore();
    const streamed = await runRegression({ out: join(out, 'r2'), log: () => {}, iterations: 50, live: liveSink(store) });
    const plain = await runRegression({ out: join(out, 'r3'), log: () => {}, iterations: 50, live: noLive });
    expect(streamed.runs.map((r) => r.losses)).toEqual(plain.runs.map((r) => r.losses));
    const gd = store.get(store.list()[0]!.id)!.since(0).filter((r) => r.e.type === 'step');
    expect(gd.map((r) => (r.e as { loss: number }).loss)).toEqual(streamed.runs[0]!.losses.slice(0, 50));
  });

  it('config carries the network (its layers and parameter count); a run that ends with a reason failed', () => {
    const store = new RunStore();
    const run = liveSink(store).run('two layers', { model: mlp(2, 5, new Rng(0)), optimizer: 'gd lr 0.1', epochs: 3 });
    run.step(1, 2.5, 0.1);
    run.epoch(0, 1, { accuracy: 0.5 });
    run.end('diverged');
    const rec = store.get(store.list()[0]!.id)!;
    expect(rec.config!.totalParams).toBe(parameterCount(2, 5));
    expect(rec.config!.layers.map((l) => l.type)).toEqual(['Linear', 'relu', 'Linear', 'relu', 'Linear']);
    expect(rec.since(0).map((r) => r.e.type)).toEqual(['config', 'state', 'step', 'epoch', 'state']);
    expect([rec.state, rec.reason]).toEqual(['failed', 'diverged']);
  });
});
