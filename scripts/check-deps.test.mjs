// Tests for scripts/check-deps.mjs: `node --test scripts/`. Every rule is shown failing on a bad fake
// workspace and passing on a good one; the fake workspaces live in os.tmpdir().
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkWorkspace, findCycles, parseImports } from './check-deps.mjs';

const SCRIPT = fileURLToPath(new URL('./check-deps.mjs', import.meta.url));
const tmpRoots = [];
after(() => {
  for (const dir of tmpRoots) rmSync(dir, { recursive: true, force: true });
});

const pkgJson = (name, extra = {}) => ({
  name,
  version: '0.0.0',
  type: 'module',
  exports: { '.': { source: './src/index.ts', import: './dist/index.js' } },
  ...extra,
});
const ws = (...names) => Object.fromEntries(names.map((n) => [`@actorgrad/${n}`, 'workspace:*']));

/** A workspace that obeys every rule. */
function goodTree() {
  return {
    'package.json': { name: 'root', private: true },
    'packages/core/package.json': pkgJson('@actorgrad/core', { devDependencies: { vitest: '^3.0.0' } }),
    'packages/core/src/index.ts': "export * from './tensor.js';\nexport { treeMap } from './tree/index.js';\n",
    'packages/core/src/tensor.ts':
      "import { shapeOf } from './shape.js';\nimport type { Tree } from './tree/index.js';\n" +
      "import type { Stats } from 'node:fs';\nexport type Held = Tree<Stats>;\n" +
      'export class Tensor { shape = shapeOf([1]); }\n',
    'packages/core/src/shape.ts':
      "// import x from 'node:fs' (comments do not count)\nconst s = \"import 'node:os'\";\n" +
      'export type T = typeof import(\'node:fs\');\nexport const shapeOf = (a: number[]) => [...a, s.length];\n',
    'packages/core/src/tree/index.ts':
      "import type { Tensor } from '../tensor.js';\nexport const treeMap = (t: Tensor) => t;\n",
    'packages/core/src/io.test.ts':
      "import { readFileSync } from 'node:fs';\nimport { describe } from 'vitest';\nexport { readFileSync, describe };\n",
    'packages/core/test/fixtures.test.ts':
      "import fs from 'fs';\nimport { Tensor } from '../src/index.js';\nexport { fs, Tensor };\n",
    'packages/core/bench/index.ts': "import { Bench } from 'tinybench';\nexport { Bench };\n",

    'packages/optim/package.json': pkgJson('@actorgrad/optim', {
      dependencies: ws('core'),
      devDependencies: { vitest: '^3.0.0' },
    }),
    'packages/optim/src/index.ts':
      "import { Tensor } from '@actorgrad/core';\nexport * from './sgd.js';\nexport const t = Tensor;\n",
    'packages/optim/src/sgd.ts': 'export const sgd = 1;\n',
    'packages/optim/src/sgd.test.ts':
      "import { sgd } from './sgd.js';\nimport { readFileSync } from 'node:fs';\nexport { sgd, readFileSync };\n",

    'packages/runtime/package.json': pkgJson('@actorgrad/runtime', {
      dependencies: { ...ws('core', 'optim'), piscina: '^4', 'p-queue': '^8' },
    }),
    'packages/runtime/src/index.ts':
      "import { Worker } from 'node:worker_threads';\nimport os from 'os';\nimport Piscina from 'piscina';\n" +
      "import * as Comlink from 'comlink';\nimport { map } from 'rxjs/operators';\nimport PQueue from 'p-queue';\n" +
      "import { sgd } from '@actorgrad/optim';\nimport { Tensor } from '@actorgrad/core';\n" +
      'export { Worker, os, Piscina, Comlink, map, PQueue, sgd, Tensor };\n' +
      "export const load = () => import('./worker.js');\n",
    'packages/runtime/src/worker.ts': "import { load } from './index.js';\nexport type L = typeof load;\n",

    'packages/viz-server/package.json': pkgJson('@actorgrad/viz-server', {
      dependencies: { ...ws('runtime', 'core', 'optim'), ws: '^8' },
    }),
    'packages/viz-server/src/index.ts':
      "import { createServer } from 'node:http';\nimport { WebSocketServer } from 'ws';\n" +
      "import { load } from '@actorgrad/runtime';\nimport type { Tensor } from '@actorgrad/core';\n" +
      "export type { sgd } from '@actorgrad/optim';\n" +
      'export const serve = (t: Tensor) => [createServer, WebSocketServer, load, t];\n',

    'apps/demo/package.json': {
      name: '@actorgrad/demo',
      private: true,
      type: 'module',
      dependencies: { ...ws('core', 'optim', 'runtime', 'viz-server'), chalk: '^5' },
      devDependencies: { kleur: '^4' },
    },
    'apps/demo/src/main.ts':
      "import { readFileSync } from 'node:fs';\nimport chalk from 'chalk';\nimport kleur from 'kleur';\n" +
      "import { Tensor } from '@actorgrad/core';\nimport { sgd } from '@actorgrad/optim';\n" +
      "import { load } from '@actorgrad/runtime';\nimport { serve } from '@actorgrad/viz-server';\n" +
      'export default [readFileSync, chalk, kleur, Tensor, sgd, load, serve];\n',
  };
}

