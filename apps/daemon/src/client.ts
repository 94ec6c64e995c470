/**
 * The CLI's side of the HTTP API: requests with the token, the job table, the progress bar of
 * `submit --follow`, and `logs [-f]`.
 *
 * @module
 */
import { addJob, bullQueue, connect, probe, redact } from './queue/redis.js';
import { DaemonError, readInfo, token } from './home.js';
import { formatProblems, parseJobSpec } from './spec/index.js';
import type { TrialView } from './sweep/index.js';

export interface JobSummary {
  id: string;
  name: string;
  state: string;
  reason: string;
  createdAt: number;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  best: { monitor: string; value: number; epoch: number } | null;
}

/** Calls the daemon's API; a non-2xx answer is a DaemonError with the daemon's message (and a spec's problems). */
export async function call<T = unknown>(home: string, method: string, path: string, body?: unknown, binary = false): Promise<T> {
  const info = readInfo(home);
  const base = `http://${info.host.includes(':') ? `[${info.host}]` : info.host === '0.0.0.0' ? '127.0.0.1' : info.host}:${info.port}`;
  const send = () =>
    fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token(home)}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let res: Response;
  try {
    // A keep-alive socket the server closed as it was reused: a GET is sent again, once.
    res = await send().catch((e) => (method === 'GET' ? send() : Promise.reject(e)));
  } catch (e) {
    throw new DaemonError(`actorgrad: cannot reach the daemon at ${base} (${(e as Error).message})`);
  }
  if (!res.ok) {
    const text = await res.text();
    let msg = text;
    try {
      const j = JSON.parse(text) as { error?: string; problems?: never[] };
      msg = j.problems ? `actorgrad: nothing was queued: ${formatProblems(j.problems)}` : (j.error ?? text);
    } catch {}
    throw new DaemonError(msg);
  }
  return (binary ? new Uint8Array(await res.arrayBuffer()) : await res.json()) as T;
}

const DONE = new Set(['finished', 'failed', 'stopped']);

function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return s < 172800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`;
}

export function printTable(jobs: JobSummary[]): void {
  const rows = [['ID', 'NAME', 'STATE', 'EPOCH', 'BEST', 'AGE']];
  for (const j of jobs) {
    const best = j.best ? `${j.best.monitor}=${j.best.value.toPrecision(4)}` : '-';
    rows.push([j.id, j.name, j.state, `${j.epoch}/${j.epochs}`, best, age(Date.now() - j.createdAt)]);
  }
  printRows(rows);
}

/** Prints rows as columns, the first row the header. */
function printRows(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** One line: `[#######-------]  40%  step 120/300  epoch 2/5  loss 0.41  running`. */
export function progressLine(j: JobSummary, width = 30): string {
  const frac = j.steps > 0 ? Math.min(1, j.step / j.steps) : 0;
  const fill = Math.round(frac * width);
  const best = j.best ? `  ${j.best.monitor} ${j.best.value.toPrecision(4)}` : '';
  return `[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(Math.round(frac * 100)).padStart(3)}%  step ${j.step}/${j.steps}  epoch ${j.epoch}/${j.epochs}${best}  ${j.state}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Redraws the job's progress (on a terminal; a line per change otherwise) until it ends. */
export async function followJob(home: string, id: string): Promise<JobSummary> {
  const tty = process.stdout.isTTY;
  let last = '';
  for (;;) {
    const j = await call<JobSummary>(home, 'GET', `/api/jobs/${encodeURIComponent(id)}`);
    const line = progressLine(j);
    if (line !== last) process.stdout.write(tty ? `\r${line}` : `${line}\n`);
    last = line;
    if (DONE.has(j.state)) {
      process.stdout.write(`${tty ? '\n' : ''}job ${id} ${j.state}${j.reason ? `: ${j.reason}` : ''}\n`);
      if (j.state === 'failed') process.exitCode = 1;
      return j;
    }
    await sleep(500);
  }
}

interface Logs {
  job: JobSummary;
  events: { id: number; t: number; type: string; data: Record<string, unknown> }[];
  epochs: { epoch: number; step: number; logs: Record<string, number>; t: number }[];
}

function eventText(e: Logs['events'][number]): string {
  const d = e.data;
  const time = new Date(e.t).toISOString().replace('T', ' ').slice(0, 19);
  const rest = Object.entries(d)
    .filter(([k]) => k !== 'type' && k !== 'config')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time}  ${e.type.padEnd(10)} ${rest}`;
}

/** Prints a job's events and epoch metrics; with `follow`, the new ones as they come, until it ends. */
export async function printLogs(home: string, id: string, follow: boolean): Promise<void> {
  let after = 0;
  let epochsShown = 0;
  for (;;) {
    const l = await call<Logs>(home, 'GET', `/api/jobs/${encodeURIComponent(id)}/logs?after=${after}`);
    for (const e of l.events) console.log(eventText(e));
    for (const p of l.epochs.slice(epochsShown)) {
      console.log(`epoch ${p.epoch + 1}  step ${p.step}  ${Object.entries(p.logs).map(([k, v]) => `${k}=${v.toPrecision(5)}`).join(' ')}`);
    }
    after = l.events.at(-1)?.id ?? after;
    epochsShown = Math.max(epochsShown, l.epochs.length);
    if (!follow || DONE.has(l.job.state)) {
      if (follow) console.log(`job ${id} ${l.job.state}${l.job.reason ? `: ${l.job.reason}` : ''}`);
      return;
    }
    await sleep(1000);
  }
}

export interface SweepView {
  sweep: { id: string; name: string; total: number };
  metric: { name: string; mode: 'min' | 'max' };
  trials: TrialView[];
}

/** `ls --sweep`: a line per trial, best first. */
export function printSweep(v: SweepView): void {
  const names = [...new Set(v.trials.flatMap((t) => Object.keys(t.params)))];
  const show = (x: unknown) => (typeof x === 'number' ? Number(x.toPrecision(4)).toString() : JSON.stringify(x));
  const rows = [['TRIAL', 'ID', 'STATE', 'WORKER', ...names, v.metric.name.toUpperCase()]];
  for (const t of v.trials) rows.push([String(t.trial), t.id, t.state, t.worker ?? '-', ...names.map((n) => show(t.params[n])), t.metric === null ? '-' : t.metric.toPrecision(5)]);
  console.log(`sweep ${v.sweep.id} '${v.sweep.name}': ${v.trials.length} of ${v.sweep.total} trials queued or run; ${v.metric.name} (${v.metric.mode}), best first`);
  printRows(rows);
}

/** `submit --queue`: checks the spec here and queues it on the shared queue directly; resolves to the job id. */
export async function submitToQueue(url: string, input: unknown, baseDir: string, allowedDirs: string[]): Promise<string> {
  const parsed = parseJobSpec(input, { allowedDirs, baseDir });
  if (!parsed.ok) throw Object.assign(new DaemonError(`actorgrad: the job spec has ${parsed.problems.length} problem(s); nothing was queued`), { problems: parsed.problems });
  const problem = await probe(url);
  if (problem) throw new DaemonError(`actorgrad submit: cannot reach the queue at ${redact(url)} (${problem}); nothing was queued`);
  const r = connect(url, false);
  const queue = bullQueue(r);
  try {
    const spec = parsed.spec as { name?: string; epochs: number };
    return await addJob(queue, r, { name: spec.name ?? 'job', spec: parsed.spec, baseDir, epochs: spec.epochs }, 'cli');
  } finally {
    await queue.close();
    r.disconnect();
  }
}
