import { type Tensor, data as coreData, type nn, noGrad, zeros } from '@actorgrad/core';
import { Subject } from 'rxjs';
import { saveCheckpoint } from '../checkpoint/checkpoint.js';
import type { EngineEvent } from '../events.js';
import { CHUNK, Engine, LEGACY_CHUNK, NonFiniteError } from '../main/engine.js';
import type { Placement } from '../main/placement.js';
import type { LossKind, OptimizerConfig } from '../protocol.js';
import type { Callback, Data, History, Logs, TrainContext } from './callback.js';
import { checkFitData, toData, toInputs } from './check-data.js';
import { type DataInput, type EvaluateOptions, type FitOptionsInput, type PredictOptions, parseEvaluateOptions, parseFitOptions, parsePredictOptions } from './fit-options.js';
import { MetricAccumulator, type MetricName } from './metrics.js';
import { type ScheduleSpec, buildSchedule } from './schedule-spec.js';

/** Where a run stands, enough to continue it exactly (what a checkpoint stores besides weights). */
export interface TrainingState {
  /** Epochs completed. */
  epoch: number;
  /** Steps completed. */
  step: number;
  optimizerStates: unknown[];
  /** Elements per chunk of `optimizerStates` (the engine's `CHUNK` when saved; absent in older checkpoints: 65 536). */
  optimizerChunk?: number;
  lrOverride: number | null;
  callbacks: Record<string, unknown>;
  history: History;
}

export interface FitOptions {
  loss: LossKind;
  optimizer: OptimizerConfig;
  /** A learning-rate schedule over steps (overrides `optimizer.options.lr`). */
  schedule?: ScheduleSpec;
  epochs: number;
  batchSize: number;
  validationData?: Data;
  /** Hold out this last fraction of the training rows for validation (before shuffling, like Keras). */
  validationSplit?: number;
  metrics?: MetricName[];
  callbacks?: Callback[];
  placement?: Placement;
  seed?: number;
  shuffle?: boolean;
  clipNorm?: number | null;
  signal?: AbortSignal;
  /** Continue a run from a checkpoint's training state. */
  resume?: TrainingState;
  /** Writes checkpoints for `ctx.saveCheckpoint` (default: safetensors `saveCheckpoint`). */
  checkpointWriter?: (path: string, ctx: { model: nn.Sequential; state: TrainingState; options: FitOptions }) => Promise<void>;
}

/**
 * The training procedure of the lectures on the actor engine: for each epoch, train on every
 * batch, validate, let the callbacks act (stop early, reduce the learning rate, keep the best
 * model, log); everything is also published on `events$`.
 */
export class Trainer {
  readonly events$ = new Subject<EngineEvent>();