/** Writes `tree` (relative path -> file text, or object for JSON; null deletes) into a temp dir. */
function makeWorkspace(overrides = {}) {
  const tree = { ...goodTree(), ...overrides };
  const root = mkdtempSync(path.join(os.tmpdir(), 'check-deps-'));
  tmpRoots.push(root);
  for (const [rel, content] of Object.entries(tree)) {
    if (content === null) continue;
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  return root;
}

const check = (overrides) => checkWorkspace(makeWorkspace(overrides));

/** Asserts the good variant is clean and the bad one reports a violation matching `pattern`. */
function failsAndPasses(bad, good, pattern) {
  const badV = check(bad);
  assert.ok(
    badV.some((v) => (typeof pattern === 'string' ? v === pattern : pattern.test(v))),
    `expected a violation matching ${pattern}, got:\n${badV.join('\n') || '(none)'}`,
  );
  assert.deepEqual(check(good), []);
}

describe('parseImports', () => {
  test('finds every import form and flags type-only ones', () => {
    const src = [
      "import a from 'a';",
      "import { b1, type b2 } from \"b\";",
      "import * as c from 'c';",
      "import 'd';",
      "import type { E } from 'e';",
      "import type F from 'f';",
      "import type, { g } from 'g';",
      "export * from 'h';",
      "export * as i from 'i';",
      "export { j } from 'j';",
      "export type { K } from 'k';",
      "export type * from 'l';",
      "const m = await import('m');",
      "type N = typeof import('n');",
      "let o: import('o').O;",
      "import('p').then(() => 1);",
      "import {\n  q1,\n  q2,\n} from 'q';",
      'const r = `import ${"r"}`;',
      "const s = 'import s from \"s\"';",
      "// import t from 't'",
      "/* export * from 'u' */",
      'const v = /import v from "v"/;',
      'const meta = import.meta.url;',
      "import x = require('x');",
      "const y = import(`y`);",
      'const w = 2 / 1; const z = `${`${1}`}` / 2;',
      "import zz from 'zz'",
    ].join('\n');
    const dynamic = new Set(['m', 'n', 'o', 'p', 'y']);
    const expected = [
      { spec: 'a', typeOnly: false },
      { spec: 'b', typeOnly: false },
      { spec: 'c', typeOnly: false },
      { spec: 'd', typeOnly: false },
      { spec: 'e', typeOnly: true },
      { spec: 'f', typeOnly: true },
      { spec: 'g', typeOnly: false },
      { spec: 'h', typeOnly: false },
      { spec: 'i', typeOnly: false },
      { spec: 'j', typeOnly: false },
      { spec: 'k', typeOnly: true },
      { spec: 'l', typeOnly: true },
      { spec: 'm', typeOnly: false },
      { spec: 'n', typeOnly: true },
      { spec: 'o', typeOnly: true },
      { spec: 'p', typeOnly: false },
      { spec: 'q', typeOnly: false },
      { spec: 'y', typeOnly: false },
      { spec: 'zz', typeOnly: false },
    ].map((e) => ({ ...e, dynamic: dynamic.has(e.spec) }));
    assert.deepEqual(parseImports(src), expected);
  });
});

describe('findCycles', () => {
  test('reports one shortest cycle per strongly connected component', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set()],
      ['e', new Set(['e'])],
    ]);
    assert.deepEqual(findCycles(g), [
      ['a', 'b', 'c', 'a'],
      ['e', 'e'],
    ]);
    assert.deepEqual(findCycles(new Map([['a', new Set(['b'])], ['b', new Set()]])), []);
  });
});

