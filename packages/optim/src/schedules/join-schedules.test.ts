import { describe, expect, it } from 'vitest';
import { constantSchedule } from './constant.js';
import { exponentialLR } from './exponential-lr.js';
import { joinSchedules } from './join-schedules.js';
import { linearSchedule } from './linear-schedule.js';

describe('joinSchedules', () => {
  it('switches at the boundaries and shifts the step', () => {
    const s = joinSchedules([linearSchedule({ init: 0, end: 1, steps: 2 }), exponentialLR(1, 0.5), constantSchedule(7)], [2, 5]);
    expect([0, 1, 2, 3, 4, 5, 9].map(s)).toEqual([0, 0.5, 1, 0.5, 0.25, 7, 7]);
  });
  it('validates boundaries', () => {
    expect(() => joinSchedules([constantSchedule(1), constantSchedule(2)], [])).toThrow(
      'joinSchedules: boundaries must be an array of length 1 (one fewer than schedules), got []',
    );
    expect(() => joinSchedules([constantSchedule(1), constantSchedule(2), constantSchedule(3)], [4, 4])).toThrow(
      'joinSchedules: boundaries must be strictly increasing integers >= 1, got [4, 4]',
    );
  });
});
