/**
 * The temporary file of an atomic write is created exclusively; a name clash (EEXIST) is retried
 * with a fresh name up to 5 times, the same way in `writeFileAtomic` and `writeFileAtomicSync`.
 * The clashes are simulated by making the first opens of `.tmp` paths fail with EEXIST.
 */
import type * as fs from 'node:fs';
import type * as fsp from 'node:fs/promises';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';

const clash = { left: 0, tried: [] as string[] };
function eexist(path: string): Error {
  return Object.assign(new Error(`EEXIST: file already exists, open '${path}'`), { code: 'EEXIST' });
}

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const openSync = (path: fs.PathLike, ...rest: unknown[]) => {
    if (String(path).endsWith('.tmp')) {
      clash.tried.push(String(path));
      if (clash.left-- > 0) throw eexist(String(path));
    }
    return (real.openSync as (...a: unknown[]) => number)(path, ...rest);
  };
  return { ...real, openSync, default: { ...real, openSync } };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof fsp>();
  const open = async (path: fs.PathLike, ...rest: unknown[]) => {
    if (String(path).endsWith('.tmp')) {
      clash.tried.push(String(path));
      if (clash.left-- > 0) throw eexist(String(path));
    }
    return (real.open as (...a: unknown[]) => Promise<fsp.FileHandle>)(path, ...rest);
  };
  return { ...real, open, default: { ...real, open } };
});

const root = mkdtempSync(join(tmpdir(), 'actorgrad-clash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  clash.left = 0;
  clash.tried = [];
});

const WRITERS = [
  ['writeFileAtomic', (p: string, b: Uint8Array) => writeFileAtomic(p, b)],
  ['writeFileAtomicSync', async (p: string, b: Uint8Array) => writeFileAtomicSync(p, b)],
] as const;

describe.each(WRITERS)('%s: exclusive temporary file', (name, write) => {
  it('retries a clash with a fresh name: 5 clashes, then the 6th name is written', async () => {
    const path = join(root, `${name}-ok.bin`);
    clash.left = 5;
    await write(path, new Uint8Array([1, 2, 3]));
    expect(clash.tried).toHaveLength(6);
    expect(new Set(clash.tried).size).toBe(6);
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('gives up after the 6th clash with an error naming the path and the step, code EEXIST', async () => {
    const path = join(root, `${name}-clash.bin`);
    clash.left = 6;
    const e = await Promise.resolve()
      .then(() => write(path, new Uint8Array([1])))
      .then(() => null, (err: Error & { code?: string }) => err);
    expect(e?.message).toMatch(new RegExp(`^${name}\\(${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): open of a temporary file failed: EEXIST`));
    expect(e?.code).toBe('EEXIST');
    expect(clash.tried).toHaveLength(6);
  });
});
