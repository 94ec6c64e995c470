/**
 * Issue 19: daemons on several machines sharing one queue (BullMQ on a real `redis-server`). Two
 * daemons with their own data directories and one shared checkpoint directory stand in for two
 * machines with a shared mount.
 *
 * 1. A sweep of 8 trials runs over both, each trial once, every result recorded on both.
 * 2. One daemon is SIGKILLed while it runs a job; the other takes the job over from its last
 *    checkpoint and finishes it; the weights and the losses equal an uninterrupted run's, bit for
 *    bit, and the two never run it at once.
 * 3. Redis is stopped and restarted during a sweep: the daemons say so, wait and go on; nothing is lost.
 * Also: controls given to one daemon reach the job on the other; a stop given while the job's
 * daemon is dead holds when the job is taken over.
 */
import { isProcessAlive } from '@actorgrad/io';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DaemonProcess, type RedisProcess, api, cli, isDone, startDaemon, startRedis, tempHome, waitJob } from './harness.js';
import { longSpec, smallSpec } from './specs.js';

type Job = { id: string; state: string; reason: string; step: number; steps: number; epoch: number; epochs: number; attempts: number; worker: string | null; pid: number | null };
type Trial = { id: string; trial: number; state: string; worker: string | null; params: Record<string, unknown>; metric: number | null; epoch: number; epochs: number };
type SweepView = { sweep: { id: string; total: number }; trials: Trial[] };
type Step = { step: number; loss: number };

const LOCK_MS = 8000;
const tmp = tempHome('actorgrad-queue-');
const shared = join(tmp.home, 'checkpoints');
const homes = { a: join(tmp.home, 'a'), b: join(tmp.home, 'b') };
let redis: RedisProcess;
const daemons: Record<'a' | 'b', DaemonProcess | null> = { a: null, b: null };

const start = (name: 'a' | 'b') => startDaemon(homes[name], ['--queue', redis.url, '--checkpoints', shared, '--name', name, '--lock-ms', String(LOCK_MS)]);
const d = (name: 'a' | 'b') => daemons[name]!;

beforeAll(async () => {
  for (const dir of [shared, homes.a, homes.b, join(tmp.home, 'redis')]) mkdirSync(dir, { recursive: true });
  redis = await startRedis(join(tmp.home, 'redis'));
  daemons.a = await start('a');
  daemons.b = await start('b');
}, 120_000);

afterAll(async () => {
  for (const x of Object.values(daemons)) if (x && x.child.exitCode === null) await x.terminate();
  await redis?.stop();
  tmp.cleanup();
}, 120_000);

