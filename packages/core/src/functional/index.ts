export * from './activations.js';
export * from './losses.js';
export { linear } from '../ops/matmul.js';
