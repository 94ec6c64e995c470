#!/usr/bin/env node
// Dependency-architecture check for the actorgrad workspace (see ARCHITECTURE.md, "allowed arrows").
// Plain Node ESM, no dependencies. `node scripts/check-deps.mjs [rootDir]` prints every violation and
// exits 1, or prints a one-line summary and exits 0. `checkWorkspace(rootDir)` returns the violations.
//
// Files scanned: packages/*/{src,test,bench}/**/*.ts and apps/*/{src,test,bench}/**/*.ts. Files under
// src/ are production files unless they are `*.test.ts`/`*.spec.ts`/`*.bench.ts` or live in a
// `test/`, `tests/`, `__tests__/` or `bench/` directory; everything under the package's own test/ and
// bench/ directories is a test file.
//
// Rules:
//   arrows    - production files may import only the workspace packages the POLICY table allows
//               (type-only imports count too, but some packages may be allowed for types only); test
//               files are exempt, except core's, which may import no workspace package at all.
//   external  - production run-time imports of node builtins / external packages must be allowed by
//               POLICY; type-only imports and test files are exempt.
//   declared  - every import of another workspace package is declared in the importer's package.json
//               dependencies (or devDependencies, for test files).
//   deep      - `@actorgrad/x/anything` is forbidden, and so is a relative import leaving the package.
//   core-deps - core's package.json declares no dependencies (nor peer/optional ones).
//   cycles    - no import cycle between files of a package (type-only imports are erased and dynamic
//               `import()` is deferred, so neither counts) and no cycle between packages (imports of any kind, plus declared
//               workspace dependencies of any kind, since those are what pnpm and turbo see).
//   shape     - every packages/* package has an `exports` map and a src/index.ts.

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCOPE = '@actorgrad/';

/**
 * What each library package may import. `workspace`: packages allowed in any import; `typeWorkspace`:
 * packages additionally allowed in type-only imports; `builtins`: node builtins at run time;
 * `external`: external packages allowed at run time whether or not declared; `externalFromDeps`: any
 * external package declared in package.json is allowed at run time.
 */
export const POLICY = {
  '@actorgrad/core': { workspace: [], builtins: false, external: [], externalFromDeps: false },
  '@actorgrad/optim': { workspace: ['@actorgrad/core'], builtins: false, external: [], externalFromDeps: false },
  '@actorgrad/runtime': {
    workspace: ['@actorgrad/core', '@actorgrad/optim'],
    builtins: true,
    external: ['piscina', 'comlink', 'rxjs'],
    externalFromDeps: true,
  },
  '@actorgrad/viz-server': {
    workspace: ['@actorgrad/runtime'],
    typeWorkspace: ['@actorgrad/core', '@actorgrad/optim'],
    builtins: true,
    external: [],
    externalFromDeps: true,
  },
};

/** Policy of every apps/* package: any workspace package, builtins, and whatever it declares. */
export const APP_POLICY = { workspace: '*', builtins: true, external: [], externalFromDeps: true };

const SOURCE_EXT = /\.(?:ts|tsx|mts|cts)$/;
const TEST_FILE = /\.(?:test|spec|bench)\.(?:ts|tsx|mts|cts)$/;
const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'bench']);
const SKIP_DIRS = new Set(['node_modules', 'dist', '.turbo', 'coverage']);

// ---------------------------------------------------------------------------------------------------
// Import extraction

const REGEX_PREV_CHARS = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const REGEX_PREV_WORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);
const isIdent = (c) => c !== undefined && /[\w$]/.test(c);

/**
 * `src` with comments blanked and the contents of string, template and regex literals blanked (their
 * delimiters and every newline kept), so that offsets match `src` and import syntax can be matched
 * with regular expressions without being fooled by text inside strings or comments.
 */
