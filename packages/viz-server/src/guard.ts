import { timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import type { MiddlewareHandler } from 'hono';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
/** The cookie the page's requests carry once it was opened with `?token=…`. */
export const TOKEN_COOKIE = 'actorgrad_viz_token';

/** Whether binding to `host` needs a token (anything but loopback does). */
export function needsToken(host: string): boolean {
  return !LOOPBACK.has(host);
}

/**
 * The `Host` header values accepted for a server bound to `host`:`port` — the bound name (and, on
 * loopback, its other loopback names; on a wildcard address, this machine's name and addresses),
 * plus `extra`. Anything else is a DNS-rebinding attempt or a misdirected request.
 */
export function allowedHosts(host: string, port: number, extra: string[] = []): Set<string> {
  const names = new Set<string>([host, ...extra]);
  if (LOOPBACK.has(host)) for (const n of LOOPBACK) names.add(n);
  if (host === '0.0.0.0' || host === '::') {
    names.add(hostname());
    for (const n of LOOPBACK) names.add(n);
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.family === 'IPv6' ? `[${a.address}]` : a.address);
  }
  const out = new Set<string>();
  for (const n of names) {
    const h = n.includes(':') && !n.startsWith('[') ? `[${n}]` : n;
    out.add(`${h}:${port}`.toLowerCase());
  }
  return out;
}

/**
 * Rejects requests whose Host header is not one of `hosts` (403) and, when `token` is set, those
 * that carry neither `?token=`, `Authorization: Bearer`, nor the token cookie (401). A right
 * `?token=` sets the cookie (HttpOnly, SameSite=Strict) so the page's own requests carry it.
 */
export function guard(hosts: () => Set<string>, token: string | null): MiddlewareHandler {
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!hosts().has(host)) return c.text(`viz-server: Host '${host}' is not this server's name`, 403);
    if (token) {
      const query = c.req.query('token');
      const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
      const cookie = cookieValue(c.req.header('cookie') ?? '', TOKEN_COOKIE);
      const given = query ?? bearer ?? cookie;
      if (!given || !same(given, token)) return c.text('viz-server: missing or wrong token', 401);
      if (query) c.header('Set-Cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    await next();
  };
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
