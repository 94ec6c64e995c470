import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type HttpBindings, serve } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Callback } from '@actorgrad/runtime';
import { Hono } from 'hono';
import { type VizCallbackOptions, vizCallback } from './callback.js';
import { allowedHosts, guard, needsToken } from './guard.js';
import { type ClientStats, SseHub } from './sse.js';
import { RunStore } from './store.js';

/** Options of `serveViz`. */
export interface ServeVizOptions {
  /** Interface to bind (default '127.0.0.1'); anything but loopback requires a token. */
  host?: string;
  /** Port (default 0: any free one). */
  port?: number;
  /** The access token; generated when binding beyond loopback and none is given. */
  token?: string;
  /** More accepted `Host` header values (`name:port`), e.g. behind a tunnel. */
  allowedHosts?: string[];
  /** Drop a client whose socket has not drained for this long (default 10 000 ms). */
  stallMs?: number;
  /** Where the URL line goes (default console.log; null: nowhere). */
  log?: ((line: string) => void) | null;
  /** The runs to serve (default: a new, empty store). */
  store?: RunStore;
  /**
   * More routes (a daemon's API), added behind the Host and token checks, before the page's files.
   */
  routes?: (app: Hono<{ Bindings: HttpBindings }>) => void;
}

/** A running viz server. */
export interface Viz {
  /** The page's URL (with `?token=` when one is needed). */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly token: string | null;
  readonly store: RunStore;
  /** A callback for `Trainer.fit` that streams the run to this server. */
  callback(options?: VizCallbackOptions): Callback;
  /** The connected streams: run, last id sent, blocked on backpressure, bytes buffered. */
  clients(): ClientStats[];
  /** Ends every stream and closes the server; leaves no handle open. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** The page's files and uPlot's, read once: URL path → [content type, body]. */
function assets(): Map<string, [string, string]> {
  const dir = fileURLToPath(new URL('../static/', import.meta.url));
  const uplot = createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js');
  const files: [string, string][] = [
    ['/', `${dir}index.html`],
    ['/app.js', `${dir}app.js`],
    ['/style.css', `${dir}style.css`],
    ['/vendor/uPlot.iife.min.js', uplot],
    ['/vendor/uPlot.min.css', uplot.replace(/uPlot\.iife\.min\.js$/, 'uPlot.min.css')],
  ];
  return new Map(files.map(([url, file]) => [url, [TYPES[file.split('.').pop()!]!, readFileSync(file, 'utf8')]]));
}

/** The routes: the page, `/api/runs`, `/api/runs/:id`, `/api/runs/:id/events` (SSE). */
function app(store: RunStore, hub: SseHub, hosts: () => Set<string>, token: string | null, routes?: ServeVizOptions['routes']): Hono<{ Bindings: HttpBindings }> {
  const files = assets();
  const h = new Hono<{ Bindings: HttpBindings }>();
  h.use('*', guard(hosts, token));
  h.get('/api/runs', (c) => c.json(store.list()));
  h.get('/api/runs/:id', (c) => {
    const run = store.get(c.req.param('id'));
    return run ? c.json({ ...run.info(), config: run.config }) : c.text(`viz-server: no run '${c.req.param('id')}'`, 404);
  });
  h.get('/api/runs/:id/events', (c) => {
    const run = store.get(c.req.param('id'));
    if (!run) return c.text(`viz-server: no run '${c.req.param('id')}'`, 404);
    const last = c.req.header('last-event-id') ?? c.req.query('after') ?? '0';
    if (!/^\d+$/.test(last)) return c.text(`viz-server: Last-Event-ID must be a non-negative integer, got '${last}'`, 400);
    hub.add(c.env.outgoing, run, Number(last));
    return RESPONSE_ALREADY_SENT;
  });
  routes?.(h);
  h.get('*', (c) => {
    const f = files.get(c.req.path);
    if (!f) return c.text(`viz-server: no page '${c.req.path}'`, 404);
    return c.body(f[1], 200, { 'Content-Type': f[0], 'Cache-Control': 'no-cache' });
  });
  return h;
}

/**
 * Starts the live view: prints `live view at http://127.0.0.1:PORT/` (with `?token=` off loopback)
 * and resolves once listening. Pass `viz.callback({ name })` to `fit`; `close()` ends it all.
 */
export async function serveViz(o: ServeVizOptions = {}): Promise<Viz> {
  const host = o.host ?? '127.0.0.1';
  const token = o.token ?? (needsToken(host) ? randomBytes(18).toString('base64url') : null);
  const store = o.store ?? new RunStore();
  const hub = new SseHub(o.stallMs);
  let hosts = new Set<string>();
  const server = serve({ fetch: app(store, hub, () => hosts, token, o.routes).fetch, hostname: host, port: o.port ?? 0 }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (e) => reject(new Error(`viz-server: cannot listen on ${host}:${o.port ?? 0}: ${e.message}`)));
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port, o.allowedHosts);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${port}/${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  (o.log === undefined ? console.log : (o.log ?? (() => {})))(`live view at ${url}`);
  return {
    url,
    port,
    host,
    token,
    store,
    callback: (options) => vizCallback(store, options),
    clients: () => hub.stats(),
    close: async () => {
      hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
