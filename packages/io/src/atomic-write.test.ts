import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  type AtomicWriteStage,
  ensureWritableDirectory,
  isProcessAlive,
  isWriterAlive,
  removeStaleTempFiles,
  tempPathFor,
  type WriteFileAtomicOptions,
  writeFileAtomic,
  writeFileAtomicSync,
} from './atomic-write.js';

const root = mkdtempSync(join(tmpdir(), 'actorgrad-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
function freshDir(): string {
  const d = join(root, `d${dirs++}`);
  mkdirSync(d);
  return d;
}

const variants: [string, (path: string, bytes: Uint8Array, o?: WriteFileAtomicOptions) => Promise<void>][] = [
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', async (p, b, o) => writeFileAtomicSync(p, b, o)],
];

describe.each(variants)('%s', (fn, write) => {
  it('creates a file, then replaces it, leaving nothing else in the directory', async () => {
    const dir = freshDir();
    const p = join(dir, 'model.safetensors');
    const first = randomBytes(1000);
    await write(p, first);
    expect(readFileSync(p)).toEqual(first);
    const second = randomBytes(3 * 1024 * 1024 + 7);
    await write(p, second);
    // (Buffer.equals: a deep toEqual over 3 MB takes seconds.)
    expect(readFileSync(p).equals(second)).toBe(true);
    await write(p, new Uint8Array(0));
    expect(readFileSync(p).length).toBe(0);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('writes the bytes of a view, not its whole buffer', async () => {
    const p = join(freshDir(), 'view.bin');
    const all = new Uint8Array([1, 2, 3, 4, 5, 6]);
    await write(p, all.subarray(2, 5));
    expect([...readFileSync(p)]).toEqual([3, 4, 5]);
  });

  for (const stage of ['opened', 'written', 'synced'] as AtomicWriteStage[]) {
    it(`a failure at '${stage}' leaves the previous file intact byte for byte and removes the temporary file`, async () => {
      const dir = freshDir();
      const p = join(dir, 'ckpt.safetensors');
      const previous = randomBytes(4096);
      writeFileSync(p, previous);
      const seen: string[] = [];
      const hook = (s: AtomicWriteStage, tmp: string) => {
        seen.push(s);
        // The temporary file is beside the target, hidden, and holds what has been written so far.
        expect(dirname(tmp)).toBe(dir);
        expect(basename(tmp).startsWith('.ckpt.safetensors.')).toBe(true);
        expect(existsSync(tmp)).toBe(true);
        if (s === stage) throw new Error(`injected failure at ${s}`);
      };
      const err = await write(p, randomBytes(8192), { _hook: hook }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toContain(`${fn}(${p}): `);
      expect(err!.message).toContain(`injected failure at ${stage}`);
      expect(seen.at(-1)).toBe(stage);
      expect(readFileSync(p)).toEqual(previous);
      expect(readdirSync(dir)).toEqual(['ckpt.safetensors']);
    });
  }

  it('a crash half-way through writing leaves the previous file intact', async () => {
    const dir = freshDir();
    const p = join(dir, 'ckpt.safetensors');
    const previous = randomBytes(1000);
    writeFileSync(p, previous);
    const next = randomBytes(1000);
    const hook = (s: AtomicWriteStage, tmp: string) => {
      if (s !== 'opened') return;
      // Half the new bytes reach the temporary file, then the "process dies".
      writeFileSync(tmp, next.subarray(0, 500));
      throw new Error('killed mid-write');
    };
    await expect(write(p, next, { _hook: hook })).rejects.toThrow('killed mid-write');
    expect(readFileSync(p)).toEqual(previous);
    expect(readdirSync(dir)).toEqual(['ckpt.safetensors']);
  });

  it('a rename that fails (the target is a non-empty directory) cleans up and reports the step', async () => {
    const dir = freshDir();
    const p = join(dir, 'taken');
    mkdirSync(p);
    writeFileSync(join(p, 'inside'), 'keep me');
    await expect(write(p, randomBytes(10))).rejects.toThrow(new RegExp(`^${fn}\\(.*taken\\): rename failed: `));
    const err = await write(p, randomBytes(10)).catch((e: Error & { code?: string }) => e);
    expect(typeof (err as { code?: string }).code).toBe('string');
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(readFileSync(join(p, 'inside'), 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('a directory that does not exist fails at open and creates nothing', async () => {
    const dir = freshDir();
    const p = join(dir, 'missing', 'x.bin');
    await expect(write(p, randomBytes(10))).rejects.toThrow(/open of a temporary file failed: ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('keeps the permission bits of the file it replaces, or uses the given mode', async () => {
    const dir = freshDir();
    const p = join(dir, 'secret.bin');
    writeFileSync(p, 'old');
    chmodSync(p, 0o640);
    await write(p, randomBytes(16));
    expect(statSync(p).mode & 0o777).toBe(0o640);
    await write(p, randomBytes(16), { mode: 0o600 });
    expect(statSync(p).mode & 0o777).toBe(0o600);
  });

  it.skipIf(process.platform === 'win32')('replaces the file a symbolic link points to and keeps the link', async () => {
    const dir = freshDir();
    const real = join(dir, 'real.bin');
    const link = join(dir, 'link.bin');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    const bytes = randomBytes(32);
    await write(link, bytes);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real)).toEqual(bytes);
    expect(readdirSync(dir).sort()).toEqual(['link.bin', 'real.bin']);
  });

  it('refuses bad arguments', async () => {
    await expect(write('', new Uint8Array(1))).rejects.toThrow(/path must be a non-empty string/);
    await expect(write(join(freshDir(), 'x'), 'text' as unknown as Uint8Array)).rejects.toThrow(/bytes must be a Uint8Array/);
  });
});

describe('concurrent writers', () => {
  it('many overlapping writes to one path each land whole; the result is one of them; no temporary files remain', async () => {
    const dir = freshDir();
    const p = join(dir, 'shared.bin');
    const contents = Array.from({ length: 32 }, (_, i) => new Uint8Array(64 * 1024 + i).fill(i));
    await Promise.all(contents.map((c) => writeFileAtomic(p, c)));
    const final = readFileSync(p);
    const winner = final[0]!;
    expect(final.equals(contents[winner]!)).toBe(true);
    expect(readdirSync(dir)).toEqual(['shared.bin']);
  });

  it('temporary names are unique, hidden, and beside the target', () => {
    const target = join(root, 'dir', 'model.safetensors');
    const names = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = tempPathFor(target);
      expect(dirname(t)).toBe(dirname(target));
      expect(basename(t)).toMatch(new RegExp(`^\\.model\\.safetensors\\.${process.pid}\\.\\d+\\.[0-9a-f]{12}\\.tmp$`));
      names.add(t);
    }
    expect(names.size).toBe(2000);
  });

  it('a long file name keeps the temporary name within file-name limits', () => {
    const t = tempPathFor(join(root, 'x'.repeat(250)));
    expect(basename(t).length).toBeLessThan(200);
  });
});

/** The pid of a process that has exited (a node that did nothing). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid!;
  expect(isProcessAlive(pid)).toBe(false);
  return pid;
}

describe('removeStaleTempFiles', () => {
  it("removes a dead writer's temporary files of that target only; keeps live writers' and other files", async () => {
    const dir = mkdtempSync(join(root, 'stale-'));
    const dead = deadPid();
    const names = {
      stale: `.ck.safetensors.${dead}.3.0123456789ab.tmp`,
      live: `.ck.safetensors.${process.pid}.4.0123456789ab.tmp`,
      other: `.ck.optim.safetensors.${dead}.3.0123456789ab.tmp`,
      notTemp: `.ck.safetensors.${dead}.notes`,
      target: 'ck.safetensors',
    };
    for (const n of Object.values(names)) writeFileSync(join(dir, n), 'x');
    expect(await removeStaleTempFiles(join(dir, 'ck.safetensors'))).toEqual([join(dir, names.stale)]);
    expect(readdirSync(dir).sort()).toEqual([names.live, names.other, names.notTemp, names.target].sort());
    expect(await removeStaleTempFiles(join(dir, 'ck.optim.safetensors'))).toEqual([join(dir, names.other)]);
    expect(await removeStaleTempFiles(join(dir, 'missing', 'ck.safetensors'))).toEqual([]);
  });

  it('finds the temporaries tempPathFor names (a long name is cut the same way)', async () => {
    const dir = mkdtempSync(join(root, 'stale-'));
    const target = join(dir, `${'n'.repeat(150)}.safetensors`);
    const live = tempPathFor(target);
    const stale = live.replace(`.${process.pid}.`, `.${deadPid()}.`);
    writeFileSync(live, 'x');
    writeFileSync(stale, 'x');
    expect(await removeStaleTempFiles(target)).toEqual([stale]);
    expect(existsSync(live)).toBe(true);
  });
});

describe('isWriterAlive', () => {
  it("counts a file of this process's pid from before it started as a dead predecessor's (pid reuse)", async () => {
    const dir = mkdtempSync(join(root, 'stale-'));
    const before = join(dir, `.ck.safetensors.${process.pid}.1.0123456789ab.tmp`);
    const now = join(dir, `.ck.safetensors.${process.pid}.2.0123456789ab.tmp`);
    writeFileSync(before, 'x');
    writeFileSync(now, 'x');
    const anHourBeforeStart = (performance.timeOrigin - 3_600_000) / 1000;
    utimesSync(before, anHourBeforeStart, anHourBeforeStart);
    expect(isWriterAlive(process.pid, Date.now())).toBe(true);
    expect(isWriterAlive(process.pid, anHourBeforeStart * 1000)).toBe(false);
    expect(isWriterAlive(deadPid(), Date.now())).toBe(false);
    expect(await removeStaleTempFiles(join(dir, 'ck.safetensors'))).toEqual([before]);
    expect(existsSync(now)).toBe(true);
  });
});

describe('ensureWritableDirectory', () => {
  it('creates missing directories and leaves no probe behind; a parent that is a file is ENOTDIR', async () => {
    const dir = mkdtempSync(join(root, 'probe-'));
    await ensureWritableDirectory(join(dir, 'a', 'b'));
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual([]);
    writeFileSync(join(dir, 'file'), 'x');
    await expect(ensureWritableDirectory(join(dir, 'file', 'c'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
