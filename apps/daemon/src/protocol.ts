/**
 * The messages between the daemon and a job process (Node's IPC channel of `child_process.fork`).
 *
 * @module
 */
import type { VizEvent } from '@actorgrad/viz-server';
import type { CheckpointRow, Control } from './store.js';

/** What the daemon tells a job process. */
export type ToJob =
  | {
      type: 'start';
      id: string;
      name: string;
      spec: unknown;
      baseDir: string;
      runDir: string;
      /** Checkpoints to resume from, newest first (the first that loads is used); empty: a fresh start. */
      resume: string[];
      control: Control;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop'; reason: string }
  /** The daemon is shutting down: checkpoint at the next step boundary and exit; the job resumes at the next start. */
  | { type: 'shutdown' }
  | { type: 'set'; lr: number }
  | { type: 'snapshot' };

/** How a job process ended its run. */
export type JobEnd = 'finished' | 'stopped' | 'failed' | 'interrupted';

/** What a job process tells the daemon, in order. */
export type FromJob =
  | { type: 'started'; resumedFrom: { path: string; step: number } | null; epochs: number; steps: number }
  | { type: 'events'; events: { e: VizEvent; t: number }[] }
  | { type: 'checkpoint'; checkpoint: Omit<CheckpointRow, 'job'> }
  | { type: 'done'; end: JobEnd; reason: string };
