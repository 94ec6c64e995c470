import type { Tensor, nn } from '@actorgrad/core';
import type { EngineEvent } from '../events.js';
import type { Engine } from '../main/engine.js';
import type { History, RunConfig } from '../run-state.js';

export type { History };

/** Logs of a batch (after its step: `loss`, `lr`, `gradNorm`, `samples` — its rows) or an epoch (training and validation metrics, `lr`). */
export type Logs = Record<string, number>;

/** What callbacks see and may change while a run is going on. */
export interface TrainContext {
  readonly model: nn.Sequential;
  readonly engine: Engine;
  /** What the run was asked to do: loss, optimiser, schedule, epochs, batch size, metrics, seed, clipping. */
  readonly config: Readonly<RunConfig>;
  /** 0-based epoch being run (or just finished, in `onEpochEnd`). */
  readonly epoch: number;
  /** Steps done so far over the whole run (also after a resume). */
  readonly step: number;
  readonly epochs: number;
  /** Batches in one epoch. */
  readonly stepsPerEpoch: number;
  /**
   * Batches of the current epoch trained so far. Above 0 in `onEpochBegin` when the run resumed
   * inside that epoch (from a checkpoint taken on a stop), so a callback can tell.
   */
  readonly batchInEpoch: number;
  readonly history: History;
  /**
   * Set to stop the run at the next step boundary. Set in `onEpochEnd`, the run ends after that
   * epoch; set in `onBatchEnd`, it ends inside the epoch, without the epoch's end (no validation,
   * no `onEpochEnd`), and a checkpoint taken then resumes with the epoch's remaining batches.
   */
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
  /**
   * The run was interrupted at a step boundary — by `signal`, a process signal (`stopOnSignals`),
   * a non-finite loss, or a stop inside an epoch — before `onTrainEnd`: the moment to save what
   * would otherwise be lost (`modelCheckpoint` saves here unless `saveOnStop: false`).
   */
  onInterrupt?(ctx: TrainContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainContext): void | Promise<void>;
  state?(): unknown;
  setState?(state: unknown): void;
}

export type Data = { x: Tensor; y: Tensor };
