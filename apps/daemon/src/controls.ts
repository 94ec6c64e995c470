/**
 * A user's controls on a job (pause, resume, stop, snapshot, set lr), as the CLI and the HTTP API
 * give them. A job running here gets them at its next step boundary; a job running on another
 * daemon of a shared queue gets them through the queue; a job not running changes in its record.
 * Every change of state is a record of the job (so every daemon of a shared queue sees it).
 *
 * @module
 */
import type { Action, JobQueue } from './queue/index.js';
import type { JobRow } from './store.js';
import type { Supervisor } from './supervisor.js';

export interface Answer {
  status: 200 | 409;
  body: Record<string, unknown>;
}

export const isDone = (j: JobRow) => j.state === 'finished' || j.state === 'failed' || j.state === 'stopped';

/** Carries out a control on a job and says what became of it. */
export async function act(sup: Supervisor, queue: JobQueue, j: JobRow, a: Action): Promise<Answer> {
  if (a.action === 'resume' && j.state === 'stopped') {
    // A stopped job goes back to the queue and continues from its last checkpoint.
    const control = { ...j.control, paused: false, stopRequested: false };
    sup.record(j.id, { type: 'state', state: 'queued', reason: 'resumed by user', finishedAt: null, control });
    await queue.requeue(sup.store.job(j.id) ?? j);
    return { status: 200, body: { id: j.id, state: 'queued' } };
  }
  if (isDone(j)) return { status: 409, body: { error: `actorgrad ${a.action}: job ${j.id} is ${j.state}` } };
  if (sup.isRunning(j.id)) return actHere(sup, j, a);
  if (j.state === 'running' || j.state === 'paused') {
    // Recorded first: if the daemon running it is dead (its lock not yet expired), the daemon that
    // takes the job over starts it paused, with the lr, or stops it, as asked here.
    const intent = intended(j, a);
    if (intent) sup.record(j.id, { type: 'intent', control: intent });
    if (await queue.forward(j, a)) return { status: 200, body: { id: j.id, forwardedTo: j.worker } };
  }
  // Not running anywhere: queued, or waiting for a daemon to take it over.
  if (a.action === 'snapshot') return { status: 409, body: { error: `actorgrad snapshot: job ${j.id} is ${j.state}, not running` } };
  if (a.action === 'stop') {
    await queue.withdraw(j.id);
    sup.record(j.id, { type: 'state', state: 'stopped', reason: 'stopped by user before it ran', finishedAt: Date.now() });
    return { status: 200, body: { id: j.id, state: 'stopped' } };
  }
  const control = intended(j, a)!;
  sup.record(j.id, { type: 'state', state: j.state, reason: j.reason, control });
  return { status: 200, body: a.action === 'set' ? { id: j.id, lr: a.lr } : { id: j.id, paused: control.paused } };
}

/** The job's control with `a` carried out (null for a snapshot, which has nothing to keep); every path that records a control takes it from here. */
function intended(j: JobRow, a: Action): JobRow['control'] | null {
  if (a.action === 'snapshot') return null;
  if (a.action === 'stop') return { ...j.control, stopRequested: true };
  if (a.action === 'set') return { ...j.control, lr: a.lr };
  return { ...j.control, paused: a.action === 'pause' };
}

/** A control for a job whose process is this daemon's. */
function actHere(sup: Supervisor, j: JobRow, a: Action): Answer {
  if (a.action === 'snapshot') {
    sup.control(j.id, { type: 'snapshot' });
    return { status: 200, body: { id: j.id, snapshot: 'at the next step boundary' } };
  }
  if (a.action === 'stop') {
    sup.control(j.id, { type: 'stop', reason: 'stopped by user' });
    return { status: 200, body: { id: j.id, state: 'stopping' } };
  }
  if (a.action === 'set') {
    sup.record(j.id, { type: 'state', state: j.state, reason: j.reason, control: intended(j, a)! });
    sup.control(j.id, { type: 'set', lr: a.lr });
    return { status: 200, body: { id: j.id, lr: a.lr } };
  }
  const paused = a.action === 'pause';
  sup.record(j.id, { type: 'state', state: paused ? 'paused' : 'running', reason: '', control: intended(j, a)! });
  sup.control(j.id, { type: paused ? 'pause' : 'resume' });
  return { status: 200, body: { id: j.id, paused } };
}
