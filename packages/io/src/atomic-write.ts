/**
 * Atomic file replacement: a reader of `path` sees either the previous file or the new one, whole,
 * never a mixture or a truncated file — even if the process dies or the disk fills mid-write.
 *
 * The bytes go to a temporary file in the same directory (so the rename cannot cross file
 * systems), created exclusively under a unique name (`.<name>.<pid>.<counter>.<random>.tmp`, so
 * concurrent writers — threads, processes — never share one); the file is `fsync`ed so its data is
 * on disk before it gets the name, then `rename`d over `path` (atomic on POSIX, and a replace on
 * Windows), and finally the directory is `fsync`ed, best effort, so the rename itself survives a
 * power cut. On any error the temporary file is closed and removed and the error is rethrown;
 * the previous file at `path` is untouched.
 *
 * A process killed mid-write (kill -9, a power cut) leaves its temporary file behind;
 * {@link removeStaleTempFiles} removes those whose writer is gone.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, mkdir, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The points at which the {@link WriteFileAtomicOptions._hook} test hook is called. */
export type AtomicWriteStage =
  /** The temporary file exists and is empty. */
  | 'opened'
  /** All bytes are written to the temporary file, not yet fsynced. */
  | 'written'
  /** The temporary file is fsynced and closed; next comes the rename. */
  | 'synced';

export interface WriteFileAtomicOptions {
  /** Permission bits of the new file (default: those of the file being replaced, else 0o666 minus the umask). */
  mode?: number;
  /**
   * @internal Test hook, called at each stage with the temporary file's path; whatever it throws
   * (or rejects with) fails the write at that point, as a crash or a full disk would.
   */
  _hook?: (stage: AtomicWriteStage, tmpPath: string) => void | Promise<void>;
}

let counter = 0;

/**
 * A fresh temporary path beside `target`: `.<name>.<pid>.<counter>.<random>.tmp` in the same
 * directory. The counter makes names unique within the process, pid and 48 random bits across
 * processes; the file is also created exclusively, so a clash fails instead of sharing a file.
 */
export function tempPathFor(target: string): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  const name = basename(target).slice(0, 100);
  return join(dirname(target), `.${name}.${process.pid}.${counter}.${randomBytes(6).toString('hex')}.tmp`);
}

const CREATE_EXCLUSIVE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY;

function checkArgs(fn: string, path: string, bytes: Uint8Array): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${fn}: path must be a non-empty string, got ${JSON.stringify(path)}`);
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${fn}(${path}): bytes must be a Uint8Array`);
}

