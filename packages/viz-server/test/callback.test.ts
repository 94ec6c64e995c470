import { Rng, nn } from '@actorgrad/core';
import type { EngineEvent, TrainContext } from '@actorgrad/runtime';
import { describe, expect, it } from 'vitest';
import { RunStore, vizCallback } from '../src/index.js';

/** A stand-in for `ctx.engine.events$`: the callback only subscribes to it. */
function fakeEvents() {
  let observer: { next: (e: EngineEvent) => void; complete: () => void } | null = null;
  return {
    events$: {
      subscribe(o: { next: (e: EngineEvent) => void; complete: () => void }) {
        observer = o;
        return {
          unsubscribe: () => {
            observer = null;
          },
        };
      },
    },
    emit: (e: EngineEvent) => observer?.next(e),
    complete: () => observer?.complete(),
    lastGradients: () => ({}),
  };
}

function fakeCtx(engine: ReturnType<typeof fakeEvents>, stopReason = 'completed'): TrainContext {
  const model = new nn.Sequential(new nn.Linear(3, 2, { rng: new Rng(0) }));
  return { model, engine, config: { loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 0.01 } }, epochs: 1, batchSize: 8 }, epoch: 0, step: 0, epochs: 1, stepsPerEpoch: 4, history: { stopReason } } as unknown as TrainContext;
}

describe('viz callback', () => {
  it('marks the run failed with the last error when the engine stream ends before onTrainEnd', async () => {
    const store = new RunStore();
    const engine = fakeEvents();
    const cb = vizCallback(store, { name: 'boom', optimizer: { name: 'adam' }, schedule: 'cosine' });
    await cb.onTrainBegin!(fakeCtx(engine));
    engine.emit({ type: 'error', step: 3, message: 'actor layer 0:Linear#0 crashed' });
    engine.complete();
    const run = store.get('boom')!;
    expect(run.info()).toMatchObject({ state: 'failed', reason: 'actor layer 0:Linear#0 crashed' });
    expect(run.config).toMatchObject({ optimizer: { name: 'adam' }, schedule: 'cosine', totalParams: 8, stepsPerEpoch: 4 });
  });

  it('ends finished on completion or early stopping, failed on a non-finite loss, and stops listening', async () => {
    const store = new RunStore();
    for (const [reason, state] of [['completed', 'finished'], ['early stopping', 'finished'], ['non-finite loss at step 12', 'failed']] as const) {
      const engine = fakeEvents();
      const cb = vizCallback(store, { name: reason });
      const ctx = fakeCtx(engine, reason);
      await cb.onTrainBegin!(ctx);
      await cb.onTrainEnd!(ctx);
      engine.emit({ type: 'warning', step: 1, message: 'after the end' });
      const run = store.list().at(-1)!;
      expect(run).toMatchObject({ state, reason });
      expect(store.get(run.id)!.since(0).some((r) => r.e.type === 'warning')).toBe(false);
    }
  });

  it('names the bad option', () => {
    expect(() => vizCallback(new RunStore(), { histogramEvery: -1 })).toThrow(/viz.callback: histogramEvery must be a non-negative integer, got -1/);
  });
});
