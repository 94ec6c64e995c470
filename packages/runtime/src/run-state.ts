/**
 * The plain data a training run is made of — what it was asked to do ({@link RunConfig}), where it
 * stands ({@link TrainingState}) and what it has logged ({@link History}) — shared by the trainer,
 * which produces it, and the checkpoints, which store it. Types only: neither `trainer/` nor
 * `checkpoint/` is imported here, so the trainer can import the checkpoints without a cycle.
 *
 * @module
 */
import type { LossKind, OptimizerConfig } from './protocol.js';

/** A metric's name: `accuracy`, `topK:5` (top-k accuracy), `mae`, `mse`. The loss is always reported. */
export type MetricName = 'accuracy' | `topK:${number}` | 'mae' | 'mse';

/** `MetricAccumulator`'s running state. */
export interface MetricSums {
  sums: Record<string, number>;
  count: number;
}

/**
 * A learning-rate schedule named by one of optim's schedule functions and its arguments, e.g.
 * `{name: 'cosineAnnealingLR', args: [1e-3, {tMax: 100}]}`. Being plain data, it goes into
 * checkpoints and job specs; `buildSchedule` turns it into the pure function of the step.
 */
export interface ScheduleSpec {
  name: string;
  args: unknown[];
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
 * Where inside an epoch a run stopped: enough to train exactly the batches it had not trained on.
 * The epoch's order is a function of the seed and the epoch, and every random number of a step of
 * the step number, so the position and the step counter are the whole random state.
 */
export interface EpochPosition {
  /** Batches of the epoch already trained (rows `[0, batch × batchSize)` of the epoch's order). */
  batch: number;
  /** Training rows and batch size the order was made for (a resume checks them). */
  rows: number;
  batchSize: number;
  /** The epoch's running training loss, Σ loss × rows over the batches done, and those rows. */
  lossSum: number;
  seen: number;
  /** The epoch's running metric sums, so its logs come out as if never interrupted. */
  metrics: MetricSums;
}

/** Where a run stands, enough to continue it exactly (what a checkpoint stores besides weights). */
export interface TrainingState {
  /** Epochs completed. */
  epoch: number;
  /** Steps completed. */
  step: number;
  /** Where inside epoch `epoch` the run stands; null (or absent, in older checkpoints) at an epoch's start. */
  position?: EpochPosition | null;
  optimizerStates: unknown[];
  /** Elements per chunk of `optimizerStates` (the engine's `CHUNK` when saved; absent in older checkpoints: 65 536). */
  optimizerChunk?: number;
  lrOverride: number | null;
  callbacks: Record<string, unknown>;
  history: History;
}

/**
 * The part of `fit`'s options that is plain data and decides the numbers of a run — what a
 * checkpoint records so that the run can be continued (`FitOptions` extends it).
 */
export interface RunConfig {
  loss: LossKind;
  optimizer: OptimizerConfig;
  /** A learning-rate schedule over steps (overrides `optimizer.options.lr`). */
  schedule?: ScheduleSpec;
  epochs: number;
  batchSize: number;
  metrics?: MetricName[];
  seed?: number;
  clipNorm?: number | null;
}
