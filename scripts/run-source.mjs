#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of this repository from one cached esbuild bundle:
 * `node scripts/run-source.mjs <entry.ts> [args…]` (the root scripts `demo` uses it).
 *
 * Why not tsx: through tsx, Node resolves, compiles and links every module one by one: our ~150
 * source files and the ~400 files of rxjs, zod and the rest. On the 2-core machine the demo reached
 * its first line of its own code after 1.0–1.4 s; from this bundle after ~0.4 s. The bundle is
 * built on the first run (~1 s) and kept in `node_modules/.cache/actorgrad/run/`; a later run
 * reuses it when every file that went into it has the same size and modification time (and this
 * script, esbuild, Node and the last install are the same), else it builds again.
 *
 * The bundle keeps the semantics of the sources:
 * - `import.meta.url` (and `.filename`, `.dirname`) in every module is that module's own file's, not the bundle's (the runtime
 *   finds its worker entry from it, the viz server its static files, the io package the `mnist`
 *   package);
 * - the `@actorgrad/source` condition picks the packages' TypeScript sources, as under tsx;
 * - packages that find their own files at run time (piscina starts its worker file) or load
 *   native code stay outside it, imported from where they are installed;
 * - `process.argv[1]` is the entry, so `process.argv.slice(2)` are the arguments given here.
 *
 * `--build-only` builds the bundle (if stale) without running it: the root `postinstall` does that
 * for the demo, so that its first run after an install finds it. `ACTORGRAD_RUN_SOURCE_CACHE` sets
 * another cache folder (the tests use one of their own).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = process.env.ACTORGRAD_RUN_SOURCE_CACHE ? resolve(process.env.ACTORGRAD_RUN_SOURCE_CACHE) : join(ROOT, 'node_modules', '.cache', 'actorgrad', 'run');
/** Packages imported from their installed place, not bundled: they find their own files or load native code. */
const EXTERNAL = new Set(['piscina', 'better-sqlite3', 'esbuild', 'playwright-core']);
/** Build folders not used for this long are removed when another is built (a process may still be running one). */
const KEEP_MS = 24 * 3600 * 1000;

const buildOnly = process.argv[2] === '--build-only';
const [entryArg, ...args] = process.argv.slice(buildOnly ? 3 : 2);
if (!entryArg) {
  console.error('usage: node scripts/run-source.mjs [--build-only] <entry.ts> [args…]');
  process.exit(2);
}
const entry = resolve(entryArg);
if (!existsSync(entry)) {
  console.error(`run-source: entry ${entryArg} not found (resolved to ${entry})`);
  process.exit(2);
}

