/**
 * The daemon's HTTP API, mounted on the live view's server (`serveViz({ routes })`): the same
 * operations as the CLI (which calls them). Every `/api/jobs` route needs the token (`Authorization:
 * Bearer …`), on loopback too; the page and `/api/runs` follow the live view's rule (a token only
 * beyond loopback).
 *
 * | method | path | does |
 * |---|---|---|
 * | GET | /api/jobs | the jobs, oldest first |
 * | POST | /api/jobs | `{ spec, baseDir? }`: validates and queues; 201 `{ id }`, or 400 `{ error, problems }` |
 * | GET | /api/jobs/:id | one job |
 * | GET | /api/jobs/:id/logs?after=N | its events after event N, and its epoch metrics |
 * | GET | /api/jobs/:id/steps?after=S | its step metrics after step S |
 * | POST | /api/jobs/:id/{pause,resume,stop,snapshot} | at the next step boundary |
 * | POST | /api/jobs/:id/set | `{ lr }`: the learning rate from the next step on |
 * | GET | /api/jobs/:id/export?which=best\|last | the weights as a safetensors file (PyTorch names) |
 * | DELETE | /api/jobs/:id | stops it if running, removes it and its files |
 * | POST | /api/sweeps | `{ sweep, baseDir? }`: validates every trial and queues the first; 201 `{ id, trials }`, or 400 |
 * | GET | /api/sweeps | the sweeps |
 * | GET | /api/sweeps/:id | a sweep's trials: params, state, worker, metric, best first |
 * | GET | /api/schema | the job spec's JSON Schema |
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel, loadCheckpoint } from '@actorgrad/runtime';
import type { HttpBindings } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import { act } from './controls.js';
import { paths } from './home.js';
import type { Action, JobQueue } from './queue/index.js';
import { jobSpecJsonSchema, parseJobSpec } from './spec/index.js';
import type { JobRow, Store } from './store.js';
import type { Supervisor } from './supervisor.js';
import { type Sweeps, parseSweep } from './sweep/index.js';

export interface ApiContext {
  store: Store;
  supervisor: Supervisor;
  queue: JobQueue;
  sweeps: Sweeps;
  token: string;
  home: string;
  /** Directories a spec's data files may be in. */
  allowedDirs: string[];
}

/** A job as the API and `actorgrad ls` show it. */
export function jobView(j: JobRow) {
  const { spec, ...rest } = j;
  return rest;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

type C = Context<{ Bindings: HttpBindings }>;

export function jobRoutes(app: Hono<{ Bindings: HttpBindings }>, ctx: ApiContext): void {
  const { store, supervisor } = ctx;
  const requireToken = async (c: C, next: () => Promise<void>) => {
    const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!given || !same(given, ctx.token)) return c.json({ error: `actorgrad: missing or wrong token (the CLI reads it from ${paths(ctx.home).token})` }, 401);
    await next();
  };
  for (const p of ['/api/jobs', '/api/jobs/*', '/api/sweeps', '/api/sweeps/*']) app.use(p, requireToken);
  const job = (c: C): JobRow | null => store.job(c.req.param('id') ?? '');
  const noJob = (c: C) => c.json({ error: `actorgrad: no job '${c.req.param('id')}'` }, 404);

  app.get('/api/schema', (c) => c.json(jobSpecJsonSchema()));
  app.get('/api/jobs', (c) => c.json(store.jobs().map(jobView)));
  app.post('/api/jobs', async (c) => {
    const body = await jsonBody(c);
    if (!body) return c.json({ error: 'actorgrad: the request body is not JSON' }, 400);
    const baseDir = typeof body.baseDir === 'string' ? body.baseDir : ctx.home;
    const parsed = await parseJobSpec(body.spec, { allowedDirs: ctx.allowedDirs, baseDir });
    if (!parsed.ok) return c.json({ error: `actorgrad: the job spec has ${parsed.problems.length} problem(s); nothing was queued`, problems: parsed.problems }, 400);
    const spec = parsed.spec as { name?: string; epochs: number };
    const id = await ctx.queue.submit({ name: spec.name ?? 'job', spec: parsed.spec, baseDir, epochs: spec.epochs });
    return c.json({ id, name: spec.name ?? 'job' }, 201);
  });
  sweepRoutes(app, ctx);
  app.get('/api/jobs/:id', (c) => {
    const j = job(c);
    return j ? c.json({ ...jobView(j), spec: j.spec, checkpoints: store.checkpoints(j.id) }) : noJob(c);
  });
  app.get('/api/jobs/:id/logs', (c) => {
    const j = job(c);
    if (!j) return noJob(c);
    const after = Number(c.req.query('after') ?? 0);
    return c.json({ job: jobView(j), events: store.events(j.id, Number.isFinite(after) ? after : 0).filter((e) => e.type !== 'histogram'), epochs: store.epochs(j.id) });
  });
  app.get('/api/jobs/:id/steps', (c) => {
    const j = job(c);
    return j ? c.json(store.steps(j.id, Number(c.req.query('after') ?? -1))) : noJob(c);
  });
  const answer = async (c: C, a: Action) => {
    const j = job(c);
    if (!j) return noJob(c);
    const r = await act(supervisor, ctx.queue, j, a);
    // A sweep's trial stopped before it ran: the next trial takes its place (one that ran is followed by its runner).
    if (j.state === 'queued' && r.body.state === 'stopped') await ctx.sweeps.trialEnded(j);
    await ctx.queue.sync();
    return c.json(r.body, r.status);
  };
  for (const action of ['pause', 'resume', 'stop', 'snapshot'] as const) app.post(`/api/jobs/:id/${action}`, (c) => answer(c, { action }));
  app.post('/api/jobs/:id/set', async (c) => {
    const lr = (await jsonBody(c))?.lr;
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) return c.json({ error: `actorgrad set: lr must be a positive number, got ${JSON.stringify(lr ?? null)}` }, 400);
    return answer(c, { action: 'set', lr });
  });
  app.get('/api/jobs/:id/export', async (c) => {
    const j = job(c);
    return j ? exportWeights(c, ctx, j, c.req.query('which') ?? 'best') : noJob(c);
  });
  app.delete('/api/jobs/:id', async (c) => {
    const j = job(c);
    if (!j) return noJob(c);
    await ctx.queue.withdraw(j.id);
    await supervisor.kill(j.id);
    supervisor.record(j.id, { type: 'removed' });
    if (j.state === 'queued') await ctx.sweeps.trialEnded(j);
    await ctx.queue.sync();
    return c.json({ id: j.id, removed: true });
  });
}