function wrap(fn: string, path: string, step: string, e: unknown): Error {
  const err = new Error(`${fn}(${path}): ${step} failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string') (err as Error & { code: string }).code = code;
  return err;
}

/**
 * Creates a fresh temporary file beside `target` with `openFile` (exclusive: `open` of
 * fs/promises or `openSync`) and returns its path and handle; a name clash (EEXIST) is retried
 * with a new name up to 5 times, any other failure is thrown naming `path`. Synchronous when
 * `openFile` is, a promise when it returns one.
 */
function openTemp<H>(fn: string, path: string, target: string, openFile: (tmp: string) => H | Promise<H>, attempt = 0): [string, H] | Promise<[string, H]> {
  const tmp = tempPathFor(target);
  const retry = (e: unknown): [string, H] | Promise<[string, H]> => {
    if ((e as { code?: string }).code === 'EEXIST' && attempt < 5) return openTemp(fn, path, target, openFile, attempt + 1);
    throw wrap(fn, path, 'open of a temporary file', e);
  };
  try {
    const h = openFile(tmp);
    return h instanceof Promise ? h.then((x): [string, H] => [tmp, x], retry) : [tmp, h];
  } catch (e) {
    return retry(e);
  }
}

/**
 * Replaces the file at `path` with `bytes` atomically (see the module documentation). A symbolic
 * link at `path` is followed: the file it points to is replaced, the link stays. Errors name the
 * path and the step that failed (`open`, `write`, `fsync`, `rename`), keep the system error as
 * `cause` and its `code`; the previous file is then intact and no temporary file is left.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const fn = 'writeFileAtomic';
  checkArgs(fn, path, bytes);
  let target = path;
  try {
    target = await realpath(path);
  } catch {
    // No file yet (or a dangling link): write to the path as given.
  }
  let mode = options.mode;
  if (mode === undefined) {
    try {
      mode = (await stat(target)).mode & 0o7777;
    } catch {
      // Nothing to inherit from.
    }
  }
  const [tmp, opened] = await openTemp(fn, path, target, (t) => open(t, CREATE_EXCLUSIVE, 0o666));
  let handle: FileHandle | null = opened;
  let step = 'open';
  try {
    if (mode !== undefined) {
      step = 'chmod';
      await handle.chmod(mode);
    }
    await options._hook?.('opened', tmp);
    step = 'write';
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, done);
      done += bytesWritten;
    }
    await options._hook?.('written', tmp);
    step = 'fsync';
    await handle.sync();
    step = 'close';
    const h = handle;
    handle = null;
    await h.close();
    await options._hook?.('synced', tmp);
    step = 'rename';
    await rename(tmp, target);
  } catch (e) {
    if (handle !== null) await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw wrap(fn, path, step, e);
  }
  await syncDirectory(dirname(target));
}

/** {@link writeFileAtomic}, synchronously (a `_hook` must not return a promise). */
export function writeFileAtomicSync(path: string, bytes: Uint8Array, options: WriteFileAtomicOptions = {}): void {
  const fn = 'writeFileAtomicSync';
  checkArgs(fn, path, bytes);
  let target = path;
  try {
    target = realpathSync(path);
  } catch {
    // No file yet (or a dangling link): write to the path as given.
  }
  let mode = options.mode;
  if (mode === undefined) {
    try {
      mode = statSync(target).mode & 0o7777;
    } catch {
      // Nothing to inherit from.
    }
  }
  const hook = (stage: AtomicWriteStage, tmpPath: string): void => {
    const r = options._hook?.(stage, tmpPath);
    if (r instanceof Promise) throw new TypeError(`${fn}: _hook returned a promise; use writeFileAtomic`);
  };
  const [tmp, opened] = openTemp(fn, path, target, (t) => openSync(t, CREATE_EXCLUSIVE, 0o666)) as [string, number];
  let fd = opened;
  let step = 'open';
  try {
    if (mode !== undefined) {
      step = 'chmod';
      fchmodSync(fd, mode);
    }
    hook('opened', tmp);
    step = 'write';
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, done);
    hook('written', tmp);
    step = 'fsync';
    fsyncSync(fd);
    step = 'close';
    const f = fd;
    fd = -1;
    closeSync(f);
    hook('synced', tmp);
    step = 'rename';
    renameSync(tmp, target);
  } catch (e) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        // Already failing; the original error is the one to report.
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // Gone already (or never renamed away); nothing more to clean.
    }
    throw wrap(fn, path, step, e);
  }
  syncDirectorySync(dirname(target));
}

/** Makes a rename in `dir` durable. Best effort: some platforms (Windows) cannot open directories. */
async function syncDirectory(dir: string): Promise<void> {
  let h: FileHandle | null = null;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch {
    // Best effort.
  } finally {
    await h?.close().catch(() => {});
  }
}

function syncDirectorySync(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort.
  } finally {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        // Best effort.
      }
    }
  }
}

/**
 * Whether process `pid` is alive on this host: `process.kill(pid, 0)` succeeds, or fails with
 * EPERM (alive, another user's). Only ESRCH means gone; anything else counts as alive, to be safe.
 */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code !== 'ESRCH';
  }
}

/**
 * Whether the process that wrote a file (its pid, and the file's modification time in ms) may
 * still be writing it. As {@link isProcessAlive}, except that a file of this process's own pid
 * last modified before this process started (with a second of slack) is a predecessor's: pids
 * are reused, and in a container a restarted trainer often gets the very pid of the one killed.
 */
export function isWriterAlive(pid: number, modifiedMs: number): boolean {
  if (pid === process.pid) return modifiedMs >= performance.timeOrigin - 1_000;
  return isProcessAlive(pid);
}

const TEMP_SUFFIX = /^(\d+)\.\d+\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temporary files that {@link writeFileAtomic} left beside `target` when its writer
 * died mid-write: `.<name>.<pid>.<counter>.<random>.tmp` (see {@link tempPathFor}) whose pid is no
 * longer alive ({@link isWriterAlive}). A live writer's files — this process's too — are kept.
 * Returns the paths removed; a missing directory removes nothing. Pids are this host's: a writer
 * on another machine sharing the directory cannot be told apart from a dead one.
 */
export async function removeStaleTempFiles(target: string): Promise<string[]> {
  let real = target;
  try {
    real = await realpath(target);
  } catch {
    // No file yet: its temporaries sit beside the path as given.
  }
  const dir = dirname(real);
  const prefix = `.${basename(real).slice(0, 100)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = TEMP_SUFFIX.exec(name.slice(prefix.length));
    if (m === null) continue;
    const p = join(dir, name);
    const modified = await stat(p).then(
      (st) => st.mtimeMs,
      () => null,
    );
    if (modified === null || isWriterAlive(Number(m[1]), modified)) continue;
    await unlink(p).then(
      () => removed.push(p),
      () => {}, // Gone already (another cleaner) or not ours to remove; either way not an error.
    );
  }
  return removed;
}

/**
 * Creates `dir` (and its parents) if needed and checks that a file can be created in it, by
 * creating and removing an empty probe file (`.probe.<pid>.<random>.tmp`). Throws the system
 * error (ENOTDIR, EACCES, EROFS, …) of whichever step failed.
 */
export async function ensureWritableDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const probe = join(dir, `.probe.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const h = await open(probe, CREATE_EXCLUSIVE, 0o600);
  await h.close();
  await unlink(probe);
}
