#!/usr/bin/env node
// The packages as npm users get them: build, `pnpm pack` every packages/* package, check what each
// tarball holds, install the tarballs with npm into an empty project (their own dependencies come
// from the registry), and there train a tiny model on `dataParallel` through the runtime's Trainer
// (ESM), `require()` core from CommonJS, import with an unknown `source` condition, and type-check a
// TypeScript consumer. `node scripts/pack-smoke.mjs [--keep]`; the test command runs it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'actorgrad-pack-'));
const started = performance.now();
// Under `pnpm run`, npm_execpath is pnpm itself; otherwise fetch it as the README does.
const pnpm = process.env.npm_execpath?.includes('pnpm') ? [process.execPath, process.env.npm_execpath] : ['npx', '-y', 'pnpm@10'];

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
}
function fail(message) {
  console.error(`pack-smoke: ${message}\n(work directory kept: ${work})`);
  process.exit(1);
}
function step(what, fn) {
  const t0 = performance.now();
  try {
    const out = fn();
    console.log(`pack-smoke: ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return out;
  } catch (e) {
    fail(`${what} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}${e.stdout || e.stderr ? '' : e.stack}`);
  }
}

const packages = readdirSync(join(repo, 'packages'))
  .map((name) => join(repo, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter((p) => !p.manifest.private);

step('build (turbo, cached when unchanged)', () => run(pnpm[0], [...pnpm.slice(1), 'exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: repo }));

const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
const deps = {};
for (const { dir, manifest } of packages) {
  const out = step(`pack ${manifest.name}`, () => run(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', tarballs], { cwd: dir }));
  const file = out.trim().split('\n').pop().trim();
  const listing = run('tar', ['-tzf', file]).split('\n').filter(Boolean);
  const bad = listing.filter((f) => /\.(test|spec)\.[cm]?[jt]s$|\/fixtures\/|\/test\//.test(f));
  if (bad.length) fail(`${manifest.name} ships tests or fixtures: ${bad.slice(0, 5).join(', ')}`);
  for (const want of ['package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/index.d.ts.map']) {
    if (!listing.includes(want)) fail(`${manifest.name}: ${want} is missing from ${file}`);
  }
  deps[manifest.name] = `file:${file}`;
}

const app = join(work, 'app');
mkdirSync(app);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-smoke-app', private: true, type: 'module', dependencies: deps }, null, 2));
writeFileSync(
  join(app, 'train.mjs'),
  `import { Rng, nn, tensor } from '@actorgrad/core';
import { adam } from '@actorgrad/optim';
import { Trainer, dataParallel } from '@actorgrad/runtime';

if (typeof adam !== 'function') throw new Error('@actorgrad/optim: adam is not a function');
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1], [0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0], [0], [1], [1], [0]]);
const rng = new Rng(0);
const model = new nn.Sequential(new nn.Linear(2, 8, { rng }), nn.Tanh(), new nn.Linear(8, 1, { rng }));
const trainer = new Trainer();
const placements = [];
trainer.events$.subscribe((e) => { if (e.type === 'placement') placements.push(e); });
const history = await trainer.fit(model, { x, y }, {
  loss: 'mse', optimizer: { name: 'adam', options: { lr: 0.05 } }, epochs: 40, batchSize: 8,
  placement: dataParallel({ replicas: 2, threads: 2 }),
});
const loss = history.metrics.loss;
console.log(JSON.stringify({ placement: placements[0]?.placement, threads: placements[0]?.threads, first: loss[0], last: loss.at(-1), steps: history.steps }));
`,
);
writeFileSync(
  join(app, 'require.cjs'),
  `const core = require('@actorgrad/core');
const g = core.grad((t) => t.mul(t).sum())(core.tensor([1, 2, 3]));
console.log(JSON.stringify(Array.from(g.data)));
`,
);
writeFileSync(
  join(app, 'consumer.ts'),
  `import { type Tensor, grad, tensor } from '@actorgrad/core';
import { type History, Trainer } from '@actorgrad/runtime';
const g: Tensor = grad((t: Tensor) => t.mul(t).sum())(tensor([1, 2, 3]));
const n: number = g.size;
const h: Promise<History> | null = n > 0 ? null : new Trainer().fit(null as never, null as never, null as never);
export { h };
`,
);

step('npm install the tarballs into an empty project', () =>
  run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: app }),
);
for (const { manifest } of packages) {
  const installed = join(app, 'node_modules', manifest.name, 'package.json');
  if (!existsSync(installed)) fail(`${manifest.name} was not installed`);
  const nested = join(app, 'node_modules', '@actorgrad', 'runtime', 'node_modules', manifest.name);
  if (existsSync(nested)) fail(`${manifest.name} was installed twice (nested under runtime): the tarball's version did not satisfy its dependents`);
}

const trained = JSON.parse(step('ESM: train on dataParallel through @actorgrad/runtime', () => run(process.execPath, ['train.mjs'], { cwd: app })).trim().split('\n').pop());
if (trained.placement !== 'dataParallel' || trained.threads !== 2) fail(`expected dataParallel on 2 threads, got ${JSON.stringify(trained)}`);
if (!(trained.last < trained.first / 2)) fail(`the loss did not fall: ${JSON.stringify(trained)}`);

const required = step("CommonJS: require('@actorgrad/core')", () => run(process.execPath, ['require.cjs'], { cwd: app })).trim();
if (required !== '[2,4,6]') fail(`require('@actorgrad/core'): grad of sum(t²) at [1,2,3] is ${required}, expected [2,4,6]`);

// A consumer's own `source` condition must not reach the shipped .ts files.
step('ESM with --conditions=source', () => run(process.execPath, ['--conditions=source', 'train.mjs'], { cwd: app }));

const tsc = join(repo, 'node_modules', '.bin', 'tsc');
step('type-check a TypeScript consumer (nodenext)', () =>
  run(tsc, ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'consumer.ts'], { cwd: app }),
);

console.log(
  `pack-smoke: ok — ${packages.map((p) => p.manifest.name).join(', ')}; loss ${trained.first.toFixed(4)} → ${trained.last.toFixed(4)} on ${trained.placement} (${trained.threads} threads); ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
if (!keep) rmSync(work, { recursive: true, force: true });
