/**
 * A job process: the daemon forks one per running job (so a job that crashes never takes the
 * daemon down), sends it `start`, and reads its events, checkpoints and end over IPC (see
 * `protocol.ts`). It builds the run from the spec, resumes from the newest checkpoint that loads,
 * trains with the Trainer, and obeys pause / resume / stop / set lr / snapshot at step boundaries.
 *
 * Order matters for crash safety: before telling the daemon about a checkpoint at step S it sends
 * every event up to S, so an indexed checkpoint always has its metrics in the store.
 *
 * If the daemon dies (the IPC channel closes) the process exits at once: the daemon's next start
 * resumes the job from the last checkpoint it indexed.
 *
 * @module
 */
import { join } from 'node:path';
import { type Callback, type TrainContext, Trainer, loadCheckpoint } from '@actorgrad/runtime';
import { type RunRecorder, type RunSink, type RunState, type VizEvent, vizCallback } from '@actorgrad/viz-server';
import type { FromJob, JobEnd, ToJob } from './protocol.js';
import { checkpointPolicy } from './policy.js';
import { buildJob } from './spec/index.js';
import type { CheckpointRow, Control } from './store.js';

type Start = Extract<ToJob, { type: 'start' }>;

function send(m: FromJob): void {
  process.send?.(m);
}

/** Events the viz callback records, sent to the daemon in batches (every 200 ms and before a checkpoint). */
class Relay implements RunSink {
  private pending: { e: VizEvent; t: number }[] = [];
  private readonly timer = setInterval(() => this.flush(), 200);

  create(): RunRecorder {
    let state: RunState = 'running';
    return {
      get state() {
        return state;
      },
      record: (e) => {
        this.push(e);
        if (e.type === 'state') state = e.state;
      },
    };
  }

  push(e: VizEvent): void {
    if (e.type !== 'message') this.pending.push({ e, t: Date.now() });
  }

