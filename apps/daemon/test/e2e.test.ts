/**
 * Issue 16, acceptance 1 and 4, and the daemon's faults and security rules, end to end: the real
 * daemon process on a temporary data directory, driven by the real CLI and over HTTP.
 */
import { statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Rng, randn } from '@actorgrad/core';
import { loadCheckpoint, loadModel } from '@actorgrad/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DaemonProcess, api, cli, isDone, startDaemon, tempHome, waitJob } from './harness.js';
import { INPUT_FEATURES, longSpec, smallSpec } from './specs.js';

type Job = { id: string; name: string; state: string; reason: string; step: number; steps: number; epoch: number; epochs: number; checkpoints: { path: string; kind: string; step: number }[] };
type Events = { events: { type: string; data: { action?: string; detail?: string } }[]; epochs: { epoch: number }[] };

const { home, cleanup } = tempHome();
let d: DaemonProcess;

beforeAll(async () => {
  d = await startDaemon(home);
}, 120_000);
afterAll(async () => {
  if (d.child.exitCode !== null) console.error(`the daemon exited (${d.child.exitCode}); its output:\n${d.output()}`);
  if (d.child.exitCode === null) await d.terminate();
  cleanup();
});

describe('jobs through the CLI and over HTTP', () => {
  it('runs a job submitted by the CLI (--follow) and one over HTTP, lists them, and exports weights that predict the same', async () => {
    const file = join(home, 'job.json');
    writeFileSync(file, JSON.stringify(smallSpec('cli-job')));
    const submitted = cli(home, ['submit', file, '--follow']);
    expect(submitted.status, submitted.stderr).toBe(0);
    const cliId = submitted.stdout.split('\n')[0]!.trim();
    expect(cliId).toMatch(/^\d+$/);
    expect(submitted.stdout).toMatch(/\[#+\] 100%/);
    expect(submitted.stdout).toContain(`job ${cliId} finished`);

    const http = await api<{ id: string }>(d, 'POST', '/api/jobs', { spec: smallSpec('http-job') });
    expect(http.status).toBe(201);
    const job = await waitJob<Job>(d, http.body.id, isDone);
    expect(job.state, job.reason).toBe('finished');

    const ls = cli(home, ['ls']);
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(new RegExp(`^${cliId}\\s+cli-job\\s+finished\\s+3/3`, 'm'));
    expect(ls.stdout).toMatch(new RegExp(`^${http.body.id}\\s+http-job\\s+finished\\s+3/3`, 'm'));

    const logs = cli(home, ['logs', cliId]);
    expect(logs.stdout).toMatch(/^epoch 3 {2}step \d+ {2}.*loss=/m);

    const out = join(home, 'exported.safetensors');
    const exported = cli(home, ['export', cliId, out, '--which', 'last']);
    expect(exported.status, exported.stderr).toBe(0);
    const final = (await api<Job>(d, 'GET', `/api/jobs/${cliId}`)).body.checkpoints.find((c) => c.kind === 'final')!;
    const x = randn([16, INPUT_FEATURES], { rng: new Rng(9) });
    const a = (await loadModel(out)).forward(x).toArray();
    const b = (await loadCheckpoint(final.path)).model.eval().forward(x).toArray();
    expect(a).toEqual(b);
  }, 300_000);

  it('pauses, changes the learning rate, snapshots, resumes and stops a running job, and records each', async () => {
    const { body } = await api<{ id: string }>(d, 'POST', '/api/jobs', { spec: longSpec('controlled') });
    const id = body.id;
    await waitJob<Job>(d, id, (j) => j.step > 5);
    expect(cli(home, ['pause', id]).status).toBe(0);
    const paused = await waitJob<Job>(d, id, (j) => j.state === 'paused');
    await new Promise((r) => setTimeout(r, 800));
    const still = (await api<Job>(d, 'GET', `/api/jobs/${id}`)).body;
    expect(still.step).toBe(paused.step); // No step while paused (the pause took effect at a step boundary).
    expect(cli(home, ['set', id, 'lr=0.0005']).status).toBe(0);
    expect(cli(home, ['snapshot', id]).status).toBe(0);
    await waitJob<Job & { checkpoints: Job['checkpoints'] }>(d, id, (j) => j.checkpoints.some((c) => c.kind === 'snapshot'));
    expect(cli(home, ['resume', id]).status).toBe(0);
    await waitJob<Job>(d, id, (j) => j.step > still.step + 5);
    const steps = (await api<{ step: number; lr: number }[]>(d, 'GET', `/api/jobs/${id}/steps?after=${still.step}`)).body;
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) expect(s.lr).toBeCloseTo(0.0005, 12);
    expect(cli(home, ['stop', id]).status).toBe(0);
    const stopped = await waitJob<Job>(d, id, isDone);
    expect(stopped.state).toBe('stopped');
    expect(stopped.checkpoints.some((c) => c.kind === 'stop' && c.step === stopped.step)).toBe(true);
    const { events } = (await api<Events>(d, 'GET', `/api/jobs/${id}/logs`)).body;
    const actions = events.filter((e) => e.type === 'control').map((e) => e.data.action);
    expect(actions).toEqual(['pause', 'set', 'snapshot', 'resume', 'stop']);
    expect(events.find((e) => e.data.action === 'set')?.data.detail).toBe('lr = 0.0005');

    // A stopped job resumed goes back to the queue and continues from its stop checkpoint.
    expect(cli(home, ['resume', id]).status).toBe(0);
    await waitJob<Job>(d, id, (j) => j.state === 'running' && j.step > stopped.step);
    expect(cli(home, ['rm', id]).status).toBe(0);
    expect((await api(d, 'GET', `/api/jobs/${id}`)).status).toBe(404);
  }, 300_000);
});

describe('a stop at the last step of an epoch', () => {
  it("is a stop, with its stop checkpoint, not the run's end (one step an epoch: every stop lands there)", async () => {
    const spec = { ...smallSpec('one-step-epochs'), data: { source: 'twoSpirals', n: 64, noise: 0.05 }, batchSize: 64, epochs: 100_000, callbacks: { checkpoint: { everySteps: 1000, keep: 2 } } };
    const { body } = await api<{ id: string }>(d, 'POST', '/api/jobs', { spec });
    await waitJob<Job>(d, body.id, (j) => j.step > 20);
    expect(cli(home, ['stop', body.id]).status).toBe(0);
    const stopped = await waitJob<Job>(d, body.id, isDone);
    expect(stopped.state).toBe('stopped');
    expect(stopped.checkpoints.map((c) => [c.kind, c.step])).toContainEqual(['stop', stopped.step]);
    expect(stopped.checkpoints.some((c) => c.kind === 'final')).toBe(false);
    expect(cli(home, ['rm', body.id]).status).toBe(0);
  }, 120_000);
});

describe('bad specs', () => {
  it('are refused with every problem, over HTTP and by the CLI, and nothing is queued', async () => {
    const before = (await api<unknown[]>(d, 'GET', '/api/jobs')).body.length;
    const bad = { ...smallSpec('bad'), epochs: -1, optimizer: { name: 'adma', options: { lr: 0.1 } }, data: { source: 'csv', path: '/etc/passwd', label: 0 } };
    const res = await api<{ error: string; problems: { path: string; expected: string; found: string }[] }>(d, 'POST', '/api/jobs', { spec: bad });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/the job spec has \d+ problem\(s\); nothing was queued/);
    const paths = res.body.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['$.epochs', '$.optimizer.name', '$.data.path']));
    for (const p of res.body.problems) expect(p.expected.length * p.found.length).toBeGreaterThan(0);
    const file = join(home, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const r = cli(home, ['submit', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('$.epochs');
    expect(r.stderr).toContain('$.optimizer.name');
    expect(r.stderr).toContain('$.data.path');
    expect((await api<unknown[]>(d, 'GET', '/api/jobs')).body.length).toBe(before);
  });
});

describe('faults and rules', () => {
  it('refuses a second daemon on the same data directory, naming the first one', () => {
    const second = cli(home, ['daemon', '--port', '0']);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`another daemon (pid ${d.child.pid}) is using the data directory ${home}`);
  });

  it('wants the token for every job operation, and the right Host for everything', async () => {
    expect(statSync(join(home, 'token')).mode & 0o777).toBe(0o600);
    for (const [method, path] of [
      ['GET', '/api/jobs'],
      ['POST', '/api/jobs'],
      ['POST', '/api/jobs/1/stop'],
      ['DELETE', '/api/jobs/1'],
    ] as const) {
      const res = await fetch(`${d.base}${path}`, { method, headers: { Authorization: 'Bearer wrong' } });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    // fetch() does not let a page set Host; a raw request can (DNS rebinding sends the attacker's name).
    const foreign = await new Promise<number>((resolve, reject) => {
      const url = new URL(d.base);
      request({ host: '127.0.0.1', port: url.port, path: '/api/runs', headers: { Host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(foreign).toBe(403);
    // The page and the runs' streams are open on loopback, as the live view is.
    expect((await fetch(`${d.base}/api/runs`)).status).toBe(200);
  });

  it('marks a job whose process dies as failed, with how it died, and goes on with the next', async () => {
    const first = (await api<{ id: string }>(d, 'POST', '/api/jobs', { spec: longSpec('doomed') })).body.id;
    const next = (await api<{ id: string }>(d, 'POST', '/api/jobs', { spec: smallSpec('after-the-crash') })).body.id;
    const running = await waitJob<Job & { pid: number | null }>(d, first, (j) => j.state === 'running' && j.step > 5 && j.pid !== null);
    process.kill(running.pid!, 'SIGKILL');
    const failed = await waitJob<Job>(d, first, isDone);
    expect(failed.state).toBe('failed');
    expect(failed.reason).toMatch(/^the job process was killed by SIGKILL/);
    expect((await waitJob<Job>(d, next, isDone)).state).toBe('finished');
  }, 300_000);

  it('beyond loopback, wants the token for the page too', async () => {
    const other = tempHome();
    const wide = await startDaemon(other.home, ['--host', '0.0.0.0']);
    try {
      const base = `http://127.0.0.1:${new URL(wide.base).port}`;
      expect((await fetch(`${base}/`)).status).toBe(401);
      expect((await fetch(`${base}/api/runs`)).status).toBe(401);
      expect((await fetch(`${base}/?token=${wide.token}`)).status).toBe(200);
      expect(wide.url).toContain(`?token=${wide.token}`);
    } finally {
      await wide.terminate();
      other.cleanup();
    }
  }, 120_000);

  it('on SIGTERM checkpoints the running job at a step boundary and resumes it at the next start', async () => {
    const { body } = await api<{ id: string }>(d, 'POST', '/api/jobs', { spec: longSpec('sigterm') });
    await waitJob<Job>(d, body.id, (j) => j.state === 'running' && j.step > 5);
    expect(await d.terminate()).toBe(0);
    d = await startDaemon(home);
    const resumed = (await api<Job>(d, 'GET', `/api/jobs/${body.id}`)).body;
    const stop = resumed.checkpoints.find((c) => c.kind === 'stop');
    expect(stop, JSON.stringify(resumed.checkpoints)).toBeDefined();
    expect(stop!.step).toBeGreaterThan(5);
    await waitJob<Job>(d, body.id, (j) => j.step > stop!.step);
    // The live view of the new daemon lists the jobs of the store, the finished ones with their curves.
    const runs = (await (await fetch(`${d.base}/api/runs`)).json()) as { id: string; state: string; lastId: number }[];
    const finished = runs.filter((r) => r.state === 'finished');
    expect(finished.length).toBeGreaterThanOrEqual(2);
    const stream = await fetch(`${d.base}/api/runs/${finished[0]!.id}/events`, { signal: AbortSignal.timeout(3000) });
    const reader = stream.body!.getReader();
    let text = '';
    while (!text.includes('"type":"epoch"')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain('"type":"step"');
    expect(cli(home, ['rm', body.id]).status).toBe(0);
  }, 300_000);
});
