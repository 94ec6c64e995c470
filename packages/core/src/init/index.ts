export * from './initializers.js';