export function maskSource(src) {
  const out = src.split('');
  const n = src.length;
  const blank = (from, to) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  const templates = []; // brace depth of each open `${ ... }` expression
  let prev = ''; // last significant code character
  let prevWord = ''; // the identifier ending at `prev`, if any
  let prevPos = -1; // offset of `prev`
  let i = 0;
  let inTemplate = false;
  while (i < n) {
    if (inTemplate) {
      const start = i;
      while (i < n && src[i] !== '`' && !(src[i] === '$' && src[i + 1] === '{')) i += src[i] === '\\' ? 2 : 1;
      blank(start, Math.min(i, n));
      if (i >= n) break;
      if (src[i] === '`') {
        inTemplate = false;
        prev = '`';
        prevWord = '';
        i++;
      } else {
        templates.push(0);
        inTemplate = false;
        prev = '{';
        prevWord = '';
        i += 2;
      }
      continue;
    }
    const c = src[i];
    const d = src[i + 1];
    if (c === '/' && d === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && d === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      blank(i + 1, Math.min(j, n));
      i = j + 1;
      prev = c;
      prevWord = '';
      continue;
    }
    if (c === '`') {
      inTemplate = true;
      i++;
      continue;
    }
    if (c === '/' && (prev === '' || REGEX_PREV_CHARS.has(prev) || REGEX_PREV_WORDS.has(prevWord))) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== '\n') {
        if (src[j] === '\\') j += 2;
        else if (inClass) {
          if (src[j] === ']') inClass = false;
          j++;
        } else if (src[j] === '[') {
          inClass = true;
          j++;
        } else if (src[j] === '/') break;
        else j++;
      }
      if (j < n && src[j] === '/') {
        blank(i + 1, j);
        i = j + 1;
        while (i < n && isIdent(src[i])) i++;
        prev = '/';
        prevWord = '';
        continue;
      }
      // not a regex literal after all: fall through and treat as division
    }
    if (c === '{' && templates.length > 0) templates[templates.length - 1]++;
    if (c === '}' && templates.length > 0) {
      if (templates[templates.length - 1] === 0) {
        templates.pop();
        inTemplate = true;
        i++;
        continue;
      }
      templates[templates.length - 1]--;
    }
    if (!/\s/.test(c)) {
      if (isIdent(c)) {
        prevWord = isIdent(prev) && prevPos === i - 1 ? prevWord + c : c;
      } else prevWord = '';
      prev = c;
      prevPos = i;
    }
    i++;
  }
  return out.join('');
}

/**
 * The module specifiers `src` imports: `import ... from`, `import '...'`, `export ... from` and
 * `import('...')`, each `{ spec, typeOnly, dynamic }`. `import type`/`export type` are type-only, as are
 * `typeof import('...')` and `import('...').Name` in type positions.
 */
