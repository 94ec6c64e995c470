export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT, type Checkpoint, type CheckpointConfig } from './checkpoint.js';
export { saveModel, encodeModel, loadModel, MODEL_FORMAT } from './model-file.js';
export { optimizerPath } from './optimizer-path.js';
