/**
 * The daemon's data directory (`~/.actorgrad`, or `ACTORGRAD_HOME`): the store, the runs'
 * checkpoints, the access token, the lock that keeps a second daemon out, and `daemon.json`, which
 * tells the CLI where the running daemon listens.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { ensureWritableDirectory, isProcessAlive } from '@actorgrad/io';
import { join, resolve } from 'node:path';

/** The data directory: `ACTORGRAD_HOME`, else `~/.actorgrad`. */
export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.ACTORGRAD_HOME || join(homedir(), '.actorgrad'));
}

export const paths = (home: string) => ({
  store: join(home, 'store.sqlite'),
  token: join(home, 'token'),
  lock: join(home, 'daemon.pid'),
  info: join(home, 'daemon.json'),
  log: join(home, 'daemon.log'),
  runs: join(home, 'runs'),
  run: (id: string) => join(home, 'runs', id),
});

/** An error the CLI prints as is (no stack): bad input, a refused start. */
export class DaemonError extends Error {
  override readonly name = 'DaemonError';
}

function describe(e: unknown): string {
  const { code, message } = e as { code?: string; message?: string };
  return code && !String(message).startsWith(code) ? `${code}: ${message}` : String(message);
}

/** Creates the data directory and checks that it is writable, with an error that names it. */
export async function ensureHome(home: string): Promise<void> {
  try {
    await ensureWritableDirectory(home);
    mkdirSync(join(home, 'runs'), { recursive: true });
  } catch (e) {
    throw new DaemonError(`actorgrad: the data directory ${home} is not writable (${describe(e)}); set ACTORGRAD_HOME to a writable directory`);
  }
}

/** The access token: created at first start (mode 0600), read afterwards. */
export function token(home: string): string {
  const file = paths(home).token;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw new DaemonError(`actorgrad: cannot read the token ${file} (${describe(e)})`);
  }
  const t = randomBytes(24).toString('base64url');
  try {
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    writeSync(fd, `${t}\n`);
    closeSync(fd);
    return t;
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw new DaemonError(`actorgrad: cannot create the token ${file} (${describe(e)})`);
  }
}

/**
 * Takes the data directory for this process: creates `daemon.pid` exclusively, or replaces it when
 * the process it names is gone. A live one refuses the start, naming its pid. Returns the release.
 */
export function lock(home: string): () => void {
  const file = paths(home).lock;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw new DaemonError(`actorgrad: cannot create the lock ${file} (${describe(e)})`);
    }
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) {
      throw new DaemonError(`actorgrad: another daemon (pid ${pid}) is using the data directory ${home}; stop it first (actorgrad stop-daemon, or kill ${pid})`);
    }
    rmSync(file, { force: true }); // Its daemon is gone (killed): the lock is stale.
  }
  throw new DaemonError(`actorgrad: could not take the lock ${file}`);
}

/** Where a running daemon listens, as written at its start. */
export interface DaemonInfo {
  pid: number;
  url: string;
  port: number;
  host: string;
  home: string;
}

export function writeInfo(home: string, info: DaemonInfo): void {
  const file = paths(home).info;
  writeFileSync(`${file}.tmp`, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(`${file}.tmp`, file); // Atomic: the CLI never reads half a file.
}

/** The running daemon's address, or an error saying how to start one. */
export function readInfo(home: string): DaemonInfo {
  let info: DaemonInfo;
  try {
    info = JSON.parse(readFileSync(paths(home).info, 'utf8'));
  } catch {
    throw new DaemonError(`actorgrad: no daemon is running for ${home} (start one with: actorgrad daemon)`);
  }
  if (!isProcessAlive(info.pid)) throw new DaemonError(`actorgrad: the daemon for ${home} (pid ${info.pid}) is not running (start one with: actorgrad daemon)`);
  return info;
}
