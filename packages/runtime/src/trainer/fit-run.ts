import { data as coreData, type nn } from '@actorgrad/core';
import { baseLearningRate } from '@actorgrad/optim';
import type { Subject } from 'rxjs';
import type { EngineEvent } from '../events.js';
import { CHUNK, Engine, LEGACY_CHUNK, NonFiniteError, type StepResult } from '../main/engine.js';
import type { Callback, Data, History, Logs, TrainContext } from './callback.js';
import { MetricAccumulator } from './metrics.js';
import { buildSchedule } from './schedule-spec.js';
import type { EpochPosition, TrainingState } from '../run-state.js';
import type { FitOptions } from './trainer.js';

/**
 * fit's rejection when a step's loss or gradient norm is NaN or infinite (`onNonFinite: 'throw'`,
 * the default). The parameters are those after the last good step; `history` holds the epochs
 * completed, and checkpoints that save on stop were written before it was thrown.
 */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly what: 'loss' | 'gradient norm',
    readonly value: number,
    readonly history: History,
  ) {
    const advice = `Lower the learning rate, clip gradients (clipNorm) or check the data; onNonFinite: 'stop' returns the history instead of throwing`;
    super(`fit: the ${what} of step ${step} is ${value}; training stopped with the parameters of step ${step - 1}. ${advice}`);
    this.name = 'NonFiniteLossError';
  }
}

/** The learning rate of each step: the run's override (reduceLROnPlateau, a live change) or the schedule's. */
interface LearningRate {
  override: number | null;
  at(step: number): number;
}

function learningRate(o: FitOptions): LearningRate {
  const schedule = o.schedule ? buildSchedule(o.schedule) : null;
  const base = baseLearningRate(o.optimizer.name, o.optimizer.options);
  return {
    override: o.resume?.lrOverride ?? null,
    at(step) {
      return this.override ?? (schedule ? schedule(step) : base);
    },
  };
}

/** The epoch in progress: its batches done and the running sums its logs are made of. */
interface EpochInProgress {
  batch: number;
  lossSum: number;
  seen: number;
  acc: MetricAccumulator;
}

export interface FitRunInit {
  model: nn.Sequential;
  train: Data;
  validation: Data | undefined;
  options: FitOptions;
  /** The run's callbacks, in call order (the progress output's first, then `options.callbacks`). */
  callbacks: Callback[];
  /** The trainer's event stream (the engine's events are forwarded to it). */
  events$: Subject<EngineEvent>;
  /** Validation logs of the model on a data set (the Trainer's `evaluate`). */
  evaluate: (d: Data) => Logs;
  /** Writes checkpoints (`options.checkpointWriter` or safetensors). */
  writer: NonNullable<FitOptions['checkpointWriter']>;
}

/** The longest an inline run holds the event loop between two steps (see `FitRun.yieldNow`). */
const YIELD_MS = 20;

/**
 * One `Trainer.fit` run: the engine, the loader, the callbacks and where the run stands. A stop
 * (signal, process signal, non-finite loss, a callback) takes effect at a step boundary; a stop
 * inside an epoch skips the epoch's end, so a checkpoint taken then (see `onInterrupt`) records
 * the position inside the epoch and a resume trains exactly the batches that were left.
 */
export class FitRun {
  readonly ctx: TrainContext;
  private readonly callbacks: Callback[];
  private readonly history: History;
  private epoch: number;
  private partial: EpochInProgress | null = null;
  /** Where a resumed run continues inside its first epoch (used once). */
  private resumeAt: EpochPosition | null;
  private interrupted = false;
  private lastYield = performance.now();
  private nonFinite: NonFiniteError | null = null;
  private readonly detach: (() => void)[] = [];

  private constructor(
    private readonly init: FitRunInit,
    private readonly engine: Engine,
    private readonly loader: coreData.DataLoader,
    private readonly lr: LearningRate,
  ) {
    const o = init.options;
    this.callbacks = init.callbacks;
    this.history = o.resume ? structuredClone(o.resume.history) : { epochs: [], metrics: {}, stopReason: 'completed', steps: 0 };
    this.epoch = o.resume?.epoch ?? 0;
    this.resumeAt = o.resume?.position ?? null;
    this.ctx = this.context();
  }

  /** Builds the engine (on the placement's pool) and the loader, and restores a resumed run's state. */
  static async start(init: FitRunInit): Promise<FitRun> {
    const o = init.options;
    const lr = learningRate(o);
    const engine = await Engine.create({
      model: init.model,
      loss: o.loss,
      optimizer: o.optimizer,
      schedule: (step) => lr.at(step),
      placement: o.placement,
      seed: o.seed ?? 0,
      clipNorm: o.clipNorm ?? null,
      returnPredictions: (o.metrics ?? []).length > 0,
    });
    const rows = init.train.x.shape[0]!;
    const loader = new coreData.DataLoader(new coreData.TensorDataset(init.train.x, init.train.y), {
      batchSize: o.batchSize,
      shuffle: o.shuffle ?? true,
      seed: o.seed ?? 0,
      // Each batch is stepped on (and its targets scored) before the next is taken, so its
      // buffers can take the next batch of its size: no new shared memory per step.
      reuseBuffers: true,
      // A last batch smaller than the shard count cannot be split; it is dropped.
      dropLast: rows % o.batchSize !== 0 && rows % o.batchSize < engine.placement.shards,
    });
    const run = new FitRun(init, engine, loader, lr);
    try {
      run.restore();
    } catch (e) {
      await engine.close();
      throw e;
    }
    return run;
  }