describe('checkWorkspace', () => {
  test('a workspace that follows every rule has no violations', () => {
    assert.deepEqual(check({}), []);
  });

  test('core: no node builtins at run time (node: or bare, any import form)', () => {
    const good = { 'packages/core/src/io.ts': "import type { Stats } from 'node:fs';\nexport type S = Stats;\n" };
    failsAndPasses(
      { 'packages/core/src/io.ts': "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n" },
      good,
      "packages/core/src/io.ts imports 'node:fs': core must not import node builtins",
    );
    for (const src of [
      "import path from 'path';",
      "import 'fs/promises';",
      "export * from 'node:os';",
      "export const f = () => import('node:fs');",
    ]) {
      const v = check({ 'packages/core/src/io.ts': src });
      assert.equal(v.length, 1, `${src}\n${v.join('\n')}`);
      assert.match(v[0], /^packages\/core\/src\/io\.ts imports '[\w:/]+': core must not import node builtins$/);
    }
  });

  test('core: no external packages at run time', () => {
    failsAndPasses(
      { 'packages/core/src/x.ts': "import _ from 'lodash';\nexport default _;\n" },
      { 'packages/core/src/x.ts': "import type { Dict } from 'lodash';\nexport type D = Dict<number>;\n" },
      "packages/core/src/x.ts imports 'lodash': core must not import external packages at run time",
    );
  });

  test('optim: no builtins and no external packages at run time', () => {
    failsAndPasses(
      { 'packages/optim/src/io.ts': "import { cpus } from 'node:os';\nexport { cpus };\n" },
      { 'packages/optim/src/io.test.ts': "import { cpus } from 'node:os';\nexport { cpus };\n" },
      "packages/optim/src/io.ts imports 'node:os': optim must not import node builtins",
    );
    failsAndPasses(
      {
        'packages/optim/package.json': pkgJson('@actorgrad/optim', { dependencies: { ...ws('core'), mathjs: '^1' } }),
        'packages/optim/src/m.ts': "import { add } from 'mathjs';\nexport { add };\n",
      },
      { 'packages/optim/test/m.test.ts': "import { add } from 'mathjs';\nexport { add };\n" },
      "packages/optim/src/m.ts imports 'mathjs': optim must not import external packages at run time",
    );
  });

  test('runtime: only its whitelist and its declared dependencies', () => {
    failsAndPasses(
      { 'packages/runtime/src/x.ts': "import express from 'express';\nexport { express };\n" },
      {
        'packages/runtime/package.json': pkgJson('@actorgrad/runtime', {
          dependencies: { ...ws('core', 'optim'), piscina: '^4', 'p-queue': '^8', express: '^4' },
        }),
        'packages/runtime/src/x.ts': "import express from 'express';\nexport { express };\n",
      },
      /^packages\/runtime\/src\/x\.ts imports 'express': runtime may only import piscina, comlink, rxjs, packages declared/,
    );
  });

  test('viz-server: run-time imports of runtime only; core and optim for types', () => {
    failsAndPasses(
      { 'packages/viz-server/src/t.ts': "import { Tensor } from '@actorgrad/core';\nexport { Tensor };\n" },
      { 'packages/viz-server/src/t.ts': "import type { Tensor } from '@actorgrad/core';\nexport type { Tensor };\n" },
      /^packages\/viz-server\/src\/t\.ts imports '@actorgrad\/core': viz-server must not import @actorgrad\/core; allowed: @actorgrad\/runtime \(type-only/,
    );
    failsAndPasses(
      { 'packages/viz-server/src/x.ts': "import express from 'express';\nexport { express };\n" },
      {},
      /viz-server\/src\/x\.ts imports 'express': viz-server may only import packages declared/,
    );
  });

  test('arrows: a package may not import a package it has no arrow to', () => {
    failsAndPasses(
      {
        'packages/optim/package.json': pkgJson('@actorgrad/optim', { dependencies: ws('core', 'runtime') }),
        'packages/optim/src/r.ts': "import type { load } from '@actorgrad/runtime';\nexport type L = typeof load;\n",
      },
      {},
      "packages/optim/src/r.ts imports '@actorgrad/runtime': optim must not import @actorgrad/runtime; allowed: @actorgrad/core",
    );
    failsAndPasses(
      {
        'packages/core/package.json': pkgJson('@actorgrad/core', { devDependencies: ws('optim') }),
        'packages/core/src/o.ts': "import type { sgd } from '@actorgrad/optim';\nexport type S = typeof sgd;\n",
      },
      {},
      /^packages\/core\/src\/o\.ts imports '@actorgrad\/optim': core must not import @actorgrad\/optim; allowed: no workspace package$/,
    );
  });

  test("arrows: core's test files may not import workspace packages; other tests are exempt", () => {
    failsAndPasses(
      {
        'packages/core/package.json': pkgJson('@actorgrad/core', { devDependencies: ws('optim') }),
        'packages/core/test/o.test.ts': "import { sgd } from '@actorgrad/optim';\nexport { sgd };\n",
      },
      {
        'apps/extra/package.json': { name: '@actorgrad/extra', private: true, dependencies: ws('core') },
        'apps/extra/src/main.ts': "import { Tensor } from '@actorgrad/core';\nexport { Tensor };\n",
        'packages/viz-server/package.json': pkgJson('@actorgrad/viz-server', {
          dependencies: { ...ws('runtime', 'core', 'optim'), ws: '^8' },
          devDependencies: ws('extra'),
        }),
        'packages/viz-server/src/e.test.ts': "import x from '@actorgrad/extra';\nexport { x };\n",
      },
      /^packages\/core\/test\/o\.test\.ts imports '@actorgrad\/optim': core must not import @actorgrad\/optim \(not even in tests\)/,
    );
  });

  test('declared: workspace imports must be in dependencies (devDependencies for tests)', () => {
    failsAndPasses(
      { 'packages/optim/package.json': pkgJson('@actorgrad/optim', { devDependencies: ws('core') }) },
      {
        'packages/optim/package.json': pkgJson('@actorgrad/optim', { dependencies: ws('core') }),
        'packages/runtime/package.json': pkgJson('@actorgrad/runtime', {
          dependencies: { ...ws('optim'), piscina: '^4', 'p-queue': '^8' },
          devDependencies: ws('core'),
        }),
        'packages/runtime/src/index.ts': "export * from '@actorgrad/optim';\n",
        'packages/runtime/src/t.test.ts': "import { Tensor } from '@actorgrad/core';\nexport { Tensor };\n",
      },
      "packages/optim/src/index.ts imports '@actorgrad/core': @actorgrad/core is not declared in packages/optim/package.json dependencies",
    );
    failsAndPasses(
      {
        'apps/demo/package.json': {
          name: '@actorgrad/demo',
          dependencies: { ...ws('core', 'runtime', 'viz-server'), chalk: '^5', kleur: '^4' },
        },
      },
      {},
      /^apps\/demo\/src\/main\.ts imports '@actorgrad\/optim': @actorgrad\/optim is not declared in apps\/demo\/package\.json/,
    );
  });

  test('deep imports into workspace packages and relative imports out of a package are forbidden', () => {
    failsAndPasses(
      { 'packages/optim/src/d.ts': "import { shapeOf } from '@actorgrad/core/src/shape.js';\nexport { shapeOf };\n" },
      { 'packages/optim/src/d.ts': "import { shapeOf } from '@actorgrad/core';\nexport { shapeOf };\n" },
      "packages/optim/src/d.ts imports '@actorgrad/core/src/shape.js': deep imports into workspace packages are forbidden; import '@actorgrad/core'",
    );
    failsAndPasses(
      { 'packages/optim/test/d.test.ts': "import type { T } from '@actorgrad/core/shape';\nexport type X = T;\n" },
      {},
      /^packages\/optim\/test\/d\.test\.ts imports '@actorgrad\/core\/shape': deep imports/,
    );
    failsAndPasses(
      { 'packages/optim/src/d.ts': "import { shapeOf } from '../../core/src/shape.js';\nexport { shapeOf };\n" },
      { 'packages/optim/test/d.test.ts': "import { sgd } from '../src/sgd.js';\nexport { sgd };\n" },
      "packages/optim/src/d.ts imports '../../core/src/shape.js': relative imports must not leave packages/optim; import the package by name",
    );
  });

  test('unknown workspace packages, self-imports and unresolved relative imports are reported', () => {
    failsAndPasses(
      { 'apps/demo/src/x.ts': "import '@actorgrad/nope';\n" },
      {},
      "apps/demo/src/x.ts imports '@actorgrad/nope': @actorgrad/nope is not a package of this workspace",
    );
    failsAndPasses(
      { 'packages/optim/src/x.ts': "import { sgd } from '@actorgrad/optim';\nexport { sgd };\n" },
      {},
      /^packages\/optim\/src\/x\.ts imports '@actorgrad\/optim': optim must not import itself by name/,
    );
    failsAndPasses(
      { 'packages/optim/src/x.ts': "export * from './missing.js';\n" },
      { 'packages/optim/src/x.ts': "export * from './sgd';\nexport * from './sgd.ts';\n" },
      "packages/optim/src/x.ts imports './missing.js': relative import does not resolve to a file",
    );
  });

  test("core's package.json must have no dependencies", () => {
    failsAndPasses(
      { 'packages/core/package.json': pkgJson('@actorgrad/core', { dependencies: { tslib: '^2' } }) },
      { 'packages/core/package.json': pkgJson('@actorgrad/core', { devDependencies: { tslib: '^2' } }) },
      'packages/core/package.json: core must have no dependencies (found tslib)',
    );
  });

  test('file cycles inside a package are reported with their path; type-only edges do not count', () => {
    failsAndPasses(
      {
        'packages/core/src/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'packages/core/src/b.ts': "import { c } from './dir/index.js';\nexport const b = c;\n",
        'packages/core/src/dir/index.ts': "import { a } from '../a.js';\nexport const c = a;\n",
      },
      {
        'packages/core/src/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'packages/core/src/b.ts': "import { c } from './dir';\nexport const b = c;\n",
        'packages/core/src/dir/index.ts': "import type { a } from '../a.js';\nexport const c: typeof a | 1 = 1;\n",
      },
      'packages/core/src/a.ts: import cycle in @actorgrad/core: packages/core/src/a.ts -> packages/core/src/b.ts -> packages/core/src/dir/index.ts -> packages/core/src/a.ts',
    );
    failsAndPasses(
      { 'packages/optim/src/self.ts': "export * from './self.js';\n" },
      {},
      /^packages\/optim\/src\/self\.ts: import cycle in @actorgrad\/optim: packages\/optim\/src\/self\.ts -> packages\/optim\/src\/self\.ts$/,
    );
  });

  test('cycles between packages are reported (imports or declared dependencies)', () => {
    failsAndPasses(
      { 'packages/optim/package.json': pkgJson('@actorgrad/optim', { dependencies: ws('core'), devDependencies: ws('runtime') }) },
      {},
      'package cycle: @actorgrad/optim -> @actorgrad/runtime -> @actorgrad/optim',
    );
    failsAndPasses(
      {
        'apps/a/package.json': { name: '@actorgrad/a', private: true },
        'apps/a/src/main.ts': "import '@actorgrad/b';\n",
        'apps/b/package.json': { name: '@actorgrad/b', private: true },
        'apps/b/src/main.ts': "import '@actorgrad/a';\n",
      },
      {
        'apps/a/package.json': { name: '@actorgrad/a', private: true, dependencies: ws('b') },
        'apps/a/src/main.ts': "import '@actorgrad/b';\n",
        'apps/b/package.json': { name: '@actorgrad/b', private: true },
        'apps/b/src/main.ts': 'export {};\n',
      },
      'package cycle: @actorgrad/a -> @actorgrad/b -> @actorgrad/a',
    );
  });

  test('every package has an exports map and a src/index.ts', () => {
    const { exports: _ignored, ...noExports } = pkgJson('@actorgrad/optim', { dependencies: ws('core') });
    failsAndPasses(
      { 'packages/optim/package.json': noExports },
      {},
      'packages/optim/package.json: optim has no "exports" map',
    );
    failsAndPasses(
      { 'packages/optim/src/index.ts': null, 'packages/optim/src/main.ts': "export * from './sgd.js';\n" },
      {},
      'packages/optim: optim has no src/index.ts',
    );
  });

  test('a package missing from the arrow table is reported', () => {
    failsAndPasses(
      {
        'packages/extra/package.json': pkgJson('@actorgrad/extra'),
        'packages/extra/src/index.ts': 'export {};\n',
      },
      {},
      'packages/extra/package.json: @actorgrad/extra has no entry in the ARCHITECTURE.md arrow table',
    );
  });
});

describe('command line', () => {
  test('exits 0 with a summary on a good tree and 1 with the violations on a bad one', () => {
    const good = spawnSync(process.execPath, [SCRIPT, makeWorkspace()], { encoding: 'utf8' });
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /^deps ok: 14 files, 5 packages, no cycles\n$/);

    const bad = spawnSync(process.execPath, [SCRIPT, makeWorkspace({ 'packages/core/src/io.ts': "import 'node:fs';\n" })], {
      encoding: 'utf8',
    });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /packages\/core\/src\/io\.ts imports 'node:fs': core must not import node builtins/);
    assert.equal(bad.stdout, '');
  });
});
