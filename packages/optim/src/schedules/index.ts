export { constantSchedule } from './constant.js';
export { type CosineAnnealingLROptions, cosineAnnealingLR } from './cosine-annealing-lr.js';
export {
  type CosineAnnealingWarmRestartsOptions,
  cosineAnnealingWarmRestarts,
} from './cosine-annealing-warm-restarts.js';
export { exponentialLR } from './exponential-lr.js';
export { joinSchedules } from './join-schedules.js';
export { type LinearLROptions, linearLR } from './linear-lr.js';
export { type LinearScheduleOptions, linearSchedule } from './linear-schedule.js';
export { linearWarmup } from './linear-warmup.js';
export { type MultiStepLROptions, multiStepLR } from './multi-step-lr.js';
export { type OneCycle, type OneCycleLROptions, oneCycleLR } from './one-cycle-lr.js';
export {
  type PlateauState,
  type ReduceOnPlateau,
  type ReduceOnPlateauOptions,
  reduceOnPlateau,
} from './reduce-on-plateau.js';
export { type StepLROptions, stepLR } from './step-lr.js';