export function parseImports(src) {
  const m = maskSource(src);
  const found = [];
  const readString = (q) => {
    const quote = m[q];
    const end = m.indexOf(quote, q + 1);
    if (end < 0) return null;
    return { spec: src.slice(q + 1, end), end: end + 1 };
  };
  const skipWs = (k) => {
    while (k < m.length && /\s/.test(m[k])) k++;
    return k;
  };
  const keyword = /\b(import|export)\b/g;
  for (let hit = keyword.exec(m); hit !== null; hit = keyword.exec(m)) {
    const k = hit.index;
    let b = k - 1;
    while (b >= 0 && /\s/.test(m[b])) b--;
    if (m[b] === '.' && m[b - 1] !== '.') continue; // obj.import
    if (hit[1] === 'export') {
      const re = /export\s+(type\s+)?(?:\*\s*(?:as\s+[\w$]+\s*)?|\{[^{}'"`;]*\}\s*)from\s*(['"])/y;
      re.lastIndex = k;
      const e = re.exec(m);
      if (!e) continue;
      const s = readString(re.lastIndex - 1);
      if (s) found.push({ spec: s.spec, typeOnly: Boolean(e[1]), dynamic: false });
      continue;
    }
    const j = skipWs(k + 6);
    const c = m[j];
    if (c === '.') continue; // import.meta
    if (c === "'" || c === '"') {
      const s = readString(j);
      if (s) found.push({ spec: s.spec, typeOnly: false, dynamic: false });
      continue;
    }
    if (c === '(') {
      const q = skipWs(j + 1);
      if (!["'", '"', '`'].includes(m[q])) continue; // computed specifier: cannot check
      const s = readString(q);
      if (!s || (m[q] === '`' && s.spec.includes('${'))) continue;
      const close = skipWs(s.end);
      let typeOnly = /\btypeof$/.test(m.slice(Math.max(0, b - 6), b + 1));
      if (m[close] === ')') {
        const after = /^\s*\.\s*([\w$]+)/.exec(m.slice(close + 1, close + 200));
        if (after && !['then', 'catch', 'finally'].includes(after[1])) typeOnly = true;
      }
      found.push({ spec: s.spec, typeOnly, dynamic: true });
      continue;
    }
    const re = /([^;'"`()=]*?)\bfrom\s*(['"])/y;
    re.lastIndex = j;
    const f = re.exec(m);
    if (!f) continue; // e.g. `import x = require(...)`
    const clause = f[1].trim();
    const s = readString(re.lastIndex - 1);
    if (s) found.push({ spec: s.spec, typeOnly: /^type\s+[\w${*]/.test(clause), dynamic: false });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------
// Workspace discovery

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const toPosix = (p) => p.split(path.sep).join('/');

function walk(dir, files = []) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return files;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(full, files);
    } else if (e.isFile() && SOURCE_EXT.test(e.name)) files.push(full);
  }
  return files;
}

function listDirs(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

const shortName = (name) => name.replace(/^@[^/]+\//, '');

/** The workspace package a bare specifier names, or null for an external package. */
function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isTestFile(relToPkg) {
  const parts = relToPkg.split('/');
  if (parts[0] === 'test' || parts[0] === 'bench') return true;
  if (TEST_FILE.test(parts[parts.length - 1])) return true;
  return parts.slice(1, -1).some((p) => TEST_DIRS.has(p));
}

/** Resolves a relative specifier from `fromFile` to an existing file, TypeScript-style. */
function resolveRelative(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [];
  const ext = path.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  if (ext === '.js' || ext === '.jsx') candidates.push(`${stem}.ts`, `${stem}.tsx`);
  if (ext === '.mjs') candidates.push(`${stem}.mts`);
  if (ext === '.cjs') candidates.push(`${stem}.cts`);
  candidates.push(base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx'));
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // try the next candidate
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Cycles

/** One cycle per non-trivial strongly connected component of `graph` (Map node -> Set node). */
export function findCycles(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const sccs = [];
  let counter = 0;
  const nodes = [...graph.keys()].sort();
  const strong = (v) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      sccs.push(scc);
    }
  };
  for (const v of nodes) if (!index.has(v)) strong(v);

  const cycles = [];
  for (const scc of sccs) {
    const members = new Set(scc);
    const start = [...scc].sort()[0];
    if (scc.length === 1 && !graph.get(start)?.has(start)) continue;
    // breadth-first search for the shortest path start -> ... -> start inside the component
    const parent = new Map();
    const queue = [start];
    let found = null;
    while (queue.length > 0 && found === null) {
      const v = queue.shift();
      for (const w of [...(graph.get(v) ?? [])].sort()) {
        if (!members.has(w)) continue;
        if (w === start) {
          found = v;
          break;
        }
        if (!parent.has(w)) {
          parent.set(w, v);
          queue.push(w);
        }
      }
    }
    const path_ = [start];
    for (let v = found; v !== start; v = parent.get(v)) path_.splice(1, 0, v);
    path_.push(start);
    cycles.push(path_);
  }
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------
// The check

/** Scans the workspace at `rootDir`; returns `{ violations, files, packages }`. */
export function analyzeWorkspace(rootDir) {
  const root = path.resolve(rootDir);
  const violations = [];
  const rel = (p) => toPosix(path.relative(root, p));

  // discover packages
  const packages = [];
  for (const group of ['packages', 'apps']) {
    for (const name of listDirs(path.join(root, group))) {
      const dir = path.join(root, group, name);
      const manifestPath = path.join(dir, 'package.json');
      if (!existsSync(manifestPath)) {
        if (existsSync(path.join(dir, 'src'))) violations.push(`${rel(dir)}: has src/ but no package.json`);
        continue;
      }
      let manifest;
      try {
        manifest = readJson(manifestPath);
      } catch (err) {
        violations.push(`${rel(manifestPath)}: cannot be parsed (${err.message})`);
        continue;
      }
      if (typeof manifest.name !== 'string') {
        violations.push(`${rel(manifestPath)}: has no "name"`);
        continue;
      }
      packages.push({ dir, group, manifest, name: manifest.name, relDir: rel(dir) });
    }
  }
  const byName = new Map(packages.map((p) => [p.name, p]));

  const depNames = (m, keys) => new Set(keys.flatMap((k) => Object.keys(m[k] ?? {})));
  const packageGraph = new Map(packages.map((p) => [p.name, new Set()]));
  let fileCount = 0;

  for (const pkg of packages) {
    const { manifest, name } = pkg;
    const short = shortName(name);
    const isApp = pkg.group === 'apps';
    const policy = isApp ? APP_POLICY : POLICY[name];
    const manifestRel = `${pkg.relDir}/package.json`;
    if (!policy) violations.push(`${manifestRel}: ${name} has no entry in the ARCHITECTURE.md arrow table`);

    // shape rules (library packages only; apps are not imported)
    if (!isApp) {
      const ex = manifest.exports;
      if (ex === undefined || ex === null || (typeof ex !== 'string' && typeof ex !== 'object')) {
        violations.push(`${manifestRel}: ${short} has no "exports" map`);
      } else if (typeof ex === 'object' && Object.keys(ex).some((k) => k.startsWith('.')) && !('.' in ex)) {
        violations.push(`${manifestRel}: ${short}'s "exports" map has no "." entry`);
      }
      if (!existsSync(path.join(pkg.dir, 'src', 'index.ts'))) {
        violations.push(`${pkg.relDir}: ${short} has no src/index.ts`);
      }
    }
    if (name === '@actorgrad/core') {
      for (const key of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
        const deps = Object.keys(manifest[key] ?? {});
        if (deps.length > 0) violations.push(`${manifestRel}: core must have no ${key} (found ${deps.join(', ')})`);
      }
    }

    const runDeps = depNames(manifest, ['dependencies', 'peerDependencies', 'optionalDependencies']);
    const allDeps = depNames(manifest, ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']);
    for (const dep of allDeps) if (byName.has(dep) && dep !== name) packageGraph.get(name).add(dep);

    // files
    const files = ['src', 'test', 'bench'].flatMap((d) => walk(path.join(pkg.dir, d)));
    fileCount += files.length;
    const fileGraph = new Map(files.map((f) => [f, new Set()]));

    for (const file of files) {
      const fileRel = rel(file);
      const inPkg = toPosix(path.relative(pkg.dir, file));
      const test = isTestFile(inPkg);
      const declared = test || isApp ? allDeps : runDeps;
      const declaredWhere = test || isApp ? 'dependencies or devDependencies' : 'dependencies';
      const typeOnlyFile = /\.d\.[cm]?ts$/.test(file);
      let imports;
      try {
        imports = parseImports(readFileSync(file, 'utf8'));
      } catch (err) {
        violations.push(`${fileRel}: cannot be read (${err.message})`);
        continue;
      }
      const seen = new Set();
      for (const { spec, typeOnly: t, dynamic } of imports) {
        const typeOnly = t || typeOnlyFile;
        const key = `${spec}\0${typeOnly}\0${dynamic}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const bad = (why) => violations.push(`${fileRel} imports '${spec}': ${why}`);

        // relative imports: stay inside the package; feed the file graph
        if (spec.startsWith('.') || spec.startsWith('/')) {
          const target = resolveRelative(file, spec);
          const leaves = (p) => {
            const r = path.relative(pkg.dir, p);
            return r.startsWith('..') || path.isAbsolute(r);
          };
          if (leaves(path.resolve(path.dirname(file), spec)) || (target && leaves(target))) {
            bad(`relative imports must not leave ${pkg.relDir}; import the package by name`);
          } else if (!target) {
            bad('relative import does not resolve to a file');
          } else if (!typeOnly && !dynamic && fileGraph.has(target)) {
            fileGraph.get(file).add(target);
          }
          continue;
        }

        if (isBuiltin(spec)) {
          if (test || typeOnly || !policy) continue;
          if (!policy.builtins) bad(`${short} must not import node builtins`);
          continue;
        }

        const target = packageOf(spec);
        const isWorkspace = byName.has(target) || target.startsWith(SCOPE);
        if (!isWorkspace) {
          if (test || typeOnly || !policy) continue;
          const ok = policy.external.includes(target) || (policy.externalFromDeps && declared.has(target));
          if (ok) continue;
          if (!policy.externalFromDeps && policy.external.length === 0) {
            bad(`${short} must not import external packages at run time`);
          } else {
            bad(
              `${short} may only import ${[...policy.external, 'packages declared in its package.json'].join(', ')} at run time`,
            );
          }
          continue;
        }

        // workspace imports
        if (spec !== target) bad(`deep imports into workspace packages are forbidden; import '${target}'`);
        if (!byName.has(target)) {
          bad(`${target} is not a package of this workspace`);
          continue;
        }
        if (target === name) {
          bad(`${short} must not import itself by name; use a relative import`);
          continue;
        }
        packageGraph.get(name).add(target);
        if (!declared.has(target)) bad(`${target} is not declared in ${manifestRel} ${declaredWhere}`);
        if (!policy) continue;
        const coreTest = test && name === '@actorgrad/core';
        if (test && !coreTest) continue;
        if (policy.workspace === '*') continue;
        const allowed = [...policy.workspace, ...(typeOnly ? (policy.typeWorkspace ?? []) : [])];
        if (!allowed.includes(target)) {
          const list = allowed.length > 0 ? allowed.join(', ') : 'no workspace package';
          const extra =
            !typeOnly && (policy.typeWorkspace ?? []).includes(target) ? ' (type-only imports of it are allowed)' : '';
          bad(`${short} must not import ${target}${coreTest ? ' (not even in tests)' : ''}; allowed: ${list}${extra}`);
        }
      }
    }

    for (const cycle of findCycles(fileGraph)) {
      violations.push(`${rel(cycle[0])}: import cycle in ${name}: ${cycle.map(rel).join(' -> ')}`);
    }
  }

  for (const cycle of findCycles(packageGraph)) {
    violations.push(`package cycle: ${cycle.join(' -> ')}`);
  }

  return { violations, files: fileCount, packages: packages.length };
}

/** The violations of the dependency rules in the workspace at `rootDir`, as human-readable lines. */
export function checkWorkspace(rootDir) {
  return analyzeWorkspace(rootDir).violations;
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const rootDir = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const { violations, files, packages } = analyzeWorkspace(rootDir);
  if (violations.length > 0) {
    for (const v of violations) console.error(v);
    console.error(`deps: ${violations.length} violation${violations.length === 1 ? '' : 's'}`);
    process.exit(1);
  }
  console.log(`deps ok: ${files} files, ${packages} packages, no cycles`);
}
