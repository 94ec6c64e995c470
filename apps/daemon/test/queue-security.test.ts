/**
 * Issue 19: Redis with a password and TLS. A daemon on `rediss://:password@…` (the server's
 * certificate trusted through NODE_EXTRA_CA_CERTS) runs a job; a wrong password is refused at the
 * start, naming the queue without the password; the CLI's `submit --queue` says why it cannot
 * queue. The daemon's HTTP token rules are unchanged (tested in e2e.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisProcess, api, cli, isDone, startDaemon, startRedis, tempHome, waitJob } from './harness.js';
import { smallSpec } from './specs.js';

const tmp = tempHome('actorgrad-queue-tls-');
const PASSWORD = 'correct horse battery staple';
let redis: RedisProcess;
let cert: string;

beforeAll(async () => {
  cert = join(tmp.home, 'cert.pem');
  const key = join(tmp.home, 'key.pem');
  // A self-signed certificate for 127.0.0.1 (openssl; `.ci/run` installs it when missing).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  mkdirSync(join(tmp.home, 'redis'));
  redis = await startRedis(join(tmp.home, 'redis'), { password: PASSWORD, tls: { cert, key } });
}, 60_000);

afterAll(async () => {
  await redis?.stop();
  tmp.cleanup();
});

describe('Redis with a password and TLS', () => {
  it('runs a job on rediss:// with the password; refuses a wrong password and an untrusted certificate, naming the queue', async () => {
    expect(redis.url).toMatch(/^rediss:\/\/:[^@]+@127\.0\.0\.1:\d+$/);
    const trust = { NODE_EXTRA_CA_CERTS: cert };
    const args = (url: string, name: string) => ['--queue', url, '--checkpoints', join(tmp.home, 'ck'), '--name', name];
    const home = join(tmp.home, 'ok');
    const d = await startDaemon(home, args(redis.url, 'tls'), trust);
    try {
      expect(d.output()).not.toContain(encodeURIComponent(PASSWORD));
      const { status, body } = await api<{ id: string }>(d, 'POST', '/api/jobs', { spec: smallSpec('over-tls') });
      expect(status).toBe(201);
      const job = await waitJob<{ state: string; reason: string; worker: string }>(d, body.id, isDone);
      expect(job.state, job.reason).toBe('finished');
      expect(job.worker).toBe('tls');
    } finally {
      await d.terminate();
    }

    const wrong = redis.url.replace(/:[^:@/]+@/, ':wrong@');
    await expect(startDaemon(join(tmp.home, 'wrong'), args(wrong, 'w'), trust)).rejects.toThrow(/cannot use the queue at rediss:\/\/127\.0\.0\.1:\d+: WRONGPASS/);
    await expect(startDaemon(join(tmp.home, 'untrusted'), args(redis.url, 'u'))).rejects.toThrow(/cannot use the queue at rediss:\/\/127\.0\.0\.1:\d+: .*(self[- ]signed|certificate)/i);

    const file = join(tmp.home, 'job.json');
    writeFileSync(file, JSON.stringify(smallSpec('cli')));
    const r = cli(join(tmp.home, 'cli'), ['submit', file, '--queue', wrong], undefined, trust);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/actorgrad submit: cannot reach the queue at rediss:\/\/127\.0\.0\.1:\d+ \(WRONGPASS.*\); nothing was queued/);
    expect(r.stderr).not.toContain('wrong@');
  }, 300_000);
});
