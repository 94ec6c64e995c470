import { type Tensor, data as coreData, type nn, noGrad, zeros } from '@actorgrad/core';
import { Subject } from 'rxjs';
import { saveCheckpoint } from '../checkpoint/checkpoint.js';
import type { EngineEvent } from '../events.js';
import type { Placement } from '../main/placement.js';
import type { RunConfig, TrainingState } from '../run-state.js';
import type { Callback, Data, History, Logs } from './callback.js';
import { type Verbosity, progressForVerbose } from './callbacks/progress-bar.js';
import { FitRun } from './fit-run.js';
import { MetricAccumulator } from './metrics.js';
import { checkFitData, toData, toInputs } from './check-data.js';
import { type DataInput, type EvaluateOptions, type FitOptionsInput, parseEvaluateOptions, parseFitOptions, parsePredictOptions } from './fit-options.js';
import { type PredictOptions, predictionsAs } from './predict.js';

/** The options of {@link Trainer.fit}: the run's {@link RunConfig} and how to run it. */
export interface FitOptions extends RunConfig {
  validationData?: Data;
  /** Hold out this last fraction of the training rows for validation (before shuffling, like Keras). */
  validationSplit?: number;
  callbacks?: Callback[];
  placement?: Placement;
  shuffle?: boolean;
  /** Stops the run at the next step boundary (`history.stopReason` 'aborted'; checkpoints save on stop). */
  signal?: AbortSignal;
  /**
   * Stops the run at the next step boundary on these process signals — `true`: SIGINT (Ctrl-C)
   * and SIGTERM — after which `fit` resolves with the history and checkpoints that save on stop
   * are written. A second signal ends the process as it would without this option.
   */
  stopOnSignals?: boolean | NodeJS.Signals[];
  /**
   * A step whose loss or gradient norm is NaN or infinite is never applied; the run then stops.
   * 'throw' (default): `fit` rejects with a `NonFiniteLossError` (step, value, history); 'stop':
   * `fit` resolves with the history, whose `stopReason` names the step.
   */
  onNonFinite?: 'stop' | 'throw';
  /** Continue a run from a checkpoint's training state. */
  resume?: TrainingState;
  /**
   * Progress output on stdout: 0 (default) silent — a library embedded in a daemon should not
   * print unasked (Keras defaults to 'auto'); 1 a bar redrawn in place and a line per epoch; 2 one
   * line per epoch; 'auto' 1 on a TTY, else 2. See `progressBar` for the callback behind it.
   */
  verbose?: Verbosity;
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
    const callbacks = [...progressForVerbose(o.verbose), ...(o.callbacks ?? [])];
    const names = new Set<string>();
    for (const c of callbacks) {
      if (names.has(c.name)) throw new RangeError(`fit: two callbacks are named '${c.name}'; names must be unique (checkpoints key their state by name)`);
      names.add(c.name);
    }
    const metrics = o.metrics ?? [];
    const run = await FitRun.start({
      model,
      train: trainData,
      validation: valData,
      options: o,
      callbacks,
      events$: this.events$,
      evaluate: (d) => this.evaluate(model, d, { loss: o.loss, metrics, batchSize: Math.max(o.batchSize, 256) }),
      writer: o.checkpointWriter ?? saveCheckpoint,
    });
    try {
      run.listen();
      return await run.train();
    } finally {
      await run.close();
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

  /** The model's outputs for every row of x, in evaluation mode, or their probabilities or classes (see `predictionsAs`). */
  predict(model: nn.Module, input: Tensor | number[][], options?: PredictOptions): Tensor {
    const { batchSize = 256, returns = 'raw' } = parsePredictOptions(options);
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
        return predictionsAs(returns, out, model);
      });
    } finally {
      model.train(was);
    }
  }
}

