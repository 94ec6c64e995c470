import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Run, type Viz, type VizEvent, serveViz } from '../src/index.js';
import { openStream, until } from './sse-client.js';
import { tinyFit } from './tiny-fit.js';

const servers: Viz[] = [];
const streams: { close(): void }[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  for (const v of servers.splice(0)) await v.close();
});

async function start(o: Parameters<typeof serveViz>[0] = {}): Promise<Viz> {
  const v = await serveViz({ log: null, ...o });
  servers.push(v);
  return v;
}

function stream(url: string, headers: Record<string, string> = {}) {
  const s = openStream(url, headers);
  streams.push(s);
  return s;
}

const step = (i: number): VizEvent => ({ type: 'step', step: i, loss: 1 / i, lr: 0.1, gradNorm: 1, samples: 8, samplesPerSec: 1000, ms: 1 });

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function ids(run: Run): number[] {
  return Array.from({ length: run.lastId }, (_, i) => i + 1);
}

describe('viz-server stream', () => {
  it('streams a real inline fit: config, placement, steps, epochs, histograms, actors and the end state', async () => {
    const viz = await start();
    await tinyFit([viz.callback({ name: 'tiny sgd', histogramEvery: 4 })]);
    const [info] = viz.store.list();
    expect(info).toMatchObject({ id: 'tiny-sgd', name: 'tiny sgd', state: 'finished', reason: 'completed' });
    const s = stream(`${viz.url}api/runs/tiny-sgd/events`);
    await until(() => s.events().some((r) => r.e.type === 'state' && r.e.state === 'finished'), 5000, 'the finished state');
    const events = s.events();
    const types = new Set(events.map((r) => r.e.type));
    for (const t of ['config', 'placement', 'step', 'epoch', 'histogram', 'actors', 'state']) expect(types, t).toContain(t);
    const config = events.find((r) => r.e.type === 'config')!.e as Extract<VizEvent, { type: 'config' }>;
    expect(config.config.totalParams).toBe(8 * 16 + 16 + 16 * 3 + 3);
    expect(config.config.layers.map((l) => l.type)).toEqual(['Linear', 'relu', 'Linear']);
    expect(config.config.optimizer).toMatchObject({ name: 'sgd' });
    expect(events.filter((r) => r.e.type === 'step')).toHaveLength(16);
    expect(events.filter((r) => r.e.type === 'epoch')).toHaveLength(2);
    const hist = events.find((r) => r.e.type === 'histogram')!.e as Extract<VizEvent, { type: 'histogram' }>;
    expect(hist.params).toHaveLength(4);
    expect(hist.params[0]!.weights.counts.reduce((a, b) => a + b)).toBe(8 * 16);
    expect(hist.params[0]!.grads?.counts.reduce((a, b) => a + b)).toBe(8 * 16);
    const placement = events.find((r) => r.e.type === 'placement')!.e as Extract<VizEvent, { type: 'placement' }>;
    expect(placement.placement).toBe('inline');
    expect(placement.reason.length).toBeGreaterThan(0);
  });

  it('a late join gets the whole history, then the live events: every id exactly once, in order', async () => {
    const viz = await start();
    const run = viz.store.create('late');
    for (let i = 1; i <= 300; i++) run.record(step(i));
    const s = stream(`${viz.url}api/runs/late/events`);
    await s.ready;
    for (let i = 301; i <= 600; i++) {
      run.record(step(i));
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 30));
    }
    await until(() => s.lastId() === run.lastId, 5000, 'the last event');
    expect(s.events().map((r) => r.id)).toEqual(ids(run));
  });

  it('a reconnect with Last-Event-ID resumes right after it: no gap, no duplicate', async () => {
    const viz = await start();
    const run = viz.store.create('reconnect');
    for (let i = 1; i <= 100; i++) run.record(step(i));
    const a = stream(`${viz.url}api/runs/reconnect/events`);
    await until(() => a.lastId() === 100, 5000, 'the first 100 events');
    a.close();
    for (let i = 101; i <= 250; i++) run.record(step(i));
    const b = stream(`${viz.url}api/runs/reconnect/events`, { 'Last-Event-ID': String(a.lastId()) });
    for (let i = 251; i <= 300; i++) run.record(step(i));
    await until(() => b.lastId() === run.lastId, 5000, 'the last event');
    expect([...a.events(), ...b.events()].map((r) => r.id)).toEqual(ids(run));
  });

  it('coalesces: at most 10 messages a second to a client however fast events come', async () => {
    const viz = await start();
    const run = viz.store.create('fast');
    const s = stream(`${viz.url}api/runs/fast/events`);
    await s.ready;
    const t0 = Date.now();
    let i = 0;
    while (Date.now() - t0 < 1500) {
      for (let k = 0; k < 20; k++) run.record(step(++i));
      await new Promise((r) => setTimeout(r, 2));
    }
    await until(() => s.lastId() === run.lastId, 5000, 'the last event');
    const perSecond = s.messages.filter((m) => m.at - s.messages[0]!.at < 1000).length;
    expect(perSecond).toBeLessThanOrEqual(11);
    expect(s.events().map((r) => r.id)).toEqual(ids(run));
  });

  it('two runs at once stay apart', async () => {
    const viz = await start();
    const both = Promise.all([tinyFit([viz.callback({ name: 'a' })], 1), tinyFit([viz.callback({ name: 'a' })], 2)]);
    await both;
    expect(viz.store.list().map((r) => r.id)).toEqual(['a', 'a-2']);
    const [s1, s2] = [stream(`${viz.url}api/runs/a/events`), stream(`${viz.url}api/runs/a-2/events`)];
    await until(() => s1.events().some((r) => r.e.type === 'state' && r.e.state === 'finished'), 5000, 'run a');
    await until(() => s2.events().some((r) => r.e.type === 'state' && r.e.state === 'finished'), 5000, 'run a-2');
    expect(s1.events().filter((r) => r.e.type === 'step')).toHaveLength(8);
    expect(s2.events().filter((r) => r.e.type === 'step')).toHaveLength(16);
    expect(s1.events().filter((r) => r.e.type === 'epoch')).toHaveLength(1);
  });
});

