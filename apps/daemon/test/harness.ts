/**
 * Test harness: the real daemon and CLI as processes (tsx, from source), on a temporary data
 * directory.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = ['--import', 'tsx', '--conditions=@actorgrad/source'];

export function tempHome(prefix = 'actorgrad-daemon-'): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** Runs `actorgrad …` to its end: exit status, stdout, stderr. */
export function cli(home: string, args: string[], cwd = ROOT, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...TSX, CLI, ...args], { cwd, env: { ...process.env, ACTORGRAD_HOME: home, INIT_CWD: cwd, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface DaemonProcess {
  child: ChildProcess;
  url: string;
  base: string;
  token: string;
  output: () => string;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for its exit code. */
  terminate(): Promise<number | null>;
}

/** Starts `actorgrad daemon --port 0` and waits for its URL line. */
export async function startDaemon(home: string, extra: string[] = [], env: Record<string, string> = {}): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [...TSX, CLI, 'daemon', '--port', '0', ...extra], { cwd: ROOT, env: { ...process.env, ACTORGRAD_HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const collect = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the daemon did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /actorgrad daemon at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited with ${code} before it listened:\n${out}`));
    });
  });
  const token = readFileSync(join(home, 'token'), 'utf8').trim();
  return {
    child,
    url,
    base: new URL(url).origin,
    token,
    output: () => out,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    terminate: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Calls the daemon's API with the token. */
export async function api<T = unknown>(d: DaemonProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const send = () =>
    fetch(`${d.base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${d.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  // A keep-alive socket the server closed as it was reused: a GET is sent again, once.
  const res = await send().catch((e) => (method === 'GET' && d.child.exitCode === null ? send() : Promise.reject(e)));
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed as T };
}

/** Polls a job until `until(job)` holds (or throws after `ms`). */
export async function waitJob<J extends { state: string }>(d: DaemonProcess, id: string, until: (j: J) => boolean, ms = 120_000): Promise<J> {
  const end = Date.now() + ms;
  for (;;) {
    const { status, body } = await api<J>(d, 'GET', `/api/jobs/${id}`);
    if (status === 200 && until(body)) return body;
    if (Date.now() > end) throw new Error(`job ${id} did not reach the expected state in ${ms} ms; last: ${JSON.stringify(body).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const isDone = (j: { state: string }) => ['finished', 'failed', 'stopped'].includes(j.state);

export interface RedisProcess {
  port: number;
  url: string;
  /** Stops it (SIGTERM: it writes its append-only file first) and waits. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * A real `redis-server` (Debian's package; `.ci/run` installs it) on a free loopback port, with an
 * append-only file in `dir` so that a restart keeps the queue.
 */
export async function startRedis(dir: string, o: { password?: string; tls?: { cert: string; key: string } } = {}): Promise<RedisProcess> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error) throw new Error('redis-server is not installed: apt-get install -y redis-server (the shared-queue tests run a real one)');
  const port = await freePort();
  let child: ChildProcess;
  const launch = async () => {
    const listen = o.tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', o.tls.cert, '--tls-key-file', o.tls.key, '--tls-ca-cert-file', o.tls.cert, '--tls-auth-clients', 'no']
      : ['--port', String(port)];
    const auth = o.password ? ['--requirepass', o.password] : [];
    child = spawn('redis-server', [...listen, ...auth, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start in 20 s:\n${out}`)), 20_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${out}`));
      });
    });
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  };
  await launch();
  const scheme = o.tls ? 'rediss' : 'redis';
  return { port, url: `${scheme}://${o.password ? `:${encodeURIComponent(o.password)}@` : ''}127.0.0.1:${port}`, stop, restart: launch };
}
