// scripts/run-source.mjs runs a TypeScript entry from a cached esbuild bundle with the sources'
// semantics: each module's own import.meta.url, the arguments, dynamic imports; a second run takes
// the cached bundle; an edited input is built again. `node --test scripts/`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), 'run-source.mjs');
const dir = mkdtempSync(join(tmpdir(), 'run-source-'));
const cache = join(dir, 'cache');
after(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
writeFileSync(
  join(dir, 'entry.ts'),
  [
    "import { depUrl, word } from './dep.ts';",
    "const lazy: { lazyUrl: string } = await import('./lazy.ts');",
    "const text: string = 'import.meta.url';",
    'const here = { file: import.meta.filename, dir: import.meta.dirname };',
    'console.log(JSON.stringify({ word, url: import.meta.url, depUrl, lazyUrl: lazy.lazyUrl, text, argv1: process.argv[1], args: process.argv.slice(2), here }));',
  ].join('\n'),
);
const dep = (word) => writeFileSync(join(dir, 'dep.ts'), `export const word: string = '${word}';\nexport const depUrl = import.meta.url;\n`);
dep('first');
// A hashbang and a directive stay first (the URL's declaration goes after them).
writeFileSync(join(dir, 'lazy.ts'), "#!/usr/bin/env node\n'use strict';\nexport const lazyUrl = import.meta.url;\n");

function run(...args) {
  const r = spawnSync(process.execPath, [script, join(dir, 'entry.ts'), ...args], { encoding: 'utf8', env: { ...process.env, ACTORGRAD_RUN_SOURCE_CACHE: cache } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}
const indexFile = () => join(cache, readdirSync(cache).find((f) => f.endsWith('.json')));

test('runs the entry with each module its own import.meta.url, and its arguments', () => {
  const out = run('mnist', '--viz');
  const url = (f) => pathToFileURL(join(dir, f)).href;
  const { here, ...rest } = out;
  assert.deepEqual(here, { file: join(dir, 'entry.ts'), dir });
  assert.deepEqual(rest, { word: 'first', url: url('entry.ts'), depUrl: url('dep.ts'), lazyUrl: url('lazy.ts'), text: 'import.meta.url', argv1: join(dir, 'entry.ts'), args: ['mnist', '--viz'] });
});

test('takes the cached bundle while nothing changed, and builds again when an input did', () => {
  run();
  const at = statSync(indexFile()).mtimeMs;
  assert.equal(run().word, 'first');
  assert.equal(statSync(indexFile()).mtimeMs, at, 'the index was rewritten: the bundle was built again');
  dep('second');
  utimesSync(join(dir, 'dep.ts'), new Date(), new Date(Date.now() + 5000));
  assert.equal(run().word, 'second');
  assert.notEqual(statSync(indexFile()).mtimeMs, at);
});

test('says what is wrong with its arguments', () => {
  const none = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /usage: node scripts\/run-source\.mjs \[--build-only\] <entry\.ts>/);
  const missing = spawnSync(process.execPath, [script, 'nowhere.ts'], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /run-source: entry nowhere\.ts not found/);
});

test("runs the demo's entry as the root script `demo` does (its listing of the demos)", () => {
  const repo = join(dirname(script), '..');
  const r = spawnSync(process.execPath, [script, 'apps/demo/src/main.ts'], { cwd: repo, encoding: 'utf8', env: { ...process.env, ACTORGRAD_RUN_SOURCE_CACHE: join(dir, 'demo-cache') } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^pnpm demo <name> \[--viz\] \[--full\]:\n {2}backprop /);
  assert.match(r.stdout, /\n {2}mnist {10}a 784-256-128-10 ReLU MLP/);
});

test('--build-only bundles without running, and never fails: a source that does not build is reported', () => {
  const cacheB = join(dir, 'cache-build-only');
  const env = { ...process.env, ACTORGRAD_RUN_SOURCE_CACHE: cacheB };
  const built = spawnSync(process.execPath, [script, '--build-only', join(dir, 'entry.ts')], { encoding: 'utf8', env });
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stdout, /^run-source: bundled .*entry\.ts into /);
  assert.ok(!built.stdout.includes('"word"'), 'the entry ran');
  // Built: nothing to do the second time.
  assert.equal(spawnSync(process.execPath, [script, '--build-only', join(dir, 'entry.ts')], { encoding: 'utf8', env }).stdout, '');
  writeFileSync(join(dir, 'broken.ts'), 'export const = ;\n');
  const broken = spawnSync(process.execPath, [script, '--build-only', join(dir, 'broken.ts')], { encoding: 'utf8', env });
  assert.equal(broken.status, 0);
  assert.match(broken.stderr, /run-source: could not bundle .*broken\.ts now \(Build failed with 1 error/);
});