  private restore(): void {
    const { resume, batchSize } = this.init.options;
    const sub = this.engine.events$.subscribe((e) => this.init.events$.next(e));
    this.detach.push(() => sub.unsubscribe());
    if (!resume) return;
    const at = resume.position;
    const rows = this.init.train.x.shape[0]!;
    if (at && (at.rows !== rows || at.batchSize !== batchSize)) {
      const taken = `the checkpoint was taken ${at.batch} batches into epoch ${resume.epoch + 1}, of ${at.rows} training rows in batches of ${at.batchSize}`;
      throw new RangeError(`fit: resume: ${taken}; this run has ${rows} rows in batches of ${batchSize}, so that epoch cannot continue in the same order`);
    }
    this.engine.loadOptimizerStates(resume.optimizerStates, resume.optimizerChunk ?? LEGACY_CHUNK);
    this.engine.stepCount = resume.step;
    for (const c of this.callbacks) if (c.setState && c.name in resume.callbacks) c.setState(resume.callbacks[c.name]);
  }

  /** What callbacks see: live views of the run's position, and its controls. */
  private context(): TrainContext {
    const run = this;
    const o = this.init.options;
    return {
      model: this.init.model,
      engine: this.engine,
      config: Object.freeze({ loss: o.loss, optimizer: o.optimizer, schedule: o.schedule, epochs: o.epochs, batchSize: o.batchSize, metrics: o.metrics, seed: o.seed, clipNorm: o.clipNorm }),
      get epoch() {
        return run.epoch;
      },
      get step() {
        return run.engine.stepCount;
      },
      epochs: o.epochs,
      stepsPerEpoch: this.loader.length,
      get batchInEpoch() {
        return run.partial?.batch ?? 0;
      },
      history: this.history,
      stopTraining: false,
      stopReason: null,
      get lrOverride() {
        return run.lr.override;
      },
      set lrOverride(v: number | null) {
        run.lr.override = v;
      },
      currentLr: () => this.lr.at(this.engine.stepCount),
      saveCheckpoint: async (path, reason) => {
        await this.init.writer(path, { model: this.init.model, state: this.trainingState(), options: o });
        this.engine.emit({ type: 'checkpoint', epoch: this.epoch, step: this.engine.stepCount, path, reason });
      },
      emit: (e) => this.engine.emit(e),
    };
  }

  /** Where the run stands, enough to continue it exactly (see `TrainingState`). */
  trainingState(): TrainingState {
    const p = this.partial;
    const position: EpochPosition | null =
      p && p.batch > 0
        ? { batch: p.batch, rows: this.init.train.x.shape[0]!, batchSize: this.init.options.batchSize, lossSum: p.lossSum, seen: p.seen, metrics: p.acc.snapshot() }
        : null;
    return {
      epoch: this.epoch,
      step: this.engine.stepCount,
      position,
      optimizerStates: this.engine.optimizerStates,
      optimizerChunk: CHUNK,
      lrOverride: this.lr.override,
      callbacks: Object.fromEntries(this.callbacks.filter((c) => c.state).map((c) => [c.name, c.state!()])),
      history: { ...this.history, steps: this.engine.stepCount },
    };
  }

  /** Stops at the next step boundary; `interrupt` marks a stop that should save what it would lose. */
  stop(reason: string, interrupt: boolean): void {
    this.ctx.stopTraining = true;
    this.ctx.stopReason ??= reason;
    if (interrupt) this.interrupted = true;
  }

  /** Stops on `signal` and, if asked, on process signals (a second one of those ends the process). */
  listen(): void {
    const o = this.init.options;
    if (o.signal) {
      const abort = () => this.stop('aborted', true);
      o.signal.addEventListener('abort', abort);
      this.detach.push(() => o.signal!.removeEventListener('abort', abort));
      if (o.signal.aborted) abort();
    }
    const signals = o.stopOnSignals === true ? (['SIGINT', 'SIGTERM'] as NodeJS.Signals[]) : o.stopOnSignals || [];
    if (signals.length === 0) return;
    let heard = false;
    const off = () => {
      for (const s of signals) process.off(s, onSignal);
    };
    const onSignal = (sig: NodeJS.Signals) => {
      if (heard) {
        off();
        process.kill(process.pid, sig);
        return;
      }
      heard = true;
      this.engine.emit({ type: 'warning', step: this.engine.stepCount, message: `${sig}: stopping at the next step boundary (checkpoints save on stop); send it again to end the process now` });
      this.stop(`interrupted by ${sig}`, true);
    };
    for (const s of signals) process.on(s, onSignal);
    this.detach.push(off);
  }

