export { Trainer, type FitOptions, type TrainingState } from './trainer.js';
export type { Callback, TrainContext, History, Logs, Data } from './callback.js';
export { MetricAccumulator, type MetricName } from './metrics.js';
export { buildSchedule, type ScheduleSpec } from './schedule-spec.js';
export * from './callbacks/index.js';
export {
  parseFitOptions,
  parseEvaluateOptions,
  parsePredictOptions,
  FIT_OPTION_KEYS,
  LOSSES,
  OPTIMIZER_NAMES,
  type FitOptionsInput,
  type DataInput,
  type OptimizerInput,
  type EvaluateOptions,
  type PredictOptions,
} from './fit-options.js';
export { toData, toInputs, checkFinite } from './check-data.js';