  async fit(model: nn.Sequential, data: Data | DataInput, options: FitOptionsInput): Promise<History> {
    // Every option and the data are checked (and normalised) before anything is built.
    const o = parseFitOptions(options);
    const { train, validation } = checkFitData(model, data, o);
    let trainData = train;
    let valData = validation;
    if (o.validationSplit !== undefined) {
      const n = train.x.shape[0]!;
      const nVal = Math.max(1, Math.round(n * o.validationSplit));
      valData = { x: train.x.narrow(0, n - nVal, nVal), y: train.y.narrow(0, n - nVal, nVal) };
      trainData = { x: train.x.narrow(0, 0, n - nVal), y: train.y.narrow(0, 0, n - nVal) };
    }
    const metrics = o.metrics ?? [];
    const callbacks = o.callbacks ?? [];
    const names = new Set<string>();
    for (const c of callbacks) {
      if (names.has(c.name)) throw new RangeError(`fit: two callbacks are named '${c.name}'; names must be unique (checkpoints key their state by name)`);
      names.add(c.name);
    }
    const schedule = o.schedule ? buildSchedule(o.schedule) : null;
    const baseLr = Number(o.optimizer.options.lr ?? 1e-3);
    const resume = o.resume;
    let lrOverride: number | null = resume?.lrOverride ?? null;
    const lrAt = (step: number) => lrOverride ?? (schedule ? schedule(step) : baseLr);
    const engine = await Engine.create({
      model,
      loss: o.loss,
      optimizer: o.optimizer,
      schedule: lrAt,
      placement: o.placement,
      seed: o.seed ?? 0,
      clipNorm: o.clipNorm ?? null,
      returnPredictions: metrics.length > 0,
    });
    const sub = engine.events$.subscribe((e) => this.events$.next(e));
    if (resume) {
      engine.loadOptimizerStates(resume.optimizerStates, resume.optimizerChunk ?? LEGACY_CHUNK);
      engine.stepCount = resume.step;
      for (const c of callbacks) if (c.setState && c.name in resume.callbacks) c.setState(resume.callbacks[c.name]);
    }
    const loader = new coreData.DataLoader(new coreData.TensorDataset(trainData.x, trainData.y), {
      batchSize: o.batchSize,
      shuffle: o.shuffle ?? true,
      seed: o.seed ?? 0,
      // A last batch smaller than the shard count cannot be split; it is dropped.
      dropLast: trainData.x.shape[0]! % o.batchSize !== 0 && trainData.x.shape[0]! % o.batchSize < engine.placement.shards,
    });
    const history: History = resume ? structuredClone(resume.history) : { epochs: [], metrics: {}, stopReason: 'completed', steps: 0 };
    let epoch = resume?.epoch ?? 0;
    const trainingState = (): TrainingState => ({
      epoch,
      step: engine.stepCount,
      optimizerStates: engine.optimizerStates,
      optimizerChunk: CHUNK,
      lrOverride,
      callbacks: Object.fromEntries(callbacks.filter((c) => c.state).map((c) => [c.name, c.state!()])),
      history,
    });
    const ctx: TrainContext = {
      model,
      engine,
      get epoch() {
        return epoch;
      },
      get step() {
        return engine.stepCount;
      },
      epochs: o.epochs,
      stepsPerEpoch: loader.length,
      history,
      stopTraining: false,
      stopReason: null,
      get lrOverride() {
        return lrOverride;
      },
      set lrOverride(v: number | null) {
        lrOverride = v;
      },
      currentLr: () => lrAt(engine.stepCount),
      saveCheckpoint: async (path, reason) => {
        await (o.checkpointWriter ?? saveCheckpoint)(path, { model, state: trainingState(), options: o });
        engine.emit({ type: 'checkpoint', epoch, step: engine.stepCount, path, reason });
      },
      emit: (e) => engine.emit(e),
    };
    const stop = (reason: string) => {
      ctx.stopTraining = true;
      ctx.stopReason ??= reason;
    };
    const abort = () => stop('aborted');
    o.signal?.addEventListener('abort', abort);
    if (o.signal?.aborted) abort();
    engine.emit({ type: 'run', phase: 'start', epochs: o.epochs, stepsPerEpoch: loader.length });
    try {
      model.train();
      for (const c of callbacks) await c.onTrainBegin?.(ctx);
      while (epoch < o.epochs && !ctx.stopTraining) {
        for (const c of callbacks) await c.onEpochBegin?.(epoch, ctx);
        loader.setEpoch(epoch);
        const acc = new MetricAccumulator(o.loss, metrics);
        let lossSum = 0;
        let seen = 0;
        for (const batch of loader) {
          if (ctx.stopTraining) break;
          let r: Awaited<ReturnType<Engine['step']>>;
          try {
            r = await engine.step(batch);
          } catch (e) {
            if (e instanceof NonFiniteError) {
              engine.emit({ type: 'nonfinite', step: e.step, what: e.what, value: e.value });
              stop(`non-finite ${e.what} at step ${e.step}`);
              break;
            }
            throw e;
          }
          lossSum += r.loss * r.samples;
          seen += r.samples;
          if (r.predictions) acc.add(r.predictions, batch.y);
          const logs: Logs = { loss: r.loss, lr: r.lr, gradNorm: r.gradNorm };
          for (const c of callbacks) await c.onBatchEnd?.(r.step, logs, ctx);
        }
        if (seen === 0) break;
        const logs: Logs = { ...acc.result(), loss: lossSum / seen };
        if (valData) {
          const v = this.evaluate(model, valData, { loss: o.loss, metrics, batchSize: Math.max(o.batchSize, 256) });
          for (const [k, val] of Object.entries(v)) logs[`val_${k}`] = val;
        }
        logs.lr = lrAt(engine.stepCount);
        history.epochs.push(epoch);
        for (const [k, v] of Object.entries(logs)) {
          history.metrics[k] ??= [];
          history.metrics[k].push(v);
        }
        history.steps = engine.stepCount;
        epoch++;
        engine.emit({ type: 'epoch', epoch: epoch - 1, step: engine.stepCount, logs });
        // Callbacks see the epoch as finished: `ctx.epoch` now counts completed epochs.
        for (const c of callbacks) await c.onEpochEnd?.(epoch - 1, logs, ctx);
      }
      history.stopReason = ctx.stopReason ?? 'completed';
      for (const c of callbacks) await c.onTrainEnd?.(ctx);
      engine.emit({ type: 'run', phase: 'end', epochs: o.epochs, stepsPerEpoch: loader.length, reason: history.stopReason });
      return history;
    } finally {
      o.signal?.removeEventListener('abort', abort);
      sub.unsubscribe();
      await engine.close();
    }
  }

  /** Mean loss and metrics over a data set, in evaluation mode (no dropout), on the calling thread. */
  evaluate(model: nn.Module, data: Data | DataInput, options: EvaluateOptions): Logs {
    const { loss, metrics = [], batchSize = 256 } = parseEvaluateOptions(options);
    const d = toData('evaluate', 'evaluation data', data, model, loss);
    const acc = new MetricAccumulator(loss, metrics);
    const n = d.x.shape[0]!;
    const was = model.training;
    model.eval();
    try {
      noGrad(() => {
        for (let s = 0; s < n; s += batchSize) {
          const len = Math.min(batchSize, n - s);
          acc.add(model.forward(d.x.narrow(0, s, len)), d.y.narrow(0, s, len));
        }
      });
    } finally {
      model.train(was);
    }
    return acc.result();
  }

  /** The model's outputs for every row of x, in evaluation mode. */
  predict(model: nn.Module, input: Tensor | number[][], options?: PredictOptions): Tensor {
    const { batchSize = 256 } = parsePredictOptions(options);
    const x = toInputs('predict', 'x', input, model);
    const n = x.shape[0]!;
    const was = model.training;
    model.eval();
    try {
      return noGrad(() => {
        const parts: Tensor[] = [];
        for (let s = 0; s < n; s += batchSize) parts.push(model.forward(x.narrow(0, s, Math.min(batchSize, n - s))));
        if (parts.length === 0) return zeros([0]);
        const out = zeros([n, ...parts[0]!.shape.slice(1)], { dtype: parts[0]!.dtype });
        let off = 0;
        for (const p of parts) {
          out.data.set(p.data, off);
          off += p.size;
        }
        return out;
      });
    } finally {
      model.train(was);
    }
  }
}

