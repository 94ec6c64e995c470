import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { FakePool, stepMsg } from '../../test/fake-executor.js';
import { optimizerStep } from './optimizer-step.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('optimizerStep', () => {
  it("runs every layer's step at once with the clipping scale and emits the input when all are done", () => {
    const calls: [number, number][] = [];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      // Each stage replies and completes, as an actor does.
      const stages = [cold('--(r|)'), cold('----(r|)'), cold('---(r|)')];
      const x = { scale: 0.5, norm: 4 };
      const step = optimizerStep<typeof x>([0, 1, 2], (l, scale) => {
        calls.push([l, scale]);
        return stages[l]!;
      });
      expectObservable(cold('-(x|)', { x }).pipe(step)).toBe('-----(x|)', { x });
      expectSubscriptions(stages[0]!.subscriptions).toBe('-^-!');
      expectSubscriptions(stages[1]!.subscriptions).toBe('-^---!');
      expectSubscriptions(stages[2]!.subscriptions).toBe('-^--!');
    });
    expect(calls).toEqual([
      [0, 0.5],
      [1, 0.5],
      [2, 0.5],
    ]);
  });

  it('waits for completion: a stage that replies early but completes late holds the step', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const x = { scale: 1 };
      expectObservable(cold('(x|)', { x }).pipe(optimizerStep<typeof x>([0, 1], (l) => (l === 0 ? cold('-r--|') : cold('-(r|)'))))).toBe('----(x|)', { x });
    });
  });

  it('counts a stage that completes without a value as done (and does not cancel the others)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const x = { scale: 1 };
      const stages = [cold('-|'), cold('---(r|)')];
      expectObservable(cold('(x|)', { x }).pipe(optimizerStep<typeof x>([0, 1], (l) => stages[l]!))).toBe('---(x|)', { x });
      expectSubscriptions(stages[1]!.subscriptions).toBe('^--!');
    });
  });

  it('passes the input straight through with no parameter layers', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const x = { scale: 1 };
      expectObservable(cold('-x|', { x }).pipe(optimizerStep<typeof x>([], () => cold('--(r|)')))).toBe('-x|', { x });
    });
  });

  it('fails without emitting when one layer fails', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const x = { scale: 1 };
      const stages = [cold('----(r|)'), cold('--#', undefined, new Error('step failed'))];
      expectObservable(cold('(x|)', { x }).pipe(optimizerStep<typeof x>([0, 1], (l) => stages[l]!))).toBe('--#', undefined, new Error('step failed'));
    });
  });

  it('sends each layer actor a step message carrying the scale, all in parallel', () => {
    const scheduler = testScheduler();
    const pool = new FakePool(scheduler, { cost: { step: 2 } });
    scheduler.run(({ cold, expectObservable }) => {
      const actors = [pool.actor('L0'), pool.actor('L1'), pool.actor('L2')];
      const x = { scale: 0.25 };
      expectObservable(cold('-(x|)', { x }).pipe(optimizerStep<typeof x>([0, 2], (l, scale) => actors[l]!.send(stepMsg(l, scale))))).toBe('---(x|)', { x });
    });
    expect(pool.runs.map((r) => [r.actor, r.start, r.end, r.msg.op === 'step' ? r.msg.gradScale : null]).sort()).toEqual([
      ['L0', 1, 3, 0.25],
      ['L2', 1, 3, 0.25],
    ]);
  });
});