describe('viz-server requests', () => {
  it('unknown run 404, bad Last-Event-ID 400, foreign Host 403, no CORS header', async () => {
    const viz = await start();
    viz.store.create('known');
    expect((await get(`${viz.url}api/runs/nope/events`)).status).toBe(404);
    expect((await get(`${viz.url}api/runs/nope`)).status).toBe(404);
    expect((await get(`${viz.url}api/runs/known/events`, { 'Last-Event-ID': 'x' })).status).toBe(400);
    expect((await get(`${viz.url}api/runs`, { Host: `evil.example:${viz.port}` })).status).toBe(403);
    expect((await get(`${viz.url}api/runs`, { Host: 'localhost:1' })).status).toBe(403);
    expect((await get(`${viz.url}api/runs`, { Host: `localhost:${viz.port}` })).status).toBe(200);
    const page = await get(viz.url, { Origin: 'http://evil.example' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<');
  });

  it('off loopback a token is required: 401 without or wrong, 200 with it (query, bearer or cookie)', async () => {
    const viz = await start({ host: '0.0.0.0' });
    expect(viz.token).toMatch(/^[\w-]{20,}$/);
    const base = `http://127.0.0.1:${viz.port}`;
    expect((await get(`${base}/api/runs`)).status).toBe(401);
    expect((await get(`${base}/api/runs?token=wrong`)).status).toBe(401);
    expect((await get(`${base}/api/runs`, { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await get(`${base}/api/runs?token=${viz.token}`)).status).toBe(200);
    expect((await get(`${base}/api/runs`, { Authorization: `Bearer ${viz.token}` })).status).toBe(200);
    expect((await get(`${base}/api/runs`, { Cookie: `actorgrad_viz_token=${viz.token}` })).status).toBe(200);
    expect((await get(`${base}/api/runs?token=${viz.token}`, { Host: `evil.example:${viz.port}` })).status).toBe(403);
  });

  it('serves the page, its script and uPlot from node_modules', async () => {
    const viz = await start();
    for (const path of ['', 'app.js', 'style.css', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css']) {
      expect((await get(`${viz.url}${path}`)).status, path).toBe(200);
    }
    expect((await get(`${viz.url}../../etc/passwd`)).status).toBe(404);
  });
});
