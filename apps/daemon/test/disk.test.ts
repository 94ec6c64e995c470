/**
 * A full disk and a read-only data directory: a clear error, and nothing saved before is lost.
 * Both need a small or read-only filesystem, made with `mount -t tmpfs`, which needs root (CI runs
 * as root); elsewhere they are reported as skipped, not passed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '@actorgrad/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { type DaemonProcess, api, cli, isDone, startDaemon, tempHome, waitJob } from './harness.js';
import { crashSpec } from './specs.js';

const root = process.getuid?.() === 0;
const { home: base, cleanup } = tempHome();
const mounts: string[] = [];
let d: DaemonProcess | null = null;

function tmpfs(name: string, options: string): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

afterAll(async () => {
  if (d && d.child.exitCode === null) await d.kill();
  for (const m of mounts) execFileSync('umount', ['-l', m]);
  cleanup();
});

describe.skipIf(!root)('the data directory on a full or read-only disk (root only: tmpfs mounts)', () => {
  it('refuses to start on a read-only data directory, naming it', () => {
    const ro = tmpfs('ro', 'ro,size=1m');
    const r = cli(ro, ['daemon', '--port', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`actorgrad: the data directory ${ro} is not writable (EROFS`);
  });

  it('fails a job whose checkpoint does not fit, with the reason, and keeps the checkpoints before it whole', async () => {
    // Room for the store and three checkpoints of the 20-512-512-5 MLP (3.3 MB each), not a fourth.
    const small = tmpfs('small', 'size=12m');
    d = await startDaemon(small);
    const { body } = await api<{ id: string }>(d, 'POST', '/api/jobs', { spec: { ...crashSpec(), name: 'full-disk', callbacks: { checkpoint: { everySteps: 20, keep: 5 } } } });
    const job = await waitJob<{ state: string; reason: string; checkpoints: { path: string; kind: string }[] }>(d, body.id, isDone);
    expect(job.state).toBe('failed');
    expect(job.reason).toMatch(/saveCheckpoint\(.*\): .*ENOSPC/);
    expect(job.checkpoints.length).toBeGreaterThan(0);
    for (const c of job.checkpoints) expect((await loadCheckpoint(c.path)).state.step).toBeGreaterThan(0);
    // No temporary file of the failed save is left behind.
    const dir = join(small, 'runs', body.id, 'checkpoints');
    expect(existsSync(dir) && readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 300_000);
});
