/**
 * The daemon's queue: which job runs when, and where. Two backends behind one interface:
 *
 * - `LocalQueue` (`local.ts`): the store's `jobs` table; one daemon, `concurrency` jobs at a time.
 * - `RedisQueue` (`redis.ts`): BullMQ on Redis; every daemon started on the same Redis takes jobs
 *   from one queue, and a job whose daemon dies is handed to another (BullMQ's stalled-job check).
 *
 * Everything else — the job processes, the records of a job, checkpoints, controls, sweeps — is the
 * same for both.
 *
 * @module
 */
import type { JobRow, NewJob } from '../store.js';

/** A control a user gives a job (CLI or HTTP). */
export type Action = { action: 'pause' | 'resume' | 'stop' | 'snapshot' } | { action: 'set'; lr: number };

export interface JobQueue {
  readonly kind: 'local' | 'redis';
  /** Starts taking jobs. */
  start(): Promise<void>;
  /** Queues a validated job (recording it as submitted); resolves to its id. */
  submit(j: NewJob): Promise<string>;
  /** A new sweep's id (`s1`, `s2`, …), unique in the queue. */
  sweepId(): Promise<string>;
  /** Takes a queued job out of the queue (a user stopped it before it ran). */
  withdraw(id: string): Promise<void>;
  /** Puts a stopped job back in the queue; it resumes from its last checkpoint. */
  requeue(job: JobRow): Promise<void>;
  /** Hands a control to the daemon that runs the job (a shared queue); false when none does. */
  forward(job: JobRow, a: Action): Promise<boolean>;
  /** Resolves when what this daemon recorded is in its store (a shared queue's log is applied to its end). */
  sync(): Promise<void>;
  /** Stops taking jobs; running jobs checkpoint at their next step boundary and stop (they resume later). */
  close(): Promise<void>;
}

export { LocalQueue } from './local.js';