async function jsonBody(c: C): Promise<Record<string, unknown> | null> {
  const b = await c.req.json().catch(() => null);
  return b !== null && typeof b === 'object' ? (b as Record<string, unknown>) : null;
}

/** The best (else last) or last checkpoint's weights, as a `saveModel` file. */
async function exportWeights(c: C, ctx: ApiContext, j: JobRow, which: string) {
  if (which !== 'best' && which !== 'last') return c.json({ error: `actorgrad export: which must be 'best' or 'last', got '${which}'` }, 400);
  const all = ctx.store.checkpoints(j.id);
  const last = all.find((k) => k.kind !== 'best');
  const pick = which === 'best' ? (all.find((k) => k.kind === 'best') ?? last) : last;
  if (!pick) return c.json({ error: `actorgrad export: job ${j.id} has no checkpoint yet` }, 409);
  const bytes = encodeModel((await loadCheckpoint(pick.path)).model) as Uint8Array<ArrayBuffer>; // encodeSafetensors allocates a plain ArrayBuffer
  return c.body(bytes, 200, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="job-${j.id}-${which}.safetensors"`,
    'X-Actorgrad-Checkpoint': `${pick.kind} at step ${pick.step}`,
  });
}

/** The sweeps' API (behind the token, like `/api/jobs`) and pages. */
function sweepRoutes(app: Hono<{ Bindings: HttpBindings }>, ctx: ApiContext): void {
  app.post('/api/sweeps', async (c) => {
    const body = await jsonBody(c);
    if (!body) return c.json({ error: 'actorgrad: the request body is not JSON' }, 400);
    const baseDir = typeof body.baseDir === 'string' ? body.baseDir : ctx.home;
    const parsed = parseSweep(body.sweep, { allowedDirs: ctx.allowedDirs, baseDir });
    if (!parsed.ok) return c.json({ error: `actorgrad: the sweep has ${parsed.problems.length} problem(s); nothing was queued`, problems: parsed.problems }, 400);
    const row = await ctx.sweeps.create(await ctx.queue.sweepId(), parsed, baseDir);
    await ctx.queue.sync();
    return c.json({ id: row.id, name: row.name, trials: row.total }, 201);
  });
  app.get('/api/sweeps', (c) => c.json(ctx.store.sweeps().map(({ spec, ...rest }) => rest)));
  app.get('/api/sweeps/:id', (c) => {
    const v = ctx.sweeps.view(c.req.param('id'));
    return v ? c.json(v) : c.json({ error: `actorgrad: no sweep '${c.req.param('id')}'` }, 404);
  });
  sweepPages(app, ctx);
}

const STATIC = fileURLToPath(new URL('../static/', import.meta.url));

/**
 * The sweep pages, under the live view's access rule (like the page itself, not the token of
 * `/api/jobs`): `/sweeps` lists the sweeps, `/sweeps/:id` draws one (hyperparameters against the
 * metric, the trials' table), reading `/sweeps/:id/data`.
 */
function sweepPages(app: Hono<{ Bindings: HttpBindings }>, ctx: ApiContext): void {
  const html = readFileSync(join(STATIC, 'sweep.html'), 'utf8');
  const js = readFileSync(join(STATIC, 'sweep.js'), 'utf8');
  app.get('/sweeps-static/sweep.js', (c) => c.body(js, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }));
  app.get('/sweeps', (c) => {
    const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
    const rows = ctx.store.sweeps().map((s) => `<li><a href="/sweeps/${encodeURIComponent(s.id)}${esc(new URL(c.req.url).search)}">${esc(s.id)}</a> ${esc(s.name)}: ${s.total} trials</li>`);
    return c.html(`<!doctype html><meta charset="utf-8"><title>actorgrad — sweeps</title><h1>sweeps</h1><ul>${rows.join('') || '<li>none yet</li>'}</ul><a href="/">live view</a>`);
  });
  app.get('/sweeps/:id', (c) => (ctx.store.sweep(c.req.param('id')) ? c.html(html) : c.text(`actorgrad: no sweep '${c.req.param('id')}'`, 404)));
  app.get('/sweeps/:id/data', (c) => {
    const v = ctx.sweeps.view(c.req.param('id'));
    return v ? c.json(v) : c.text(`actorgrad: no sweep '${c.req.param('id')}'`, 404);
  });
}
