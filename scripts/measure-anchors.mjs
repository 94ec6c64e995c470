#!/usr/bin/env node
/**
 * Issue 17's table in one run: the PyTorch and TensorFlow.js anchors (`<shared>/bench`, see its
 * README) and our benchmarks, one after the other within a few minutes on this machine, then the
 * ratios. The machine is shared and its speed drifts by up to 2× between hours: only ratios from
 * one run mean anything.
 *
 *   node scripts/measure-anchors.mjs [--shared ../shared] [--out DIR] [--skip-demo]
 *   (the demo is timed through `npx -y pnpm@10`, and through `pnpm` too when one is on the PATH)
 *   node scripts/measure-anchors.mjs --from DIR     (the table again, from a run's raw output)
 *
 * Needs Debian's PyTorch with OpenBLAS (`apt-get install -y python3-torch libopenblas0-pthread`: without
 * the second, torch runs on the reference BLAS, ~15× slower, and the script refuses) for /usr/bin/python3; installs
 * TensorFlow.js 4.22.0 (tfjs and its wasm backend, from the npm registry) once into
 * `$ACTORGRAD_ANCHORS_DIR` (default `~/.cache/actorgrad-anchors`). Every tool's raw output is kept in
 * `--out` (default a new folder under the system's temporary folder); the table goes to stdout as
 * Markdown. Not part of the tests: a benchmark, minutes long.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, homedir, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const shared = path.resolve(arg('--shared', path.join(root, '..', 'shared')));
const benchDir = path.join(shared, 'bench');
const from = arg('--from', null);
const out = from ?? arg('--out', null) ?? mkdtempSync(path.join(tmpdir(), 'actorgrad-measure-'));
mkdirSync(out, { recursive: true });
const anchorsDir = process.env.ACTORGRAD_ANCHORS_DIR ?? path.join(homedir(), '.cache', 'actorgrad-anchors');
const python = '/usr/bin/python3';
const tfjsDir = path.join(anchorsDir, 'tfjs');

function fail(message) {
  console.error(`measure-anchors: ${message}`);
  process.exit(1);
}

/** Runs a command, keeps its stdout and stderr in `out/<name>.{out,err}`, returns stdout; fails on a non-zero exit. */
function run(name, cmd, args, opts = {}) {
  if (from) return JSON.parse(readFileSync(path.join(from, `${name}.json`), 'utf8'));
  const t0 = performance.now();
  process.stderr.write(`measure-anchors: ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts, env: { ...process.env, ...opts.env } });
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(path.join(out, `${name}.out`), r.stdout ?? '');
  writeFileSync(path.join(out, `${name}.err`), r.stderr ?? '');
  if (r.status !== 0) fail(`${name} exited with ${r.status ?? r.signal}; see ${path.join(out, `${name}.err`)}`);
  writeFileSync(path.join(out, `${name}.json`), JSON.stringify({ stdout: r.stdout, seconds }));
  return { stdout: r.stdout, seconds };
}

/** The last line of a tool's output that parses as JSON. */
function lastJson(name, text) {
  const line = text.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) fail(`${name}: no JSON line in its output (${path.join(out, `${name}.out`)})`);
  return JSON.parse(line);
}

/** The cells of the console.table row whose name cell is exactly `name` (trimmed), or a failure naming the file. */
function tableRow(name, text, file) {
  for (const line of text.split('\n')) {
    const cells = line.split('│').map((c) => c.trim().replace(/^'|'$/g, ''));
    if (cells.includes(name)) return cells.slice(cells.indexOf(name) + 1);
  }
  fail(`no row '${name}' in ${path.join(out, file)}`);
}

// Preconditions, before anything is timed.
if (!from) {
  for (const f of ['torch_mlp.py', 'tfjs_mlp.mjs']) if (!existsSync(path.join(benchDir, f))) fail(`${path.join(benchDir, f)} is missing (--shared names the folder that holds bench/)`);
  if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) fail(`${python} cannot import torch: apt-get install -y python3-torch`);
  // Debian's torch calls whichever libblas.so.3 the alternatives choose: the reference BLAS (what
  // python3-torch alone pulls in) runs its GEMM ~15× slower than OpenBLAS, the anchor the issue names.
  const blas = '/usr/lib/x86_64-linux-gnu/libblas.so.3';
  if (existsSync(blas) && !realpathSync(blas).includes('openblas')) fail(`${blas} is ${realpathSync(blas)}, not OpenBLAS: apt-get install -y libopenblas0-pthread`);
  if (!existsSync(path.join(tfjsDir, 'node_modules', '@tensorflow', 'tfjs-backend-wasm'))) {
    mkdirSync(tfjsDir, { recursive: true });
    if (!existsSync(path.join(tfjsDir, 'package.json'))) writeFileSync(path.join(tfjsDir, 'package.json'), '{ "private": true }\n');
    run('tfjs-install', 'npm', ['install', '--no-audit', '--no-fund', '@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0'], { cwd: tfjsDir });
  }
}

const meta = from
  ? JSON.parse(readFileSync(path.join(from, 'meta.json'), 'utf8'))
  : { started: new Date().toISOString(), load0: loadavg()[0], commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim() };
const tsx = ['--import', 'tsx', '--conditions=@actorgrad/source'];
const core = path.join(root, 'packages', 'core');
const runtime = path.join(root, 'packages', 'runtime');

const torch = lastJson('torch', run('torch', python, [path.join(benchDir, 'torch_mlp.py'), '--configs', 't1,omp1blas2', '--quick']).stdout);
const tfjs = lastJson('tfjs', run('tfjs', 'node', [path.join(benchDir, 'tfjs_mlp.mjs'), '--configs', 'wasm', '--quick'], { cwd: tfjsDir }).stdout);
const coreDefault = run('core', 'node', [...tsx, 'bench/index.ts'], { cwd: core }).stdout;
const coreFma = run('core-fma', 'node', ['--experimental-wasm-relaxed-simd', ...tsx, 'bench/index.ts'], { cwd: core }).stdout;
// The runtime bench's default warm-up (300 steps per engine): V8 optimises for that long (bench/index.ts, WARMUP).
const rtDefault = run('runtime', 'node', [...tsx, 'bench/index.ts', '--ratio', '--rounds', '5'], { cwd: runtime }).stdout;
const rtWasm = run('runtime-wasm', 'node', [...tsx, 'bench/index.ts', '--ratio', '--rounds', '3'], { cwd: runtime, env: { ACTORGRAD_KERNELS: 'wasm' } }).stdout;
const rtFma = run('runtime-fma', 'node', ['--experimental-wasm-relaxed-simd', ...tsx, 'bench/index.ts', '--ratio', '--rounds', '3'], { cwd: runtime }).stdout;
const xor = lastJson('xor', run('xor', 'node', [...tsx, 'bench/xor.ts'], { cwd: runtime }).stdout).xor;
// The demo: its bundle built first (the listing), so both timed runs find it cached; then through npx
// as the README says, and through a pnpm on the PATH (the issue's `pnpm demo mnist`) where there is one.
const skipDemo = process.argv.includes('--skip-demo');
if (!skipDemo) run('demo-bundle', 'node', ['scripts/run-source.mjs', 'apps/demo/src/main.ts'], { cwd: root });
const demo = skipDemo ? null : run('demo', 'npx', ['-y', 'pnpm@10', 'demo', 'mnist'], { cwd: root });
const pnpmOnPath = !skipDemo && (from ? existsSync(path.join(from, 'demo-pnpm.json')) : spawnSync('pnpm', ['--version'], { encoding: 'utf8' }).status === 0);
const demoPnpm = pnpmOnPath ? run('demo-pnpm', 'pnpm', ['demo', 'mnist'], { cwd: root }) : null;
const torch2 = lastJson('torch2', run('torch2', python, [path.join(benchDir, 'torch_mlp.py'), '--configs', 't1', '--quick']).stdout);
if (!from) {
  Object.assign(meta, { ended: new Date().toISOString(), load1: loadavg()[0] });
  writeFileSync(path.join(out, 'meta.json'), JSON.stringify(meta));
}

// Ours.
const gflops = (text, file, name) => Number(tableRow(name, text, file)[4]);
const samples = (text, file, name) => Number(tableRow(name, text, file)[2]);
const gemm = (text, file) => ({
  g256: gflops(text, file, 'gemm f32 256³ fast'),
  nt: gflops(text, file, 'mlp fwd f32 128×256×784 NT fast'),
  tn: gflops(text, file, 'mlp dW f32 256×784×128 TN fast'),
  nn: gflops(text, file, 'mlp dX f32 128×784×256 NN fast'),
  exact: gflops(text, file, 'gemm f32 256³ wasm'),
});
const g = gemm(coreDefault, 'core.out');
const gf = gemm(coreFma, 'core-fma.out');
if (!coreFma.includes('FMA: on')) fail('core-fma: the bench says relaxed SIMD is off under --experimental-wasm-relaxed-simd');
const inline = samples(rtDefault, 'runtime.out', 'step: inline');
const dp = samples(rtDefault, 'runtime.out', 'step: dataParallel(2 replicas, 2 threads)');
const inlineExact = samples(rtWasm, 'runtime-wasm.out', 'step: inline');
const dpExact = samples(rtWasm, 'runtime-wasm.out', 'step: dataParallel(2 replicas, 2 threads)');
const inlineFma = samples(rtFma, 'runtime-fma.out', 'step: inline');
const dpFma = samples(rtFma, 'runtime-fma.out', 'step: dataParallel(2 replicas, 2 threads)');
const accuracy = demo ? /test accuracy ([\d.]+)%/.exec(demo.stdout)?.[1] : null;
const inProcess = demo ? /([\d.]+) s in all/.exec(demo.stdout)?.[1] : null;

// The anchors.
const cfg = (j, name) => j.configs.find((c) => c.config === name) ?? fail(`no config '${name}' in the ${j.library} output`);
const t1 = cfg(torch, 't1');
const two = cfg(torch, 'omp1blas2');
const t1b = cfg(torch2, 't1');
const tw = cfg(tfjs, 'wasm');
const best2 = Math.max(t1.mlp.samples_per_s.median, two.mlp.samples_per_s.median);
const best2Name = best2 === t1.mlp.samples_per_s.median ? 't1' : 'omp1blas2';

const n0 = (x) => Math.round(x).toLocaleString('en-US').replace(/,/g, ' ');
const f1 = (x) => x.toFixed(1);
const r2 = (x) => `${x.toFixed(2)}×`;
const meets = (ok) => (ok ? 'met' : 'not met');
const rows = [
  ['GEMM f32 256³, one thread, GFLOP/s (`fast`; with FMA)', `${f1(g.g256)}; ${f1(gf.g256)}`, `PyTorch t1 ${f1(t1.sgemm_gflops['256'].median)}; TF.js wasm ${f1(tw.sgemm_gflops['256'].median)}`, '—', `≥ 25 (${meets(g.g256 >= 25)}); ≥ 40 with FMA (${meets(gf.g256 >= 40)})`],
  ['MLP GEMMs NT / TN / NN, GFLOP/s (`fast`; with FMA)', `${f1(g.nt)} / ${f1(g.tn)} / ${f1(g.nn)}; ${f1(gf.nt)} / ${f1(gf.tn)} / ${f1(gf.nn)}`, `PyTorch t1 ${f1(t1.layer1_gemm_gflops['NT dy@W^T ->[128,784]'].median)} / ${f1(t1.layer1_gemm_gflops['TN x^T@dy ->[784,256]'].median)} / ${f1(t1.layer1_gemm_gflops['NN x[128,784]@W[784,256]'].median)}`, '—', '—'],
  ['MLP inline, samples/s', n0(inline), `PyTorch t1 ${n0(t1.mlp.samples_per_s.median)} (${n0(t1b.mlp.samples_per_s.median)} at the end)`, `${r2(inline / t1.mlp.samples_per_s.median)} (${r2(inline / t1b.mlp.samples_per_s.median)})`, `≥ 0.33× (${meets(inline / Math.max(t1.mlp.samples_per_s.median, t1b.mlp.samples_per_s.median) >= 0.33)})`],
  ['MLP dataParallel(2), samples/s', `${n0(dp)} (${r2(dp / inline)} inline)`, `PyTorch best 2-core (${best2Name}) ${n0(best2)}`, r2(dp / best2), `≥ 0.5× (${meets(dp / best2 >= 0.5)})`],
  ['MLP vs TensorFlow.js wasm', `inline ${n0(inline)}, dataParallel(2) ${n0(dp)}`, `TF.js wasm ${n0(tw.mlp.samples_per_s.median)}`, `${r2(inline / tw.mlp.samples_per_s.median)} / ${r2(dp / tw.mlp.samples_per_s.median)}`, `≥ 5× (${meets(inline / tw.mlp.samples_per_s.median >= 5)})`],
  ['the exact `wasm` kernel, inline / dataParallel(2)', `${n0(inlineExact)} / ${n0(dpExact)}`, '', `${r2(inlineExact / t1.mlp.samples_per_s.median)} / ${r2(dpExact / best2)} PyTorch`, '—'],
  ['the `fast` kernel with FMA (Node started with `--experimental-wasm-relaxed-simd`), inline / dataParallel(2)', `${n0(inlineFma)} / ${n0(dpFma)}`, '', `${r2(inlineFma / t1.mlp.samples_per_s.median)} / ${r2(dpFma / best2)} PyTorch`, '—'],
  ['XOR 2-4-1 full batch, steps/s, `compile`d', n0(xor.compiled.median), `PyTorch t1 ${n0(t1.xor.steps_per_s.median)} (${n0(t1b.xor.steps_per_s.median)} at the end)`, r2(xor.compiled.median / t1.xor.steps_per_s.median), `≥ 10× (${meets(xor.compiled.median / t1.xor.steps_per_s.median >= 10)})`],
  ['XOR, eager', n0(xor.eager.median), '', r2(xor.eager.median / t1.xor.steps_per_s.median), '—'],
  [
    '`pnpm demo mnist` wall time',
    demo ? `${demoPnpm ? `${f1(demoPnpm.seconds)} s with pnpm on the PATH, ` : ''}${f1(demo.seconds)} s through \`npx -y pnpm@10\` (${inProcess} s in the process; test accuracy ${accuracy} %)` : 'skipped',
    '',
    '',
    demo ? `≤ 5 s (${demoPnpm ? `pnpm: ${meets(demoPnpm.seconds <= 5)}; ` : 'no pnpm on the PATH; '}npx: ${meets(demo.seconds <= 5)})` : '',
  ],
];
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`Measured ${meta.started.slice(0, 16).replace('T', ' ')}–${meta.ended.slice(11, 16)} UTC at ${meta.commit}: ${availableParallelism()} CPUs (${cpu}), Node ${process.version}, load average ${meta.load0.toFixed(2)} at the start, ${meta.load1.toFixed(2)} at the end; raw output in ${out}.\n`);
console.log('| what | ours | anchor | ratio | target |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