  flush(): void {
    if (this.pending.length === 0) return;
    send({ type: 'events', events: this.pending });
    this.pending = [];
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** What the daemon asked for, applied at the next step boundary. */
class Controls {
  paused: boolean;
  lr: number | null;
  stop: { reason: string; end: JobEnd } | null = null;
  snapshot = false;
  private wake: (() => void) | null = null;

  constructor(c: Control) {
    this.paused = c.paused;
    this.lr = c.lr;
  }

  apply(m: ToJob): void {
    if (m.type === 'pause') this.paused = true;
    if (m.type === 'resume') this.paused = false;
    if (m.type === 'stop') this.stop = { reason: m.reason, end: 'stopped' };
    if (m.type === 'shutdown') this.stop = { reason: 'the daemon is shutting down', end: 'interrupted' };
    if (m.type === 'set') this.lr = m.lr;
    if (m.type === 'snapshot') this.snapshot = true;
    this.wake?.();
  }

  /** Resolves at the next message. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
    });
  }
}

type Save = (ctx: TrainContext, kind: CheckpointRow['kind'], file: string, reason: string) => Promise<void>;

/**
 * Writes a checkpoint under `dir` and tells the daemon, after every event before it. The same step
 * saved again under the same name (a final save right after an epoch's) is not written twice: it
 * is only indexed under its new kind.
 */
function checkpointSaver(dir: string, relay: Relay): Save {
  let last = '';
  return async (ctx, kind, file, reason) => {
    const path = join(dir, file);
    if (kind === 'best' || last !== `${ctx.step}:${path}`) await ctx.saveCheckpoint(path, reason);
    last = `${ctx.step}:${path}`;
    relay.flush();
    send({ type: 'checkpoint', checkpoint: { path, step: ctx.step, epoch: ctx.epoch, kind, t: Date.now() } });
  };
}

/** The callback that saves checkpoints by the spec's policy and carries out the daemon's controls. */
function jobCallback(start: Start, controls: Controls, relay: Relay, policy: ReturnType<typeof checkpointPolicy>): Callback {
  const save = checkpointSaver(join(start.runDir, 'checkpoints'), relay);
  let lrApplied: number | null = null;
  let best: number | null = null;
  let interrupted = false;
  const note = (ctx: TrainContext, action: 'pause' | 'resume' | 'stop' | 'set' | 'snapshot' | 'resumed', detail: string) =>
    relay.push({ type: 'control', step: ctx.step, action, detail });
  const stopIfAsked = (ctx: TrainContext) => {
    if (!controls.stop) return;
    ctx.stopTraining = true;
    ctx.stopReason = controls.stop.reason;
  };
  const snapshot = async (ctx: TrainContext) => {
    if (!controls.snapshot) return;
    controls.snapshot = false;
    note(ctx, 'snapshot', 'checkpoint asked for');
    await save(ctx, 'snapshot', `snapshot-${ctx.step}.safetensors`, 'snapshot asked for');
  };
  const applyLr = (ctx: TrainContext) => {
    if (controls.lr === lrApplied) return;
    ctx.lrOverride = controls.lr;
    if (lrApplied !== null || controls.lr !== start.control.lr) note(ctx, 'set', `lr = ${controls.lr}`);
    lrApplied = controls.lr;
  };
  /** At a step boundary: waits while the job is paused, taking lr changes and snapshots meanwhile. */
  const holdWhilePaused = async (ctx: TrainContext) => {
    if (!controls.paused || controls.stop) return;
    note(ctx, 'pause', '');
    relay.flush();
    while (controls.paused && !controls.stop) {
      await controls.next();
      applyLr(ctx);
      await snapshot(ctx);
      relay.flush();
    }
    if (!controls.stop) note(ctx, 'resume', '');
  };
  return {
    name: 'daemon',
    async onTrainBegin(ctx) {
      applyLr(ctx);
      // A job paused when the daemon stopped stays paused: not one step before it is resumed.
      await holdWhilePaused(ctx);
      stopIfAsked(ctx);
    },
    async onBatchEnd(_index, _logs, ctx) {
      // ctx.step counts the steps done (the step event's `step` is the 0-based index of the step).
      const step = ctx.step;
      applyLr(ctx);
      await snapshot(ctx);
      if (policy.everySteps && step % policy.everySteps === 0) await save(ctx, 'periodic', `step-${step}.safetensors`, `every ${policy.everySteps} steps`);
      await holdWhilePaused(ctx);
      if (controls.stop?.end === 'stopped') note(ctx, 'stop', controls.stop.reason);
      stopIfAsked(ctx);
    },
    async onEpochEnd(epoch, logs, ctx) {
      if (policy.everyEpochs && (epoch + 1) % policy.everyEpochs === 0) await save(ctx, 'periodic', `step-${ctx.step}.safetensors`, `every ${policy.everyEpochs} epoch(s)`);
      const v = policy.best ? logs[policy.best.monitor] : undefined;
      if (policy.best && v !== undefined && (best === null || (policy.best.mode === 'max' ? v > best : v < best))) {
        best = v;
        await save(ctx, 'best', 'best.safetensors', `${policy.best.monitor} = ${v}`);
      }
    },
    async onInterrupt(ctx) {
      interrupted = true;
      await save(ctx, 'stop', `step-${ctx.step}.safetensors`, ctx.stopReason ?? 'stopped');
    },
    async onTrainEnd(ctx) {
      // The run's end (all epochs, or early stopping at an epoch's end) is the final checkpoint. A stop
      // asked for that took effect at an epoch's last step did not cut the epoch short (no
      // onInterrupt): its checkpoint is still the stop's.
      if (!interrupted) await save(ctx, controls.stop ? 'stop' : 'final', `step-${ctx.step}.safetensors`, ctx.stopReason ?? 'the run ended');
    },
    state: () => ({ best }),
    setState(s) {
      best = (s as { best: number | null }).best;
    },
  };
}

/** Loads the first of `paths` that loads whole; null when none does (or none was given). */
async function firstLoadable(paths: string[]) {
  for (const path of paths) {
    try {
      return { path, ck: await loadCheckpoint(path) };
    } catch (e) {
      process.stderr.write(`job: checkpoint ${path} does not load (${(e as Error).message}); trying an older one\n`);
    }
  }
  return null;
}

async function run(start: Start, controls: Controls): Promise<{ end: JobEnd; reason: string }> {
  const relay = new Relay();
  try {
    const built = await buildJob(start.spec as never, { baseDir: start.baseDir, runDir: start.runDir });
    const resumed = await firstLoadable(start.resume);
    const model = resumed ? resumed.ck.model : built.model;
    const epochs = built.fitOptions.epochs as number;
    const stepsPerEpoch = Math.ceil(built.train.x.shape[0]! / (built.fitOptions.batchSize as number));
    send({ type: 'started', resumedFrom: resumed ? { path: resumed.path, step: resumed.ck.state.step } : null, epochs, steps: epochs * stepsPerEpoch });
    if (resumed) relay.push({ type: 'control', step: resumed.ck.state.step, action: 'resumed', detail: `from ${resumed.path}` });
    const callbacks: Callback[] = [vizCallback(relay, { name: start.name }), ...built.callbacks, jobCallback(start, controls, relay, checkpointPolicy(start.spec as never))];
    const history = await new Trainer().fit(model, built.train, {
      ...built.fitOptions,
      ...(built.validation ? { validationData: built.validation } : {}),
      callbacks,
      verbose: 0,
      onNonFinite: 'stop',
      ...(resumed ? { resume: resumed.ck.state } : {}),
    });
    const reason = history.stopReason || 'completed';
    if (controls.stop) return { end: controls.stop.end, reason: controls.stop.reason };
    return { end: /non-finite/i.test(reason) ? 'failed' : 'finished', reason };
  } catch (e) {
    return { end: 'failed', reason: (e as Error).message };
  } finally {
    relay.close();
  }
}

process.on('disconnect', () => process.exit(0));
process.once('message', (first: ToJob) => {
  if (first.type !== 'start') throw new Error(`job: expected 'start' first, got '${first.type}'`);
  const controls = new Controls(first.control);
  process.on('message', (m: ToJob) => controls.apply(m));
  void run(first, controls).then(({ end, reason }) => {
    process.send?.({ type: 'done', end, reason } satisfies FromJob, () => process.exit(0));
  });
});
