// The rules of .dependency-cruiser.cjs catch what they should: dependency-cruiser is run over a small
// fixture workspace with one violation of each kind (and two imports that are allowed). `node --test scripts/`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const depcruise = join(repo, 'node_modules/.bin/depcruise');
const root = mkdtempSync(join(tmpdir(), 'depcruise-fixture-'));
after(() => rmSync(root, { recursive: true, force: true }));

function pkg(name, files, deps = []) {
  const dir = join(root, 'packages', name);
  const manifest = {
    name: `@actorgrad/${name}`,
    type: 'module',
    exports: { '.': { '@actorgrad/source': './src/index.ts', default: './dist/index.js' } },
    dependencies: Object.fromEntries(deps.map((d) => [`@actorgrad/${d}`, 'workspace:*'])),
  };
  for (const [file, text] of Object.entries({ 'package.json': JSON.stringify(manifest), ...files })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  for (const d of deps) {
    mkdirSync(join(dir, 'node_modules/@actorgrad'), { recursive: true });
    symlinkSync(join(root, 'packages', d), join(dir, 'node_modules/@actorgrad', d));
  }
}

/** The violations, as sorted `rule from -> to` lines, and the exit status of the plain run (the number of errors). */
function cruise() {
  const r = spawnSync(depcruise, ['packages', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd: root, encoding: 'utf8' });
  assert.ok(r.stdout, r.stderr);
  const { summary } = JSON.parse(r.stdout);
  const plain = spawnSync(depcruise, ['packages', '--config', '.dependency-cruiser.cjs'], { cwd: root, encoding: 'utf8' });
  return { status: plain.status, lines: summary.violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`).sort() };
}

test('each rule of .dependency-cruiser.cjs fails on its violation, and only there', () => {
  copyFileSync(join(repo, '.dependency-cruiser.cjs'), join(root, '.dependency-cruiser.cjs'));
  copyFileSync(join(repo, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  pkg('core', {
    'src/index.ts': "import { readFileSync } from 'node:fs';\nexport * from './a.js';\nexport * from './c.js';\nexport const read = readFileSync;\n",
    // a value cycle (an error) and a cycle broken by a type-only import (allowed)
    'src/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
    'src/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    'src/c.ts': "import type { D } from './d.js';\nexport class C { d?: D }\n",
    'src/d.ts': "import { C } from './c.js';\nexport class D extends C {}\n",
  });
  pkg('runtime', { 'src/index.ts': 'export const y = 2;\n' }, ['core']);
  pkg(
    'optim',
    {
      'src/index.ts': [
        "import { a } from '@actorgrad/core';", // allowed
        "import { y } from '../../runtime/src/index.js';", // against the arrows, and out of the package
        "import { b } from '@actorgrad/core/src/b.js';", // a deep import: not in core's exports map
        'export const z = [a, y, b];',
        '',
      ].join('\n'),
    },
    ['core'],
  );
  pkg('io', { 'src/index.ts': "import { z } from '@actorgrad/optim';\nexport const w = z;\n" }, ['core', 'optim']);

  const { status, lines } = cruise();
  assert.deepEqual(lines, [
    'arrows-io packages/io/src/index.ts -> packages/optim/src/index.ts',
    'arrows-optim packages/optim/src/index.ts -> packages/runtime/src/index.ts',
    'core-runs-anywhere packages/core/src/index.ts -> fs',
    'no-cycles packages/core/src/a.ts -> packages/core/src/b.ts',
    'no-deep-imports packages/optim/src/index.ts -> @actorgrad/core/src/b.js',
    'no-relative-out packages/optim/src/index.ts -> packages/runtime/src/index.ts',
    'no-unresolvable packages/optim/src/index.ts -> @actorgrad/core/src/b.js',
  ]);
  assert.equal(status, lines.length);
});

test('a run-time dependency in core/package.json stops the check', () => {
  writeFileSync(join(root, 'packages/core/package.json'), JSON.stringify({ name: '@actorgrad/core', dependencies: { rxjs: '^7' } }));
  const r = spawnSync(depcruise, ['packages', '--config', '.dependency-cruiser.cjs'], { cwd: root, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout + r.stderr, /core has no run-time dependencies; dependencies lists rxjs/);
});
