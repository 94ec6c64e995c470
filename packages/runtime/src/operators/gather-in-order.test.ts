import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { gatherInOrder } from './gather-in-order.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

interface Item {
  index: number;
  grad: string;
}
const a: Item = { index: 0, grad: 'ga' };
const b: Item = { index: 1, grad: 'gb' };
const c: Item = { index: 2, grad: 'gc' };
const byIndex = (v: Item) => v.index;

describe('gatherInOrder', () => {
  it('emits all items once, sorted by index, when the source completes', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-c-a-b|', { a, b, c }).pipe(gatherInOrder(byIndex))).toBe('------(x|)', { x: [a, b, c] });
    });
  });

  it('gives the same array for every arrival order', () => {
    for (const arrivals of ['-a-b-c|', '-b-c-a|', '-(cba)-|', '-c-b-a|']) {
      testScheduler().run(({ cold, expectObservable }) => {
        const done = arrivals.indexOf('|');
        expectObservable(cold(arrivals, { a, b, c }).pipe(gatherInOrder(byIndex))).toBe(`${'-'.repeat(done)}(x|)`, { x: [a, b, c] });
      });
    }
  });

  it('waits for completion, not for the last item', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-b-a 5ms |', { a, b }).pipe(gatherInOrder(byIndex))).toBe('---- 5ms (x|)', { x: [a, b] });
      expectObservable(cold('-b-a---', { a, b }).pipe(gatherInOrder(byIndex))).toBe('-------');
    });
  });

  it('emits an empty array for an empty source, and fails without emitting if the source fails', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<Item>('--|').pipe(gatherInOrder(byIndex))).toBe('--(x|)', { x: [] });
      expectObservable(cold('-b-#', { b }, new Error('shard 1 failed')).pipe(gatherInOrder(byIndex))).toBe('---#', undefined, new Error('shard 1 failed'));
    });
  });
});
