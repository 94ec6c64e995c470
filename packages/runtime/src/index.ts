export { Engine, ActorError, NonFiniteError, createEngine, type EngineOptions, type Batch, type StepResult } from './main/engine.js';
export { inline, dataParallel, pipeline, hybrid, auto, resolvePlacement, type Placement, type ResolvedPlacement } from './main/placement.js';
export { Arena } from './arena.js';
export { Actor } from './main/actor.js';
export { inlineExecutor, poolExecutor, type Executor } from './main/executor.js';
export type { EngineEvent, ActorStats } from './events.js';
export type { ActorMsg, ActorReply, ControlApi, LossKind, OptimizerConfig, LayerDesc, WorkerInfo } from './protocol.js';
export * from './operators/index.js';
export * from './trainer/index.js';
