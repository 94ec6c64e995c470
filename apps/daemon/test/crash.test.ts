/**
 * Issue 16, acceptance 2: one job (a few hundred steps, a checkpoint every 10) while the daemon is
 * SIGKILLed at 30 random moments and restarted each time. The job completes; its final weights are
 * bit-identical to an uninterrupted run of the same spec; the store passes `integrity_check`; the
 * step and epoch series have no gap and no duplicate.
 */
import { join } from 'node:path';
import { Rng } from '@actorgrad/core';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type DaemonProcess, api, isDone, startDaemon, tempHome, waitJob } from './harness.js';
import { crashSpec, smallSpec } from './specs.js';

const KILLS = Number(process.env.ACTORGRAD_CRASH_KILLS ?? 30);
const SEED = Number(process.env.ACTORGRAD_CRASH_SEED ?? 20261204);

type Job = { id: string; state: string; reason: string; step: number; steps: number; epochs: number; attempts: number };

async function exportLast(d: DaemonProcess, id: string): Promise<Buffer> {
  const res = await fetch(`${d.base}/api/jobs/${id}/export?which=last`, { headers: { Authorization: `Bearer ${d.token}` } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** Waits until the job's recorded step moves past what it was (or the job is done). */
async function progressed(d: DaemonProcess, id: string): Promise<void> {
  const from = (await api<Job>(d, 'GET', `/api/jobs/${id}`)).body.step;
  await waitJob<Job>(d, id, (j) => j.step > from || isDone(j), 120_000);
}

const homes: (() => void)[] = [];
let current: DaemonProcess | null = null;
afterAll(async () => {
  if (current && current.child.exitCode === null) await current.kill();
  for (const c of homes) c();
});

describe('the daemon SIGKILLed again and again', () => {
  it(`finishes the job after ${KILLS} kills, bit-identical to an uninterrupted run, with a whole store`, async () => {
    const spec = crashSpec();
    // The uninterrupted run.
    const ref = tempHome();
    homes.push(ref.cleanup);
    let d = await startDaemon(ref.home);
    current = d;
    const submitted = await api<{ id: string }>(d, 'POST', '/api/jobs', { spec });
    expect(submitted.status).toBe(201);
    const refJob = await waitJob<Job>(d, submitted.body.id, isDone);
    expect(refJob.state, refJob.reason).toBe('finished');
    const expected = await exportLast(d, refJob.id);
    expect(await d.terminate()).toBe(0);

    // The same spec, killed KILLS times.
    const h = tempHome();
    homes.push(h.cleanup);
    d = await startDaemon(h.home);
    current = d;
    const { body } = await api<{ id: string }>(d, 'POST', '/api/jobs', { spec });
    // A second job waits behind it (one job at a time): it must stay queued through every restart.
    const queued = (await api<{ id: string }>(d, 'POST', '/api/jobs', { spec: smallSpec('waiting') })).body.id;
    const rng = new Rng(SEED); // The kill moments are random but reproducible from the seed.
    const rand = () => rng.uniform();
    const progress: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      // One kill in four at a random moment of the start (recovery, the job process starting); the
      // others at a random moment after the job has made progress (mid-step, mid-checkpoint).
      if (i % 4 !== 3) await progressed(d, body.id);
      await new Promise((r) => setTimeout(r, rand() * (i % 4 === 3 ? 1500 : 600)));
      await d.kill();
      d = await startDaemon(h.home);
      current = d;
      const j = (await api<Job>(d, 'GET', `/api/jobs/${body.id}`)).body;
      progress.push(j.step);
      if (!isDone(j)) expect((await api<Job>(d, 'GET', `/api/jobs/${queued}`)).body.state).toBe('queued');
    }
    console.log(`crash test: ${KILLS} kills (seed ${SEED}); the job's recorded step after each restart: ${progress.join(' ')}`);
    const job = await waitJob<Job>(d, body.id, isDone, 300_000);
    expect(job.state, job.reason).toBe('finished');
    expect(job.step).toBe(refJob.steps);
    // Killed mid-run more than once (not only before it started or after it ended).
    expect(progress.filter((s) => s > 0 && s < refJob.steps).length, `steps seen after each restart: ${progress}`).toBeGreaterThan(KILLS / 3);
    expect(Buffer.compare(await exportLast(d, job.id), expected)).toBe(0);
    expect((await waitJob<Job>(d, queued, isDone)).state).toBe('finished');
    expect(await d.terminate()).toBe(0);

    const db = new Database(join(h.home, 'store.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const steps = db.prepare('SELECT step FROM steps WHERE job = ? ORDER BY step').all(job.id) as { step: number }[];
      expect(steps.map((s) => s.step)).toEqual(Array.from({ length: refJob.steps }, (_, i) => i));
      const epochs = db.prepare('SELECT epoch FROM epochs WHERE job = ? ORDER BY epoch').all(job.id) as { epoch: number }[];
      expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: refJob.epochs }, (_, i) => i));
      // The recorded losses are the uninterrupted run's, step for step.
      const refDb = new Database(join(ref.home, 'store.sqlite'), { readonly: true });
      const lossOf = (x: Database.Database, id: string) => (x.prepare('SELECT loss FROM steps WHERE job = ? ORDER BY step').all(id) as { loss: number }[]).map((r) => r.loss);
      expect(lossOf(db, job.id)).toEqual(lossOf(refDb, refJob.id));
      refDb.close();
    } finally {
      db.close();
    }
  }, 900_000);
});
