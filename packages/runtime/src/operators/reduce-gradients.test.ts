import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { FakePool, reduceMsg, replyValue } from '../../test/fake-executor.js';
import { reduceGradients } from './reduce-gradients.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('reduceGradients', () => {
  it('runs every layer at once and emits when the slowest is done', () => {
    const called: number[] = [];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const stages: Record<number, ReturnType<typeof cold<number>>> = { 0: cold('---(n|)', { n: 4 }), 2: cold('-(n|)', { n: 9 }), 3: cold('--(n|)', { n: 1 }) };
      const reduce = reduceGradients([0, 2, 3], (l) => {
        called.push(l);
        return stages[l]!;
      });
      expectObservable(cold('--(x|)').pipe(reduce)).toBe('-----(y|)', { y: { value: 'x', sqNorm: 14 } });
      expectSubscriptions(stages[0]!.subscriptions).toBe('--^--!');
      expectSubscriptions(stages[2]!.subscriptions).toBe('--^!');
      expectSubscriptions(stages[3]!.subscriptions).toBe('--^-!');
    });
    expect(called).toEqual([0, 2, 3]);
  });

  it('sums the squared norms in layer order, not in the order the layers finish', () => {
    // Layer 0 finishes last. In layer order (1e16 + 1) + 1 rounds to 1e16 twice;
    // in finishing order 1 + 1 + 1e16 = 1e16 + 2, exactly.
    testScheduler().run(({ cold, expectObservable }) => {
      const stages = [cold('---(n|)', { n: 1e16 }), cold('-(n|)', { n: 1 }), cold('--(n|)', { n: 1 })];
      expectObservable(cold('(x|)').pipe(reduceGradients([0, 1, 2], (l) => stages[l]!))).toBe('---(y|)', { y: { value: 'x', sqNorm: 1e16 } });
    });
    expect(1 + 1 + 1e16).not.toBe(1e16);
  });

  it('passes the input through with sqNorm 0 when no layer has parameters', () => {
    let calls = 0;
    testScheduler().run(({ cold, expectObservable }) => {
      const reduce = reduceGradients([], () => {
        calls++;
        return cold('-(n|)', { n: 1 });
      });
      expectObservable(cold('-x|').pipe(reduce)).toBe('-y|', { y: { value: 'x', sqNorm: 0 } });
    });
    expect(calls).toBe(0);
  });

  it('fails clearly (instead of ending empty) when a layer completes without a norm', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const stages = [cold<number>('-|'), cold('---(n|)', { n: 4 })];
      expectObservable(cold('(x|)').pipe(reduceGradients([0, 1], (l) => stages[l]!))).toBe('-#', undefined, new Error('reduceGradients: unit 0 completed without a squared norm'));
    });
  });

  it('fails when one layer fails', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const stages = [cold('---(n|)', { n: 1 }), cold<number>('-#', undefined, new Error('reduce failed'))];
      expectObservable(cold('(x|)').pipe(reduceGradients([0, 1], (l) => stages[l]!))).toBe('-#', undefined, new Error('reduce failed'));
    });
  });

  it('runs each layer on its own actor, in parallel on the pool', () => {
    const scheduler = testScheduler();
    const norms: Record<string, number> = { L0: 2, L1: 3 };
    const pool = new FakePool(scheduler, { cost: { reduce: 3 }, value: (_m, actor) => norms[actor] });
    scheduler.run(({ cold, expectObservable }) => {
      const actors = [pool.actor('L0'), pool.actor('L1')];
      const stage = (l: number) => actors[l]!.send(reduceMsg(l)).pipe(replyValue);
      expectObservable(cold('-(x|)').pipe(reduceGradients([0, 1], stage))).toBe('----(y|)', { y: { value: 'x', sqNorm: 5 } });
    });
    expect(pool.runs.map((r) => [r.actor, r.start, r.end, r.thread]).sort()).toEqual([
      ['L0', 1, 4, 0],
      ['L1', 1, 4, 1],
    ]);
  });
});
