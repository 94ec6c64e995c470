/**
 * `@actorgrad/runtime`: the Trainer and its callbacks, the actor engine and its placements,
 * checkpoints, and the event stream. The engine's parts (actors, executors, arenas, the step's
 * RxJS operators, message shapes) are internal: `etc/runtime.api.md` is the public surface,
 * checked by api-extractor in the test command.
 *
 * @packageDocumentation
 */
export { Engine, ActorError, NonFiniteError, CHUNK, createEngine, type EngineOptions, type Batch, type StepResult } from './main/engine.js';
export { inline, dataParallel, pipeline, hybrid, auto, resolvePlacement, type Placement, type ResolvedPlacement } from './main/placement.js';
export type { StepTimes } from './main/resident.js';
export type { EngineEvent, ActorStats } from './events.js';
export type { LossKind, OptimizerConfig, WorkerInfo } from './protocol.js';
export * from './trainer/index.js';
export * from './checkpoint/index.js';
