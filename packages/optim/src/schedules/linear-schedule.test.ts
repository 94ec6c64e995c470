import { describe, expect, it } from 'vitest';
import { linearSchedule } from './linear-schedule.js';

describe('linearSchedule', () => {
  it('interpolates from init to end, then holds end', () => {
    const s = linearSchedule({ init: 1, end: 0.2, steps: 4 });
    const expected = [1, 0.8, 0.6, 0.4, 0.2, 0.2, 0.2];
    for (const [t, v] of expected.entries()) expect(s(t)).toBeCloseTo(v, 15);
  });
  it('can increase', () => {
    expect(linearSchedule({ init: 0, end: 1, steps: 10 })(5)).toBe(0.5);
  });
  it('rejects steps < 1 and negative rates', () => {
    expect(() => linearSchedule({ init: 1, end: 0, steps: 0 })).toThrow('linearSchedule: steps must be an integer >= 1, got 0');
    expect(() => linearSchedule({ init: -1, end: 0, steps: 3 })).toThrow('linearSchedule: init must be a finite number >= 0, got -1');
  });
});
