/**
 * The queue of one daemon: the store's `jobs` table. Jobs that were running when the daemon
 * stopped go first, then the queued ones, oldest first; `concurrency` run at a time.
 *
 * @module
 */
import type { Store } from '../store.js';
import type { Sweeps } from '../sweep/index.js';
import type { Supervisor } from '../supervisor.js';
import type { JobQueue } from './index.js';

export class LocalQueue implements JobQueue {
  readonly kind = 'local';
  private started = false;

  constructor(
    private readonly store: Store,
    private readonly sup: Supervisor,
    private readonly sweeps: Sweeps,
    private readonly concurrency = 1,
  ) {}

  async start(): Promise<void> {
    this.started = true;
    this.schedule();
  }

  async submit(j: Parameters<JobQueue['submit']>[0]): Promise<string> {
    const row = this.store.addJob(j);
    this.sup.apply(row.id, { type: 'submitted', job: { ...j, id: row.id, createdAt: row.createdAt } }, true);
    this.schedule();
    return row.id;
  }

  async sweepId(): Promise<string> {
    return `s${this.store.sweeps().length + 1}`;
  }

  async withdraw(): Promise<void> {} // A job that is not 'queued' is not picked.

  async requeue(): Promise<void> {
    this.schedule();
  }

  async forward(): Promise<boolean> {
    return false; // Every running job is this daemon's.
  }

  async sync(): Promise<void> {} // Records are applied at once.

  async close(): Promise<void> {
    this.started = false;
    await this.sup.shutdown();
  }

  /** The next job to start: one that was running when the daemon stopped, else the oldest queued. */
  private next() {
    const free = (j: { id: string }) => this.sup.free(j.id);
    return this.store.jobs("state IN ('running', 'paused')").find(free) ?? this.store.jobs("state = 'queued'").find(free) ?? null;
  }

  /** Starts jobs while there are free slots. */
  private schedule(): void {
    while (this.started && this.sup.active < this.concurrency) {
      const job = this.next();
      if (!job) return;
      void this.sup.run(job).then(async (out) => {
        if (['finished', 'failed', 'stopped', 'removed'].includes(out.end)) await this.sweeps.trialEnded(job);
        this.schedule();
      });
    }
  }
}
