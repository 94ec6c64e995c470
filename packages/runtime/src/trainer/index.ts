export { Trainer, type EpochPosition, type FitOptions, type TrainingState } from './trainer.js';
export { NonFiniteLossError } from './fit-run.js';
export { outputActivation, predictionsAs, type PredictOptions, type PredictReturns } from './predict.js';
export type { Callback, TrainContext, History, Logs, Data } from './callback.js';
export { MetricAccumulator, type MetricName, type MetricSums } from './metrics.js';
export { buildSchedule, type ScheduleSpec } from './schedule-spec.js';
export * from './callbacks/index.js';