if (buildOnly) {
  // At install (the root `postinstall`): the first run finds the bundle. Never fails the install:
  // sources that do not build now are built (and their errors shown) when they are run.
  try {
    const t0 = performance.now();
    if (!cached()) {
      await build();
      console.log(`run-source: bundled ${entryArg} into ${CACHE} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } catch (e) {
    console.warn(`run-source: could not bundle ${entryArg} now (${e.message.split('\n')[0]}); it is bundled when it runs`);
  }
} else {
  const main = cached() ?? (await build());
  process.argv = [process.argv[0], entry, ...args];
  await import(main);
}

/** The size and modification time of `file`, or null if it is gone. */
function stamp(file) {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

function indexPath() {
  const id = createHash('sha256').update(entry).digest('hex').slice(0, 12);
  return join(CACHE, `${basename(entry).replace(/\.[cm]?ts$/, '')}-${id}.json`);
}

/** What the bundle depends on besides its inputs: this script, the esbuild that built it, Node, the last install. */
function toolStamp() {
  const esbuildPkg = createRequire(join(ROOT, 'package.json')).resolve('esbuild/package.json');
  // The last install (an upgraded dependency leaves its old files in place; these files change).
  const install = `${stamp(join(ROOT, 'pnpm-lock.yaml'))}|${stamp(join(ROOT, 'node_modules', '.modules.yaml'))}`;
  return `${stamp(fileURLToPath(import.meta.url))}|${stamp(esbuildPkg)}|${process.version}|${install}`;
}

/** The cached bundle's entry URL if every input is unchanged, else null. */
function cached() {
  let index;
  try {
    index = JSON.parse(readFileSync(indexPath(), 'utf8'));
  } catch {
    return null;
  }
  if (index.tool !== toolStamp() || !existsSync(join(CACHE, index.dir, index.main))) return null;
  for (const [file, s] of Object.entries(index.inputs)) if (stamp(join(ROOT, file)) !== s) return null;
  // Marked as used: another build removes only folders unused for KEEP_MS.
  try {
    const now = new Date();
    utimesSync(join(CACHE, index.dir), now, now);
  } catch {
    // Read-only: it is only kept for less long.
  }
  return pathToFileURL(join(CACHE, index.dir, index.main)).href;
}

async function build() {
  const esbuild = createRequire(join(ROOT, 'package.json'))('esbuild');
  const builtins = new Set(builtinModules);
  const tmp = join(CACHE, `build-${process.pid}-${Date.now()}.tmp`);
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@actorgrad/source'],
    outdir: tmp,
    metafile: true,
    logLevel: 'warning',
    // CommonJS dependencies inside an ES module call `require` (for Node's built-in modules).
    banner: { js: "import { createRequire as actorgradCreateRequire } from 'node:module'; const require = actorgradCreateRequire(import.meta.url);" },
    define: { 'import.meta.url': 'actorgradModuleUrl', 'import.meta.filename': 'actorgradModuleFile', 'import.meta.dirname': 'actorgradModuleDir' },
    plugins: [
      {
        name: 'actorgrad-run-source',
        setup(b) {
          // EXTERNAL packages: imported by absolute URL (the bundle lives elsewhere than their importer).
          b.onResolve({ filter: /^[^./]/ }, async (a) => {
            const name = a.path.startsWith('@') ? a.path.split('/').slice(0, 2).join('/') : a.path.split('/')[0];
            if (a.pluginData === 'inner' || !EXTERNAL.has(name) || builtins.has(name)) return undefined;
            const r = await b.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, pluginData: 'inner' });
            if (r.errors.length > 0) return { errors: r.errors };
            return { path: pathToFileURL(r.path).href, external: true };
          });
          // Each module's `import.meta.url`, `.filename` and `.dirname` (replaced through `define` by
          // names declared here, in the module that uses them) are its own file's.
          b.onLoad({ filter: /\.([cm]?[jt]s|tsx)$/ }, (a) => {
            const text = readFileSync(a.path, 'utf8');
            if (!text.includes('import.meta.')) return undefined;
            const loader = /\.[cm]?ts$/.test(a.path) ? 'ts' : a.path.endsWith('.tsx') ? 'tsx' : 'js';
            const own = `const actorgradModuleUrl = ${JSON.stringify(pathToFileURL(a.path).href)}, actorgradModuleFile = ${JSON.stringify(a.path)}, actorgradModuleDir = ${JSON.stringify(dirname(a.path))};`;
            // After a hashbang and a 'use strict' (which must stay first), on the same line: line numbers hold.
            const head = /^(#![^\n]*\n)?(\s*(['"])use strict\3;?)?/.exec(text)[0];
            return { contents: `${head}${own} ${text.slice(head.length)}`, loader, resolveDir: dirname(a.path) };
          });
        },
      },
    ],
  });
  // Every dynamically imported module is an entry point of its own too: find the one asked for.
  const mainOut = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined && resolve(ROOT, o.entryPoint) === entry)[0];
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    if (file.includes(':')) continue; // virtual modules
    inputs[file] = stamp(join(ROOT, file));
  }
  // The output folder is named by its contents and never changed once there; the index is replaced whole.
  const hash = createHash('sha256');
  for (const f of readdirSync(tmp).sort()) hash.update(f).update(readFileSync(join(tmp, f)));
  const dir = `build-${hash.digest('hex').slice(0, 16)}`;
  try {
    renameSync(tmp, join(CACHE, dir));
  } catch {
    // Already there (built by another process with the same result).
    rmSync(tmp, { recursive: true, force: true });
  }
  const index = { entry, tool: toolStamp(), dir, main: basename(mainOut), inputs };
  const at = indexPath();
  writeFileSync(`${at}.${process.pid}.tmp`, JSON.stringify(index));
  renameSync(`${at}.${process.pid}.tmp`, at);
  removeOld(dir);
  return pathToFileURL(join(CACHE, dir, index.main)).href;
}

/** Removes builds and temporary folders older than KEEP_MS that are not `keep`. */
function removeOld(keep) {
  mkdirSync(CACHE, { recursive: true });
  const now = Date.now();
  for (const f of readdirSync(CACHE)) {
    if (f === keep || !f.startsWith('build-')) continue;
    try {
      if (now - statSync(join(CACHE, f)).mtimeMs > KEEP_MS) rmSync(join(CACHE, f), { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}
