import type { nn } from '@actorgrad/core';
import type { Callback, TrainContext } from '@actorgrad/runtime';
import { binValues } from './histogram.js';
import type { RunRecorder, RunSink } from './store.js';
import type { LayerSummary, ParamHistogram, RunConfig } from './types.js';

/** Options of `viz.callback()`. */
export interface VizCallbackOptions {
  /** The run's name on the page (default 'run'); made unique among the server's runs. */
  name?: string;
  /** Bin weights and gradients every this many steps (default 50; 0 = never). */
  histogramEvery?: number;
  /** Bins per histogram (default 30). */
  bins?: number;
  /** The optimiser and schedule to show (by default read from the engine's options, when it has them). */
  optimizer?: unknown;
  schedule?: unknown;
}

interface Subscription {
  unsubscribe(): void;
}

/**
 * A callback that records one `fit` run into `store`: it subscribes to `ctx.engine.events$` in
 * `onTrainBegin` (after recording the config), unsubscribes in `onTrainEnd` (recording the run's end
 * state), and bins every parameter's weights and gradients every `histogramEvery` steps. If the
 * engine's stream ends before `onTrainEnd` (the run failed), the run is marked failed with the
 * latest 'error' event's message.
 */
export function vizCallback(store: RunSink, o: VizCallbackOptions = {}): Callback {
  const every = o.histogramEvery ?? 50;
  if (!Number.isInteger(every) || every < 0) throw new RangeError(`viz.callback: histogramEvery must be a non-negative integer, got ${String(o.histogramEvery)}`);
  let run: RunRecorder | null = null;
  let sub: Subscription | null = null;
  let lastError = '';
  return {
    name: 'viz',
    onTrainBegin(ctx) {
      run = store.create(o.name ?? 'run');
      const r = run;
      r.record({ type: 'config', config: configOf(ctx, o, every) });
      r.record({ type: 'state', state: 'running', reason: '' });
      sub = ctx.engine.events$.subscribe({
        next: (e) => {
          if (e.type === 'error') lastError = e.message;
          r.record(e);
        },
        complete: () => {
          if (r.state === 'running') r.record({ type: 'state', state: 'failed', reason: lastError || 'the engine closed before the run ended' });
        },
      });
    },
    onBatchEnd(step, _logs, ctx) {
      if (run && every > 0 && step % every === 0) run.record({ type: 'histogram', step, params: histogramsOf(ctx, o.bins ?? 30) });
    },
    onEpochEnd(_epoch, _logs, ctx) {
      if (run && ctx.stopTraining && ctx.stopReason) run.record({ type: 'warning', step: ctx.step, message: `stopping: ${ctx.stopReason}` });
    },
    onTrainEnd(ctx) {
      sub?.unsubscribe();
      sub = null;
      const reason = ctx.history.stopReason || 'completed';
      const failed = /non-finite|error|failed/i.test(reason);
      run?.record({ type: 'state', state: failed ? 'failed' : 'finished', reason });
      run = null;
    },
  };
}

/** The model summary, optimiser, schedule and shape of the run. */
function configOf(ctx: TrainContext, o: VizCallbackOptions, every: number): RunConfig {
  const layers = summary(ctx.model);
  return {
    name: o.name ?? 'run',
    layers,
    totalParams: layers.reduce((n, l) => n + l.params, 0),
    optimizer: o.optimizer ?? ctx.config.optimizer,
    schedule: o.schedule ?? ctx.config.schedule ?? null,
    epochs: ctx.epochs,
    stepsPerEpoch: ctx.stepsPerEpoch,
    histogramEvery: every,
  };
}

/** Each direct child of the model: its name, class, parameter count and parameter shapes. */
export function summary(model: nn.Module): LayerSummary[] {
  return model.namedChildren().map(([name, m]) => {
    const params = m.namedParameters();
    return {
      name,
      type: typeName(m),
      params: params.reduce((n, [, p]) => n + p.size, 0),
      shapes: Object.fromEntries(params.map(([k, p]) => [k, [...p.shape]])),
    };
  });
}

/** 'Linear', 'Dropout', … — an activation by its kind: 'relu'. */
function typeName(m: nn.Module): string {
  const kind = (m as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind : m.constructor.name;
}

function histogramsOf(ctx: TrainContext, bins: number): ParamHistogram[] {
  const grads = ctx.engine.lastGradients();
  return ctx.model.namedParameters().map(([name, p]) => ({
    name,
    weights: binValues(p.data as ArrayLike<number>, bins),
    grads: grads[name] ? binValues(grads[name] as ArrayLike<number>, bins) : null,
  }));
}
