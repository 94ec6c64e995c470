export { scatter, planShards, type Shard } from './scatter.js';
export { forwardThrough } from './forward-through.js';
export { backwardThrough } from './backward-through.js';
export { computeLoss } from './compute-loss.js';
export { gatherInOrder } from './gather-in-order.js';
export { reduceGradients } from './reduce-gradients.js';
export { clipGradients } from './clip-gradients.js';
export { optimizerStep } from './optimizer-step.js';
