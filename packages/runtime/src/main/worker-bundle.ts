import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Bundles older than this are removed from the cache folder when a new one is written. */
const KEEP_MS = 24 * 3600 * 1000;

/** This process's bundle (undefined: not tried yet; null: unavailable). */
let bundled: string | null | undefined;

/**
 * The worker entry `entry` (a TypeScript file of this repository) bundled into one ES module, for
 * pools started from the TypeScript sources (tests, benchmarks, the demo). Through tsx each pool
 * thread resolved and compiled the worker's ~100 modules one by one: an engine's first step took
 * 470–500 ms, 60–80 ms from the bundle. esbuild (a dev dependency: sources exist only in the
 * repository) bundles it in ~50 ms, once per process, with the `@actorgrad/source` condition, so
 * the threads run the same sources as the main thread. The file goes to the runtime package's
 * `node_modules/.cache/actorgrad/`, named by a hash of its text (processes with the same sources
 * share it; written under a temporary name and renamed, so no thread sees half a file). Null when
 * esbuild or that folder is unavailable: the threads then load the sources through tsx.
 */
export function bundledWorkerEntry(entry: URL): string | null {
  if (bundled !== undefined) return bundled;
  bundled = null;
  try {
    const esbuild = createRequire(entry)('esbuild') as typeof import('esbuild');
    const out = esbuild.buildSync({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: ['@actorgrad/source'],
      write: false,
      logLevel: 'silent',
      // CommonJS dependencies inside an ES module call `require` (for Node's built-in modules).
      banner: { js: "import { createRequire as actorgradCreateRequire } from 'node:module'; const require = actorgradCreateRequire(import.meta.url);" },
    });
    const text = out.outputFiles[0]!.text;
    const dir = fileURLToPath(new URL('../../node_modules/.cache/actorgrad/', entry));
    const name = `worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`;
    if (!existsSync(dir + name)) {
      mkdirSync(dir, { recursive: true });
      const tmp = `${dir}${name}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, dir + name);
      removeOld(dir, name);
    }
    bundled = pathToFileURL(dir + name).href;
  } catch {
    bundled = null;
  }
  return bundled;
}

/** Removes other bundles (and temporary files) older than `KEEP_MS` from `dir`. */
function removeOld(dir: string, keep: string): void {
  const now = Date.now();
  for (const f of readdirSync(dir)) {
    if (f === keep || !f.startsWith('worker-')) continue;
    try {
      if (now - statSync(dir + f).mtimeMs > KEEP_MS) unlinkSync(dir + f);
    } catch {
      // Removed by another process meanwhile.
    }
  }
}
