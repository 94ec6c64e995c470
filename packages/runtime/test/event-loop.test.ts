import { Trainer, inline } from '@actorgrad/runtime';
import { describe, expect, it } from 'vitest';
import { batch, mlp } from './helpers.js';

/**
 * An inline step awaits only microtasks; `fit` must still let the event loop run between steps, or
 * timers, I/O (the live view's stream, a daemon's IPC) and process signals wait for the whole run.
 */
describe('an inline fit lets the event loop run', () => {
  const data = batch(1, 64, 20, 5);
  const options = { loss: 'crossEntropy' as const, optimizer: 'sgd' as const, batchSize: 2, placement: inline(), seed: 1, verbose: 0 as const };

  it('an abort from a timer stops it at a step boundary, long before its end', async () => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 30);
    const t0 = performance.now();
    const history = await new Trainer().fit(mlp(1), data, { ...options, epochs: 1000, signal: ac.signal });
    clearTimeout(timer);
    // 1 000 epochs of 32 steps take seconds; the timer's abort ends the run after a few epochs.
    expect(performance.now() - t0).toBeLessThan(60_000);
    expect(history.stopReason).toMatch(/abort/i);
    expect(history.metrics.loss?.length ?? 0).toBeLessThan(1000);
  }, 120_000);

  it('an interval timer fires while it trains', async () => {
    let ticks = 0;
    let stepsAtFirstTick = -1;
    let steps = 0;
    const timer = setInterval(() => {
      ticks++;
      if (stepsAtFirstTick < 0) stepsAtFirstTick = steps;
    }, 5);
    const counter = { name: 'count', onBatchEnd: () => void steps++ };
    await new Trainer().fit(mlp(1), data, { ...options, epochs: 40, callbacks: [counter] });
    clearInterval(timer);
    expect(steps).toBe(40 * 32);
    expect(ticks).toBeGreaterThan(0);
    expect(stepsAtFirstTick).toBeGreaterThan(0);
    expect(stepsAtFirstTick).toBeLessThan(steps);
  });
});
