import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type Shard, planShards, scatter } from './scatter.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const shard = (index: number, start: number, end: number): Shard => ({ index, start, end });

describe('scatter', () => {
  it('emits the k shards of a batch at once, in shard order, with contiguous row ranges', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const batch = cold('--x 9ms |', { x: 8 });
      expectObservable(batch.pipe(scatter(4))).toBe('--(abcd) 4ms |', { a: shard(0, 0, 2), b: shard(1, 2, 4), c: shard(2, 4, 6), d: shard(3, 6, 8) });
    });
  });

  it('scatters each batch on its own, numbering its shards from 0', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const batches = cold('-x 9ms y 9ms |', { x: 4, y: 3 });
      expectObservable(batches.pipe(scatter(2))).toBe('-(ab) 6ms (cd) 6ms |', { a: shard(0, 0, 2), b: shard(1, 2, 4), c: shard(0, 0, 2), d: shard(1, 2, 3) });
    });
  });

  it('gives the first n mod k shards one extra row (10 rows / 4 shards → 3, 3, 2, 2)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('(x|)', { x: 10 }).pipe(scatter(4))).toBe('(abcd|)', { a: shard(0, 0, 3), b: shard(1, 3, 6), c: shard(2, 6, 8), d: shard(3, 8, 10) });
    });
  });

  it('fails when a batch has fewer rows than shards, after the shards of earlier batches', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const batches = cold('-x 9ms y|', { x: 4, y: 3 });
      expectObservable(batches.pipe(scatter(4))).toBe(
        '-(abcd) 4ms #',
        { a: shard(0, 0, 1), b: shard(1, 1, 2), c: shard(2, 2, 3), d: shard(3, 3, 4) },
        new RangeError('scatter: a batch of 3 rows cannot be split into 4 shards'),
      );
    });
  });

  it.each([0, -1, 2.5, Number.NaN])('fails on a shard count of %s when the batch arrives', (k) => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('--x|', { x: 8 }).pipe(scatter(k))).toBe('--#', undefined, new RangeError(`scatter: shard count must be a positive integer, got ${k}`));
    });
  });
});

describe('planShards', () => {
  it.each([
    [8, 4],
    [10, 4],
    [7, 7],
    [128, 3],
    [1, 1],
  ])('splits %i rows into %i contiguous shards whose sizes differ by at most one, larger first', (n, k) => {
    const shards = planShards(n, k);
    expect(shards.map((s) => s.index)).toEqual([...Array(k).keys()]);
    expect(shards[0]!.start).toBe(0);
    expect(shards[k - 1]!.end).toBe(n);
    for (let i = 1; i < k; i++) expect(shards[i]!.start).toBe(shards[i - 1]!.end);
    const sizes = shards.map((s) => s.end - s.start);
    expect(sizes).toEqual(sizes.map((_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0)));
  });

  it('throws the clear errors for n < k and a bad k', () => {
    expect(() => planShards(3, 4)).toThrow(new RangeError('scatter: a batch of 3 rows cannot be split into 4 shards'));
    expect(() => planShards(8, 0)).toThrow(new RangeError('scatter: shard count must be a positive integer, got 0'));
    expect(() => planShards(0, 1)).toThrow('scatter: a batch of 0 rows cannot be split into 1 shards');
  });
});
