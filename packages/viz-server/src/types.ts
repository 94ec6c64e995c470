import type { EngineEvent } from '@actorgrad/runtime';

/** One parameter tensor's values binned: `counts[i]` values in `[min + i·w, min + (i+1)·w)`, w = (max − min)/bins. */
export interface Bins {
  min: number;
  max: number;
  counts: number[];
}

/** A layer parameter's weight and gradient histograms at one step. */
export interface ParamHistogram {
  name: string;
  weights: Bins;
  grads: Bins | null;
}

/** One layer of the model summary. */
export interface LayerSummary {
  name: string;
  type: string;
  params: number;
  shapes: Record<string, number[]>;
}

/** What the page shows as the run's configuration. */
export interface RunConfig {
  name: string;
  layers: LayerSummary[];
  totalParams: number;
  optimizer: unknown;
  schedule: unknown;
  epochs: number;
  stepsPerEpoch: number;
  histogramEvery: number;
}

/** The events the viz server records: the engine's, plus its own. */
export type VizEvent =
  | EngineEvent
  | { type: 'config'; config: RunConfig }
  | { type: 'histogram'; step: number; params: ParamHistogram[] }
  | { type: 'state'; state: RunState; reason: string }
  /** A person acted on the run (a daemon's pause, resume, stop, learning-rate change, snapshot). */
  | { type: 'control'; step: number; action: 'pause' | 'resume' | 'stop' | 'set' | 'snapshot' | 'resumed'; detail: string };

/** A run's state; a daemon's jobs also wait (queued), pause and are stopped by a person. */
export type RunState = 'queued' | 'running' | 'paused' | 'finished' | 'failed' | 'stopped';

/** A recorded event: its id (1, 2, … per run), milliseconds since the run began, the event. */
export interface Recorded {
  id: number;
  t: number;
  e: VizEvent;
}
