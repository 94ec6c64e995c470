import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Viz, type VizEvent, serveViz } from '../src/index.js';
import { openStream, until } from './sse-client.js';

let viz: Viz | null = null;
afterEach(async () => {
  await viz?.close();
});

const big = (step: number): VizEvent => ({ type: 'histogram', step, params: [{ name: 'w', weights: { min: 0, max: 1, counts: new Array(20_000).fill(7) }, grads: null }] });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('viz-server backpressure', () => {
  it('a client that stops reading is skipped (one message buffered at most), then dropped; the others get everything', async () => {
    viz = await serveViz({ log: null, stallMs: 1500 });
    const run = viz.store.create('bp');
    const stalled = connect(viz.port, '127.0.0.1');
    stalled.on('error', () => {});
    stalled.write(`GET /api/runs/bp/events HTTP/1.1\r\nHost: 127.0.0.1:${viz.port}\r\n\r\n`);
    stalled.pause();
    const healthy = openStream(`${viz.url}api/runs/bp/events`);
    await healthy.ready;
    await until(() => viz!.clients().length === 2, 2000, 'two clients');
    for (let i = 1; i <= 120; i++) run.record(big(i));
    await until(() => viz!.clients().some((c) => c.blocked), 3000, 'the stalled client to block');
    const blocked = viz.clients().find((c) => c.blocked)!;
    for (let i = 121; i <= 200; i++) run.record(big(i));
    await sleep(400);
    const later = viz.clients().find((c) => c.blocked);
    expect(later?.sent).toBe(blocked.sent); // skipped: nothing more was written to it
    expect(later?.buffered).toBeLessThanOrEqual(blocked.buffered);
    await until(() => viz!.clients().length === 1, 4000, 'the stalled client to be dropped');
    await until(() => healthy.lastId() === run.lastId, 5000, 'the healthy client to get everything');
    expect(healthy.events().map((r) => r.id)).toEqual(run.since(0).map((r) => r.id));
    healthy.close();
    stalled.destroy();
  });
});
