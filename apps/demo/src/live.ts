/**
 * `--viz` for the lecture demos. They train with core and optim directly, not through the Trainer,
 * so the Trainer's viz callback never sees them; instead each training loop reports its loss here,
 * and this records the same events (`config`, `state`, `step`, `epoch`) into the live view's store
 * (`@actorgrad/viz-server`'s `RunSink`: a server's `RunStore`, or any other sink), one run per
 * curve. Without `--viz` a demo gets `noLive`, which records nothing.
 *
 * @module
 */
import type { nn } from '@actorgrad/core';
import { type RunRecorder, type RunSink, summary } from '@actorgrad/viz-server';

/** One curve of a demo (one training run), streamed as it trains. */
export interface LiveRun {
  /** The loss (and, when known, the learning rate) after step `step` (1, 2, …). */
  step(step: number, loss: number, lr?: number): void;
  /** The end of epoch `epoch` (0-based) after step `step`, with its metrics (e.g. `{ accuracy }`). */
  epoch(epoch: number, step: number, logs: Record<string, number>): void;
  /** The run finished (or failed, with a reason). */
  end(reason?: string): void;
}

/** What a demo asks for a run: its name, and what the page shows as its configuration. */
export interface LiveRunOptions {
  /** The network, for the layer table and the parameter count. */
  model?: nn.Module;
  /** The optimiser and its settings, shown as given. */
  optimizer?: unknown;
  epochs?: number;
  stepsPerEpoch?: number;
}

/** Where a demo streams its runs. */
export interface Live {
  run(name: string, options?: LiveRunOptions): LiveRun;
}

const silent: LiveRun = { step() {}, epoch() {}, end() {} };

/** Records nothing (a demo run without `--viz`). */
export const noLive: Live = { run: () => silent };

/** Streams every run a demo starts into `sink` (with `--viz`, the server's store). */
export function liveSink(sink: RunSink): Live {
  return {
    run(name, o = {}) {
      const r: RunRecorder = sink.create(name);
      const layers = o.model ? summary(o.model) : [];
      r.record({
        type: 'config',
        config: {
          name,
          layers,
          totalParams: layers.reduce((n, l) => n + l.params, 0),
          optimizer: o.optimizer ?? null,
          schedule: null,
          epochs: o.epochs ?? 1,
          stepsPerEpoch: o.stepsPerEpoch ?? 1,
          histogramEvery: 0,
        },
      });
      r.record({ type: 'state', state: 'running', reason: '' });
      let last = performance.now();
      return {
        step(step, loss, lr = Number.NaN) {
          const now = performance.now();
          r.record({ type: 'step', step, loss, lr, gradNorm: Number.NaN, samples: 0, samplesPerSec: 0, ms: now - last });
          last = now;
        },
        epoch(epoch, step, logs) {
          r.record({ type: 'epoch', epoch, step, logs });
        },
        end(reason) {
          if (r.state === 'running') r.record({ type: 'state', state: reason ? 'failed' : 'finished', reason: reason ?? 'completed' });
        },
      };
    },
  };
}
