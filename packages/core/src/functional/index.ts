export * from './activations.js';
export * from './losses.js';