/** Waits until every trial of a sweep is done, on the daemon asked. */
async function sweepDone(x: DaemonProcess, id: string, n: number, ms = 600_000): Promise<SweepView> {
  const end = Date.now() + ms;
  for (;;) {
    const { body } = await api<SweepView>(x, 'GET', `/api/sweeps/${id}`);
    if (body.trials?.length === n && body.trials.every(isDone)) return body;
    if (Date.now() > end) throw new Error(`sweep ${id} did not end in ${ms} ms: ${JSON.stringify(body).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The recorded steps and epochs of a job, as a daemon's store has them. */
async function recorded(x: DaemonProcess, id: string) {
  const steps = (await api<Step[]>(x, 'GET', `/api/jobs/${id}/steps`)).body;
  const logs = (await api<{ epochs: { epoch: number }[]; events: { type: string; t: number; data: { action?: string; step?: number } }[] }>(x, 'GET', `/api/jobs/${id}/logs`)).body;
  return { steps, epochs: logs.epochs.map((e) => e.epoch), events: logs.events };
}

function sweepFile(name: string, values: { lr: number[]; batchSize: number[] }, maxConcurrent: number): string {
  const file = join(tmp.home, `${name}.json`);
  const sweep = {
    name,
    base: smallSpec(name),
    params: { 'optimizer.options.lr': values.lr, batchSize: values.batchSize },
    search: { type: 'grid' },
    metric: { name: 'loss', mode: 'min' },
    budget: { maxJobs: 100, maxConcurrent },
  };
  writeFileSync(file, JSON.stringify(sweep));
  return file;
}

async function waitFor(ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not so after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exportLast(x: DaemonProcess, id: string): Promise<Buffer> {
  const res = await fetch(`${x.base}/api/jobs/${id}/export?which=last`, { headers: { Authorization: `Bearer ${x.token}` } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('two daemons on one Redis queue', () => {
  it('runs a sweep of 8 over both daemons, each trial once, every result recorded on both', async () => {
    const out = cli(homes.a, ['sweep', sweepFile('grid8', { lr: [0.003, 0.01, 0.03, 0.1], batchSize: [16, 32] }, 2)]);
    expect(out.status, out.stderr).toBe(0);
    const id = /^(s\d+)/.exec(out.stdout)?.[1];
    expect(id, out.stdout).toBeDefined();
    expect(out.stdout).toContain('8 trials');
    const onA = await sweepDone(d('a'), id!, 8);
    const onB = await sweepDone(d('b'), id!, 8);
    expect(onA.trials.map((t) => t.state)).toEqual(Array(8).fill('finished'));
    // Both machines took trials; each trial ran once.
    expect(new Set(onA.trials.map((t) => t.worker))).toEqual(new Set(['a', 'b']));
    for (const t of onA.trials) {
      const job = (await api<Job>(d('a'), 'GET', `/api/jobs/${t.id}`)).body;
      expect(job.attempts, `trial ${t.trial}`).toBe(1);
      expect(t.metric, `trial ${t.trial}`).not.toBeNull();
    }
    // The grid: every (lr, batch size) pair once.
    expect(new Set(onA.trials.map((t) => JSON.stringify(t.params))).size).toBe(8);
    // Each daemon has every result: the same trials, metrics and recorded steps.
    expect(onB.trials).toEqual(onA.trials);
    for (const t of onA.trials) {
      const [ra, rb] = [await recorded(d('a'), t.id), await recorded(d('b'), t.id)];
      const steps = 3 * Math.ceil(512 / Number(t.params.batchSize));
      expect(ra.steps.map((s) => s.step)).toEqual(Array.from({ length: steps }, (_, i) => i));
      expect(ra.epochs).toEqual([0, 1, 2]);
      expect(rb.steps).toEqual(ra.steps);
    }
    // Each daemon's live view has every trial, the ones the other ran too, with their steps.
    for (const x of ['a', 'b'] as const) {
      const runs = (await api<{ id: string; state: string; lastId: number }[]>(d(x), 'GET', '/api/runs')).body;
      for (const t of onA.trials) {
        const run = runs.find((r) => r.id === t.id);
        expect(run?.state, `${t.id} on ${x}`).toBe('finished');
        expect(run!.lastId).toBeGreaterThan(3 * Math.ceil(512 / Number(t.params.batchSize)));
      }
    }
    // The best trial first, and `ls --sweep` prints it.
    const metrics = onA.trials.map((t) => t.metric!);
    expect(metrics).toEqual([...metrics].sort((x, y) => x - y));
    const ls = cli(homes.b, ['ls', '--sweep', id!]);
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout.trim().split('\n')).toHaveLength(10);
    expect(ls.stdout).toMatch(/TRIAL\s+ID\s+STATE\s+WORKER\s+optimizer\.options\.lr\s+batchSize\s+LOSS/);
  }, 900_000);

  it('finishes a job on the other daemon when the one running it is SIGKILLed, bit-identical to an uninterrupted run', async () => {
    const spec = { ...smallSpec('takeover'), model: { layers: [
      { type: 'Linear', args: { inFeatures: 2, outFeatures: 256 } }, { type: 'Activation', args: { kind: 'relu' } },
      { type: 'Linear', args: { inFeatures: 256, outFeatures: 256 } }, { type: 'Activation', args: { kind: 'relu' } },
      { type: 'Linear', args: { inFeatures: 256, outFeatures: 1 } },
    ] }, data: { source: 'twoSpirals', n: 5120, noise: 0.05 }, epochs: 2, batchSize: 32, callbacks: { checkpoint: { everySteps: 10, keep: 2 } } };
    const file = join(tmp.home, 'takeover.json');
    writeFileSync(file, JSON.stringify(spec));
    // The reference: the same spec, not interrupted (submitted without a daemon, straight to the queue).
    const submit = () => {
      const r = cli(homes.a, ['submit', file, '--queue', redis.url]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const refId = submit();
    const ref = await waitJob<Job>(d('a'), refId, isDone, 600_000);
    expect(ref.state, ref.reason).toBe('finished');
    const expected = await exportLast(d('a'), refId);
    const refSteps = (await recorded(d('a'), refId)).steps;

    const id = submit();
    const running = await waitJob<Job>(d('a'), id, (j) => (j.state === 'running' && j.step >= 40) || isDone(j), 600_000);
    expect(running.state).toBe('running');
    const victim = running.worker as 'a' | 'b';
    const other = victim === 'a' ? 'b' : 'a';
    const pid = (await api<Job>(d(victim), 'GET', `/api/jobs/${id}`)).body.pid;
    expect(pid).toBeGreaterThan(0);
    await d(victim).kill();
    // Its job process goes with it (it exits when its daemon's channel closes).
    while (isProcessAlive(pid!)) await new Promise((r) => setTimeout(r, 20));
    const gone = Date.now();
    daemons[victim] = null;

    const job = await waitJob<Job>(d(other), id, isDone, 600_000);
    expect(job.state, job.reason).toBe('finished');
    expect(job.worker).toBe(other);
    expect(job.attempts).toBe(2);
    const rec = await recorded(d(other), id);
    const resumed = rec.events.filter((e) => e.type === 'control' && e.data.action === 'resumed');
    expect(resumed).toHaveLength(1);
    // Not two at once: the other daemon started its run after the first run's process was gone.
    expect(resumed[0]!.t).toBeGreaterThan(gone);
    expect(Buffer.compare(await exportLast(d(other), id), expected)).toBe(0);
    expect(rec.steps.map((s) => s.loss)).toEqual(refSteps.map((s) => s.loss));
    expect(rec.epochs).toEqual([0, 1]);
    // The killed daemon comes back, reads the log, and has the job as it ended.
    daemons[victim] = await start(victim);
    const back = await waitJob<Job>(d(victim), id, isDone, 60_000);
    expect(back.state).toBe('finished');
    expect((await recorded(d(victim), id)).steps).toEqual(rec.steps);
  }, 900_000);

  it('carries pause, set lr, snapshot, resume, stop and rm given to one daemon to the daemon that runs the job', async () => {
    const { body } = await api<{ id: string }>(d('a'), 'POST', '/api/jobs', { spec: longSpec('remote-controlled') });
    const id = body.id;
    const running = await waitJob<Job>(d('a'), id, (j) => j.state === 'running' && j.step > 5);
    const runner = running.worker as 'a' | 'b';
    const other = runner === 'a' ? 'b' : 'a';
    const ctl = async (action: string, payload?: unknown) => {
      const r = await api<{ forwardedTo?: string }>(d(other), 'POST', `/api/jobs/${id}/${action}`, payload);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.forwardedTo).toBe(runner);
    };
    await ctl('pause');
    await waitJob<Job>(d(other), id, (j) => j.state === 'paused');
    // The job pauses at its next step boundary and says at which step: no step after it, on either daemon.
    let pausedAt = -1;
    await waitFor(async () => {
      pausedAt = (await recorded(d(other), id)).events.find((e) => e.data.action === 'pause')?.data.step ?? -1;
      return pausedAt > 0;
    });
    await new Promise((r) => setTimeout(r, 800));
    const still = (await api<Job>(d(runner), 'GET', `/api/jobs/${id}`)).body;
    expect(still.step).toBe(pausedAt);
    expect((await api<Job>(d(other), 'GET', `/api/jobs/${id}`)).body.step).toBe(pausedAt);
    await ctl('set', { lr: 0.0005 });
    await ctl('snapshot');
    await waitJob<Job & { checkpoints: { kind: string }[] }>(d(other), id, (j) => j.checkpoints.some((c) => c.kind === 'snapshot'));
    await ctl('resume');
    await waitJob<Job>(d(other), id, (j) => j.step > still.step + 5);
    const steps = (await api<{ lr: number }[]>(d(other), 'GET', `/api/jobs/${id}/steps?after=${still.step}`)).body;
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) expect(s.lr).toBeCloseTo(0.0005, 12);
    await ctl('stop');
    const stopped = await waitJob<Job & { checkpoints: { kind: string; step: number }[] }>(d(other), id, isDone);
    expect(stopped.state).toBe('stopped');
    expect(stopped.checkpoints.some((c) => c.kind === 'stop' && c.step === stopped.step)).toBe(true);
    const actions = (await recorded(d(other), id)).events.filter((e) => e.type === 'control').map((e) => e.data.action);
    expect(actions).toEqual(['pause', 'set', 'snapshot', 'resume', 'stop']);
    // Removed on one daemon: gone from both, and its checkpoints from the shared directory.
    expect((await api(d(other), 'DELETE', `/api/jobs/${id}`)).status).toBe(200);
    for (const x of ['a', 'b'] as const) await waitFor(async () => (await api(d(x), 'GET', `/api/jobs/${id}`)).status === 404);
    expect(existsSync(join(shared, id))).toBe(false);
  }, 300_000);

  it('holds a stop given while the daemon running the job is dead: the daemon taking it over stops it', async () => {
    const { body } = await api<{ id: string }>(d('a'), 'POST', '/api/jobs', { spec: { ...longSpec('stopped-while-down'), callbacks: { checkpoint: { everySteps: 5, keep: 2 } } } });
    const id = body.id;
    const running = await waitJob<Job>(d('a'), id, (j) => j.state === 'running' && j.step > 12);
    const victim = running.worker as 'a' | 'b';
    const other = victim === 'a' ? 'b' : 'a';
    const pid = (await api<Job>(d(victim), 'GET', `/api/jobs/${id}`)).body.pid;
    await d(victim).kill();
    while (isProcessAlive(pid!)) await new Promise((r) => setTimeout(r, 20));
    daemons[victim] = null;
    // BullMQ still has the job active (its lock has not expired): the stop goes to a dead daemon.
    const r = await api<{ forwardedTo?: string }>(d(other), 'POST', `/api/jobs/${id}/stop`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const job = await waitJob<Job>(d(other), id, isDone, 120_000);
    expect(job.state).toBe('stopped');
    expect(job.reason).toMatch(/stopped by user while the daemon running it was down/);
    expect(job.attempts).toBe(1); // not run again
    const rec = await recorded(d(other), id);
    expect(rec.events.filter((e) => e.type === 'control' && e.data.action === 'resumed')).toHaveLength(0);
    daemons[victim] = await start(victim);
    expect((await waitJob<Job>(d(victim), id, isDone, 60_000)).state).toBe('stopped');
    // Resumed by the user, it runs again from its last checkpoint (the stop no longer holds).
    const resumed = await api(d(victim), 'POST', `/api/jobs/${id}/resume`);
    expect(resumed.status, d(victim).output()).toBe(200);
    const again = await waitJob<Job>(d(other), id, (j) => j.state === 'running' && j.attempts === 2);
    expect(again.state).toBe('running');
    expect((await api(d(other), 'DELETE', `/api/jobs/${id}`)).status).toBe(200);
  }, 300_000);

  it('goes on when Redis is stopped and restarted during a sweep, and loses nothing', async () => {
    const out = cli(homes.b, ['sweep', sweepFile('outage', { lr: [0.01, 0.03], batchSize: [16, 32] }, 2)]);
    expect(out.status, out.stderr).toBe(0);
    const id = /^(s\d+)/.exec(out.stdout)![1]!;
    await waitJob<Job>(d('a'), `${id}-0`, (j) => j.step >= 20 || isDone(j), 300_000);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.restart();
    const onA = await sweepDone(d('a'), id, 4);
    const onB = await sweepDone(d('b'), id, 4);
    for (const x of ['a', 'b'] as const) {
      expect(d(x).output()).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
      expect(d(x).output()).toContain('Redis is back');
    }
    expect(onA.trials.map((t) => t.state)).toEqual(Array(4).fill('finished'));
    expect(onB.trials).toEqual(onA.trials);
    for (const t of onA.trials) {
      expect((await api<Job>(d('b'), 'GET', `/api/jobs/${t.id}`)).body.attempts).toBe(1);
      const steps = 3 * Math.ceil(512 / Number(t.params.batchSize));
      for (const x of ['a', 'b'] as const) {
        const r = await recorded(d(x), t.id);
        expect(r.steps.map((s) => s.step)).toEqual(Array.from({ length: steps }, (_, i) => i));
        expect(r.epochs).toEqual([0, 1, 2]);
      }
    }
  }, 900_000);
});
