import type { Tensor, nn } from '@actorgrad/core';
import type { EngineEvent } from '../events.js';
import type { Engine } from '../main/engine.js';

/** Logs of a batch (after its step: `loss`, `lr`, `gradNorm`, `samples` — its rows) or an epoch (training and validation metrics, `lr`). */
export type Logs = Record<string, number>;

/** What callbacks see and may change while a run is going on. */
export interface TrainContext {
  readonly model: nn.Sequential;
  readonly engine: Engine;
  /** 0-based epoch being run (or just finished, in `onEpochEnd`). */
  readonly epoch: number;
  /** Steps done so far over the whole run (also after a resume). */
  readonly step: number;
  readonly epochs: number;
  /** Batches in one epoch. */
  readonly stepsPerEpoch: number;
  readonly history: History;
  /** Set to stop the run after the current epoch (or batch). */
  stopTraining: boolean;
  /** Why the run stopped (set by whoever stops it). */
  stopReason: string | null;
  /** Overrides the learning rate of the following steps (reduceLROnPlateau sets it); null = the schedule's. */
  lrOverride: number | null;
  /** The learning rate the next step will use. */
  currentLr(): number;
  /** Writes a checkpoint of the whole training state at this point. */
  saveCheckpoint(path: string, reason: string): Promise<void>;
  emit(event: EngineEvent): void;
}

/** Per-epoch history, like Keras: `history.loss[e]`, `history.val_accuracy[e]`, … */
export interface History {
  epochs: number[];
  metrics: Record<string, number[]>;
  /** Why the run ended: 'completed', 'early stopping', 'aborted', 'non-finite loss at step 12', … */
  stopReason: string;
  steps: number;
}

/**
 * A hook into the training loop. Every method is optional; `state`/`setState` let a checkpoint
 * carry the callback's memory (best value so far, patience counter) across a resume.
 */
export interface Callback {
  readonly name: string;
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(step: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainContext): void | Promise<void>;
  state?(): unknown;
  setState?(state: unknown): void;
}

export type Data = { x: Tensor; y: Tensor };
