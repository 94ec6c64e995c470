/**
 * `actorgrad`: the daemon and its CLI (commander). Every command but `daemon` and `schema` talks to
 * the running daemon over its HTTP API, with the token from the data directory.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@actorgrad/io';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type JobSummary, type SweepView, call, followJob, printLogs, printSweep, printTable, submitToQueue } from './client.js';
import { startDaemon } from './daemon.js';
import { DaemonError, ensureHome, homeDir, paths, readInfo } from './home.js';
import { formatProblems, jobSpecJsonSchema, readSpecFile } from './spec/index.js';

/** Where the user ran the command (pnpm scripts run in the repository root and say so in INIT_CWD). */
const CWD = process.env.INIT_CWD ?? process.cwd();
const here = (p: string) => resolve(CWD, p);

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${v}'`);
  return n;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port 0…65535, got '${v}'`);
  return n;
}

const program = new Command('actorgrad')
  .description('The actorgrad training daemon and its CLI. Data directory: $ACTORGRAD_HOME, else ~/.actorgrad.')
  .option('--home <dir>', 'the data directory (overrides ACTORGRAD_HOME)')
  .showHelpAfterError();
const home = () => (program.opts().home ? here(program.opts().home) : homeDir());

program
  .command('daemon')
  .description('start the daemon (foreground; --detach to run it in the background): queue, job processes, live view and HTTP API')
  .option('--host <host>', 'interface to bind; anything but loopback requires the token for every request', '127.0.0.1')
  .option('--port <port>', 'port (0: any free one)', port, 7007)
  .option('--concurrency <n>', 'jobs run at once, each in its own process', positiveInt, 1)
  .option('--allow <dir...>', 'more directories job specs may read data files from', [])
  .option('--detach', 'run in the background; print the URL and return')
  .option('--queue <url>', 'take jobs from a shared queue (BullMQ on Redis, redis://[user:password@]host:port, rediss:// for TLS) beside the other daemons on it')
  .option('--checkpoints <dir>', 'with --queue: the checkpoint directory every daemon of the queue reaches (a shared mount, at the same path on each machine)')
  .option('--name <name>', "with --queue: this daemon's name in `ls` (default: host name and pid)")
  .option('--lock-ms <ms>', "with --queue: how long a dead daemon's job waits before another daemon takes it over", positiveInt, 30_000)
  .action(async (o) => {
    if (o.detach) return detach();
    const d = await startDaemon({
      home: home(),
      host: o.host,
      port: o.port,
      concurrency: o.concurrency,
      allow: o.allow.map(here),
      log: (l) => console.log(l),
      ...(o.queue ? { queue: o.queue, checkpoints: o.checkpoints ? here(o.checkpoints) : undefined, lockMs: o.lockMs } : {}),
      ...(o.name ? { name: o.name } : {}),
    });
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        console.log(`actorgrad daemon: ${sig}: running jobs checkpoint at their next step boundary, then the daemon exits`);
        void d.shutdown().then(() => process.exit(0));
      });
    }
  });

/** Starts `actorgrad daemon` (same arguments, without --detach) in the background and waits for its URL. */
async function detach(): Promise<void> {
  const h = home();
  await ensureHome(h);
  const args = process.argv.slice(1).filter((a) => a !== '--detach');
  const log = openSync(paths(h).log, 'a');
  const child = spawn(process.execPath, [...process.execArgv, ...args], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      const info = readInfo(h);
      if (info.pid === child.pid) {
        console.log(`actorgrad daemon at ${info.url}  (data ${h}, pid ${info.pid}, log ${paths(h).log})`);
        return;
      }
    } catch {}
    if (child.exitCode !== null) break;
  }
  const tail = readFileSync(paths(h).log, 'utf8').trim().split('\n').slice(-5).join('\n');
  throw new DaemonError(`actorgrad daemon --detach: the daemon did not start; the end of ${paths(h).log}:\n${tail}`);
}

program
  .command('submit <file>')
  .description('queue a job spec (JSON or YAML); prints the job id')
  .option('-f, --follow', 'follow the job to its end with a progress bar')
  .addOption(new Option('--queue <url>', 'queue it on a shared queue (redis://…) directly, without a daemon here; data files must be where the daemons can read them').conflicts('follow'))
  .option('--allow <dir...>', 'with --queue: more directories the spec may read data files from (its own directory always)', [])
  .action(async (file: string, o) => {
    const path = here(file);
    const spec = await readSpecFile(path);
    if (o.queue) return console.log(await submitToQueue(o.queue, spec, dirname(path), [dirname(path), ...o.allow.map(here)]));
    const res = await call<{ id: string; name: string }>(home(), 'POST', '/api/jobs', { spec, baseDir: dirname(path) });
    console.log(res.id);
    if (o.follow) await followJob(home(), res.id);
  });

program
  .command('ls')
  .description('the jobs: id, name, state, epoch/epochs, best metric, age; with --sweep, its trials')
  .option('--sweep <id>', "a sweep's trials: their values, state, where each ran, the metric, best first")
  .action(async (o) => {
    if (o.sweep) return printSweep(await call<SweepView>(home(), 'GET', `/api/sweeps/${encodeURIComponent(o.sweep)}`));
    printTable(await call<JobSummary[]>(home(), 'GET', '/api/jobs'));
  });

program
  .command('sweep <file>')
  .description('queue a sweep (JSON or YAML): a base job spec, params with lists or ranges, a search, a metric, a budget; prints its id')
  .action(async (file: string) => {
    const path = here(file);
    const sweep = (await readSpecFile(path)) as Record<string, unknown>;
    if (typeof sweep?.base === 'string') sweep.base = await readSpecFile(resolve(dirname(path), sweep.base));
    const res = await call<{ id: string; trials: number }>(home(), 'POST', '/api/sweeps', { sweep, baseDir: dirname(path) });
    console.log(`${res.id}  (${res.trials} trials; actorgrad ls --sweep ${res.id})`);
  });

program
  .command('logs <id>')
  .description("a job's events and epoch metrics")
  .option('-f, --follow', 'keep printing until the job ends')
  .action(async (id: string, o) => printLogs(home(), id, Boolean(o.follow)));

for (const [name, what] of [
  ['pause', 'pause a running job at its next step boundary'],
  ['resume', 'resume a paused job (or re-queue a stopped one from its last checkpoint)'],
  ['stop', 'stop a job at its next step boundary (it checkpoints first)'],
  ['snapshot', 'checkpoint a running job at its next step boundary'],
] as const) {
  program
    .command(`${name} <id>`)
    .description(what)
    .action(async (id: string) => console.log(JSON.stringify(await call(home(), 'POST', `/api/jobs/${encodeURIComponent(id)}/${name}`))));
}

program
  .command('set <id> <assignment>')
  .description('change a running job live, e.g. lr=0.0005 (recorded as an event)')
  .action(async (id: string, assignment: string) => {
    const m = /^lr=(.+)$/.exec(assignment);
    if (!m) throw new DaemonError(`actorgrad set: expected lr=<number>, got '${assignment}' (the learning rate is what can change live)`);
    const lr = Number(m[1]);
    if (!Number.isFinite(lr) || lr <= 0) throw new DaemonError(`actorgrad set: lr must be a positive number, got '${m[1]}'`);
    console.log(JSON.stringify(await call(home(), 'POST', `/api/jobs/${encodeURIComponent(id)}/set`, { lr })));
  });

program
  .command('export <id> <out>')
  .description('write the best (or --which last) weights as safetensors, loadable by PyTorch and loadModel')
  .option('--which <which>', "'best' (the best checkpoint, else the last) or 'last'", 'best')
  .action(async (id: string, out: string, o) => {
    const bytes = await call<Uint8Array>(home(), 'GET', `/api/jobs/${encodeURIComponent(id)}/export?which=${encodeURIComponent(o.which)}`, undefined, true);
    await writeFileAtomic(here(out), bytes);
    console.log(`${here(out)} (${bytes.byteLength} bytes)`);
  });

program
  .command('rm <id>')
  .description('remove a job, its metrics and its checkpoints (a running one is killed first)')
  .action(async (id: string) => console.log(JSON.stringify(await call(home(), 'DELETE', `/api/jobs/${encodeURIComponent(id)}`))));

program
  .command('schema')
  .description("print the job spec's JSON Schema")
  .action(() => console.log(JSON.stringify(jobSpecJsonSchema(), null, 2)));

program
  .command('shutdown')
  .description('stop the daemon (running jobs checkpoint first and resume at its next start)')
  .action(() => {
    const info = readInfo(home());
    process.kill(info.pid, 'SIGTERM');
    console.log(`sent SIGTERM to the daemon (pid ${info.pid})`);
  });

export async function main(argv = process.argv): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const err = e as Error & { problems?: unknown[] };
    if (e instanceof DaemonError || err.name === 'SpecError') {
      console.error(err.message);
      if (Array.isArray(err.problems)) console.error(formatProblems(err.problems as never));
      process.exit(1);
    }
    throw e;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
