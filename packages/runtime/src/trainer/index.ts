export { Trainer, type FitOptions } from './trainer.js';
export type { EpochPosition, RunConfig, TrainingState } from '../run-state.js';
export { NonFiniteLossError } from './fit-run.js';
export { outputActivation, predictionsAs, type PredictOptions, type PredictReturns } from './predict.js';
export type { Callback, TrainContext, History, Logs, Data } from './callback.js';
export { MetricAccumulator, type MetricName, type MetricSums } from './metrics.js';
export { buildSchedule, SCHEDULE_NAMES, type ScheduleSpec } from './schedule-spec.js';
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
} from './fit-options.js';
export { toData, toInputs, checkFinite } from './check-data.js';
