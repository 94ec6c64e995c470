import * as optim from '@actorgrad/optim';

import type { ScheduleSpec } from '../run-state.js';

export type { ScheduleSpec };

const SCHEDULES = [
  'constantSchedule',
  'linearSchedule',
  'linearLR',
  'stepLR',
  'multiStepLR',
  'exponentialLR',
  'cosineAnnealingLR',
  'cosineAnnealingWarmRestarts',
] as const;

/** Every name `buildSchedule` knows. */
export const SCHEDULE_NAMES: readonly string[] = [...SCHEDULES, 'linearWarmup', 'oneCycleLR'];

export function buildSchedule(spec: ScheduleSpec): optim.Schedule {
  if (!spec || typeof spec.name !== 'string' || !Array.isArray(spec.args)) {
    throw new TypeError(`schedule: expected {name, args: [...]}, got ${JSON.stringify(spec)}`);
  }
  if (spec.name === 'linearWarmup') {
    const [inner, ...rest] = spec.args;
    return (optim.linearWarmup as unknown as (...a: unknown[]) => optim.Schedule)(buildSchedule(inner as ScheduleSpec), ...rest);
  }
  if (spec.name === 'oneCycleLR') {
    return (optim.oneCycleLR as unknown as (...a: unknown[]) => { lr: optim.Schedule })(...spec.args).lr;
  }
  if (!(SCHEDULES as readonly string[]).includes(spec.name)) {
    throw new RangeError(`schedule: unknown name '${spec.name}'; known: ${SCHEDULE_NAMES.join(', ')}`);
  }
  const f = (optim as unknown as Record<string, (...a: unknown[]) => optim.Schedule>)[spec.name]!;
  return f(...spec.args);
}
