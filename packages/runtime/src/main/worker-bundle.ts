import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Bundles older than this are removed from the cache folder when a new one is written. */
const KEEP_MS = 24 * 3600 * 1000;

/** This process's bundle (undefined: not tried yet; null: unavailable). */
let bundled: string | null | undefined;

/** The bundle last built from an entry, and what went into it (`index-<entry's hash>.json` in the cache folder). */
interface BundleIndex {
  /** This module and the esbuild that built it (size and modification time of each). */
  tool: string;
  /** The bundle's file name in the cache folder. */
  bundle: string;
  /** Every file esbuild read, by absolute path: its size and modification time then. */
  inputs: Record<string, string>;
}

/**
 * The worker entry `entry` (a TypeScript file of this repository) bundled into one ES module, for
 * pools started from the TypeScript sources (tests, benchmarks, the demo). Through tsx each pool
 * thread resolved and compiled the worker's ~100 modules one by one: an engine's first step took
 * 470–500 ms, 60–80 ms from the bundle. esbuild (a dev dependency: sources exist only in the
 * repository) bundles it with the `@actorgrad/source` condition, so the threads run the same
 * sources as the main thread. The file goes to the runtime package's
 * `node_modules/.cache/actorgrad/`, named by a hash of its text (processes with the same sources
 * share it; written under a temporary name and renamed, so no thread sees half a file). Building
 * takes 0.2 s of the main thread, so an index beside it records every input's size and modification
 * time: while none changed (nor esbuild, nor this module), a process takes the bundle without
 * building. Null when esbuild or that folder is unavailable: the threads then load the sources
 * through tsx.
 */
export function bundledWorkerEntry(entry: URL): string | null {
  if (bundled !== undefined) return bundled;
  try {
    bundled = bundleOf(entry, fileURLToPath(new URL('../../node_modules/.cache/actorgrad/', entry))).url;
  } catch {
    bundled = null;
  }
  return bundled;
}

/**
 * @internal `entry` bundled into the folder `dir` (see {@link bundledWorkerEntry}): the bundle the
 * index there names if no input changed, else a new build; `built` says which. Throws if esbuild
 * fails or the folder cannot be written.
 */
export function bundleOf(entry: URL, dir: string): { url: string; built: boolean } {
  const index = join(dir, `index-${createHash('sha256').update(entry.href).digest('hex').slice(0, 16)}.json`);
  const require = createRequire(import.meta.url);
  const tool = `${stamp(fileURLToPath(import.meta.url))}|${stamp(require.resolve('esbuild/package.json'))}|${installStamp(dirname(fileURLToPath(entry)))}`;
  const kept = unchanged(index, dir, tool);
  if (kept) return { url: pathToFileURL(join(dir, kept)).href, built: false };
  const esbuild = require('esbuild') as typeof import('esbuild');
  const root = dirname(fileURLToPath(entry));
  const out = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@actorgrad/source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    // CommonJS dependencies inside an ES module call `require` (for Node's built-in modules).
    banner: { js: "import { createRequire as actorgradCreateRequire } from 'node:module'; const require = actorgradCreateRequire(import.meta.url);" },
  });
  const text = out.outputFiles[0]!.text;
  const name = `worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, name))) {
    replaceFile(join(dir, name), text);
    removeOld(dir, name);
  }
  const inputs: Record<string, string> = {};
  for (const file of Object.keys(out.metafile.inputs)) {
    const path = resolve(root, file);
    inputs[path] = stamp(path);
  }
  replaceFile(index, JSON.stringify({ tool, bundle: name, inputs } satisfies BundleIndex));
  return { url: pathToFileURL(join(dir, name)).href, built: true };
}

/** A file's size and modification time ('' if it is gone). */
function stamp(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return '';
  }
}

/**
 * The last install's trace, from the nearest folder up from `from` that has one: the lockfile and
 * pnpm's `node_modules/.modules.yaml`. An install that moved a dependency to another version leaves
 * the old files in place (the index would not see it); it rewrites these.
 */
function installStamp(from: string): string {
  for (let d = from; ; d = dirname(d)) {
    const lock = stamp(join(d, 'pnpm-lock.yaml')) || stamp(join(d, 'package-lock.json'));
    if (lock) return `${lock}|${stamp(join(d, 'node_modules', '.modules.yaml'))}`;
    if (dirname(d) === d) return '';
  }
}

/** The bundle `index` names, if it is there and built by `tool` from inputs that have not changed since; else null. */
function unchanged(index: string, dir: string, tool: string): string | null {
  let at: BundleIndex;
  try {
    at = JSON.parse(readFileSync(index, 'utf8')) as BundleIndex;
  } catch {
    return null;
  }
  if (at.tool !== tool || typeof at.inputs !== 'object' || !existsSync(join(dir, at.bundle))) return null;
  for (const [path, s] of Object.entries(at.inputs)) if (stamp(path) !== s) return null;
  return at.bundle;
}

/** Writes `text` to `path` through a temporary file and a rename: a reader sees the old file or the new one, whole. */
function replaceFile(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Removes other bundles (and temporary files) older than `KEEP_MS` from `dir`. */
function removeOld(dir: string, keep: string): void {
  const now = Date.now();
  for (const f of readdirSync(dir)) {
    if (f === keep || !f.startsWith('worker-')) continue;
    try {
      if (now - statSync(join(dir, f)).mtimeMs > KEEP_MS) unlinkSync(join(dir, f));
    } catch {
      // Removed by another process meanwhile.
    }
  }
}
