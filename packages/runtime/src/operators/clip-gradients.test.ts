import { of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { clipGradients } from './clip-gradients.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('clipGradients', () => {
  it('scales by min(1, maxNorm / (norm + 1e-6)), synchronously', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const grads = cold('-x-y|', { x: { value: 'big', sqNorm: 25 }, y: { value: 'small', sqNorm: 0.25 } });
      expectObservable(grads.pipe(clipGradients(1))).toBe('-a-b|', {
        a: { value: 'big', norm: 5, scale: 1 / (5 + 1e-6) },
        b: { value: 'small', norm: 0.5, scale: 1 },
      });
    });
  });

  it('leaves the clipped norm just under maxNorm, and scales a norm equal to maxNorm by slightly less than 1', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const grads = cold('(xy|)', { x: { value: 0, sqNorm: 1e6 }, y: { value: 1, sqNorm: 9 } });
      expectObservable(grads.pipe(clipGradients(3))).toBe('(ab|)', {
        a: { value: 0, norm: 1000, scale: 3 / (1000 + 1e-6) },
        b: { value: 1, norm: 3, scale: 3 / (3 + 1e-6) },
      });
    });
    const out: { norm: number; scale: number }[] = [];
    of({ value: 0, sqNorm: 1e6 }, { value: 1, sqNorm: 9 })
      .pipe(clipGradients(3))
      .subscribe((v) => out.push(v));
    expect(out[0]!.norm * out[0]!.scale).toBeLessThan(3);
    expect(out[0]!.norm * out[0]!.scale).toBeCloseTo(3, 6);
    expect(out[1]!.scale).toBeLessThan(1);
  });

  it('does not divide by zero for a zero gradient', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-x|', { x: { value: 'z', sqNorm: 0 } }).pipe(clipGradients(1))).toBe('-a|', { a: { value: 'z', norm: 0, scale: 1 } });
    });
  });

  it('does not clip with maxNorm = null, however large the norm', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-x|', { x: { value: 'v', sqNorm: 1e12 } }).pipe(clipGradients(null))).toBe('-a|', { a: { value: 'v', norm: 1e6, scale: 1 } });
    });
  });

  it.each([0, -1, Number.NaN])('refuses maxNorm = %s when built', (maxNorm) => {
    expect(() => clipGradients(maxNorm)).toThrow(new RangeError(`clipGradients: maxNorm must be positive, got ${maxNorm}`));
  });
});