  /** Trains until the epochs run out or a stop; resolves to the history (or rejects on a non-finite step). */
  async train(): Promise<History> {
    const { ctx, callbacks, history } = this;
    const o = this.init.options;
    this.engine.emit({ type: 'run', phase: 'start', epochs: o.epochs, stepsPerEpoch: this.loader.length });
    this.init.model.train();
    for (const c of callbacks) await c.onTrainBegin?.(ctx);
    while (this.epoch < o.epochs && !ctx.stopTraining) {
      if (!(await this.trainEpoch())) break;
    }
    history.stopReason = ctx.stopReason ?? 'completed';
    history.steps = this.engine.stepCount;
    if (this.interrupted) for (const c of callbacks) await c.onInterrupt?.(ctx);
    for (const c of callbacks) await c.onTrainEnd?.(ctx);
    this.engine.emit({ type: 'run', phase: 'end', epochs: o.epochs, stepsPerEpoch: this.loader.length, reason: history.stopReason });
    const bad = this.nonFinite;
    if (bad && (o.onNonFinite ?? 'throw') === 'throw') throw new NonFiniteLossError(bad.step, bad.what, bad.value, history);
    return history;
  }

  /** One epoch (or the rest of a resumed one); false when it was cut short or had no batches. */
  private async trainEpoch(): Promise<boolean> {
    const { ctx, callbacks } = this;
    const o = this.init.options;
    const at = this.resumeAt;
    this.resumeAt = null;
    const acc = new MetricAccumulator(o.loss, o.metrics ?? []);
    if (at) acc.restore(at.metrics);
    const p: EpochInProgress = { batch: at?.batch ?? 0, lossSum: at?.lossSum ?? 0, seen: at?.seen ?? 0, acc };
    this.partial = p;
    for (const c of callbacks) await c.onEpochBegin?.(this.epoch, ctx);
    this.loader.setEpoch(this.epoch, p.batch);
    for (const batch of this.loader) {
      if (ctx.stopTraining) break;
      const r = await this.step(batch);
      if (r === null) break;
      p.batch++;
      p.lossSum += r.loss * r.samples;
      p.seen += r.samples;
      if (r.predictions) acc.add(r.predictions, batch.y, r.loss * r.samples);
      const logs: Logs = { loss: r.loss, lr: r.lr, gradNorm: r.gradNorm, samples: r.samples };
      for (const c of callbacks) await c.onBatchEnd?.(r.step, logs, ctx);
      await this.yieldNow();
    }
    if (p.batch < this.loader.length) {
      // Cut short: the epoch's end waits for the resumed run.
      if (ctx.stopTraining) this.interrupted = true;
      return false;
    }
    if (p.seen === 0) return false;
    await this.endEpoch(p);
    return true;
  }

  /**
   * Lets the event loop run (timers, I/O, process signals, IPC) once `YIELD_MS` have passed since it
   * last did. An inline step only awaits microtasks, so without this a whole inline `fit` would hold
   * the thread: no live-view tick, no SIGINT for `stopOnSignals`, no timer-driven abort. Costs one
   * `setImmediate` per 20 ms.
   */
  private async yieldNow(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < YIELD_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
  }

  /** A training step; null when its loss or gradient norm was not finite (the run then stops). */
  private async step(batch: coreData.Batch): Promise<StepResult | null> {
    try {
      return await this.engine.step(batch);
    } catch (e) {
      if (!(e instanceof NonFiniteError)) throw e;
      this.engine.emit({ type: 'nonfinite', step: e.step, what: e.what, value: e.value });
      this.nonFinite = e;
      this.stop(`non-finite ${e.what} at step ${e.step}`, true);
      return null;
    }
  }

  /** The end of a whole epoch: its logs (with validation), the history, and the callbacks. */
  private async endEpoch(p: EpochInProgress): Promise<void> {
    const { ctx, history } = this;
    const logs: Logs = { ...p.acc.result(), loss: p.lossSum / p.seen };
    if (this.init.validation) {
      for (const [k, val] of Object.entries(this.init.evaluate(this.init.validation))) logs[`val_${k}`] = val;
    }
    logs.lr = ctx.currentLr();
    history.epochs.push(this.epoch);
    for (const [k, v] of Object.entries(logs)) {
      history.metrics[k] ??= [];
      history.metrics[k].push(v);
    }
    history.steps = this.engine.stepCount;
    this.partial = null;
    this.epoch++;
    this.engine.emit({ type: 'epoch', epoch: this.epoch - 1, step: this.engine.stepCount, logs });
    // Callbacks see the epoch as finished: `ctx.epoch` now counts completed epochs.
    for (const c of this.callbacks) await c.onEpochEnd?.(this.epoch - 1, logs, ctx);
  }

  async close(): Promise<void> {
    for (const d of this.detach.splice(0)) d();
    await this.engine.close();
  }
}
