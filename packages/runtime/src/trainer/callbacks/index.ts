export { earlyStopping, type EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { reduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
export { modelCheckpoint, fillTemplate, type ModelCheckpointOptions } from './model-checkpoint.js';
export { csvLogger, jsonlLogger, terminateOnNaN, lambdaCallback } from './loggers.js';
export { progressBar, progressForVerbose, fmtValue, type ProgressMode, type ProgressOptions, type ProgressStream, type Verbosity } from './progress-bar.js';
export type { Mode } from './monitor.js';
