export { Trainer, type FitOptions, type TrainingState } from './trainer.js';
export { outputActivation, predictionsAs, type PredictOptions, type PredictReturns } from './predict.js';
export type { Callback, TrainContext, History, Logs, Data } from './callback.js';
export { MetricAccumulator, type MetricName } from './metrics.js';
export { buildSchedule, type ScheduleSpec } from './schedule-spec.js';
export * from './callbacks/index.js';
