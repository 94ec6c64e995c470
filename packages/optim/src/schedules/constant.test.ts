import { describe, expect, it } from 'vitest';
import { constantSchedule } from './constant.js';

describe('constantSchedule', () => {
  it('returns lr at every step', () => {
    const s = constantSchedule(0.3);
    expect([0, 1, 7, 1e6].map(s)).toEqual([0.3, 0.3, 0.3, 0.3]);
  });
  it('rejects a negative or non-finite lr, naming it', () => {
    expect(() => constantSchedule(-0.1)).toThrow(new RangeError('constantSchedule: lr must be a finite number >= 0, got -0.1'));
    expect(() => constantSchedule(Number.NaN)).toThrow(/constantSchedule: lr .* got NaN/);
  });
  it('rejects a negative step', () => {
    expect(() => constantSchedule(1)(-1)).toThrow(new RangeError('constantSchedule: step must be a finite number >= 0, got -1'));
  });
});
