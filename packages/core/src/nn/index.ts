export * from './module.js';
export * from './linear.js';
export * from './sequential.js';
export * from './dropout.js';
export * from './activations.js';
export * from './prelu.js';
export * from './maxout.js';
