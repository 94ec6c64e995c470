import { handleMessage } from '../actors/handle.js';
import { type ActorReply, type ProgramMsg, RESIDENT, RESIDENT_STATUS, type ResidentMsg, residentReplicas, residentSlots } from '../protocol.js';
import { countMessage } from './control.js';

/**
 * A resident step loop (see `ResidentMsg`): waits for the bell, runs its replica's route of the step
 * program, reports, and waits again — until the engine sets `quit` (returns ok) or the route fails
 * (returns the route's reply: the engine reads which message failed and why from it).
 */
export function residentLoop(task: ResidentMsg, onCrash?: () => never): ActorReply {
  const { ctl, replica: r } = task;
  const { i32, f64, micros } = ctl;
  const R = residentReplicas(i32);
  const at = residentSlots(R, r);
  let seen = task.bell;
  let program: ResidentMsg['program'] | undefined = task.program;
  let busy = 0;
  for (;;) {
    while (Atomics.load(i32, RESIDENT.bell) === seen) Atomics.wait(i32, RESIDENT.bell, seen);
    seen = Atomics.load(i32, RESIDENT.bell);
    if (Atomics.load(i32, RESIDENT.quit) !== 0) return { ok: true, micros: busy };
    f64[at.wokeAt] = performance.timeOrigin + performance.now(); // after the quit check: a quitting ring is no step
    // The engine copies the batch's rows after ringing, while the threads wake (it is done first, as
    // a rule): wait until this replica's are in.
    for (let v = Atomics.load(i32, at.ready); v !== seen; v = Atomics.load(i32, at.ready)) Atomics.wait(i32, at.ready, v);
    const msg: ProgramMsg = { op: 'program', actor: task.actor, id: task.id, replica: r, step: f64[0]!, lr: f64[1]!, parity: f64[2] === 1 ? 1 : 0, ...(program && { program }) };
    program = undefined; // held from now on
    const reply = handleMessage(msg, onCrash);
    countMessage(reply.micros);
    busy += reply.micros;
    const replies = reply.replies ?? [];
    const width = micros.length / R;
    replies.forEach((one, k) => {
      micros[r * width + k] = one.micros;
    });
    const last = replies[replies.length - 1];
    if (reply.ok && last?.ok) {
      const nf = last.nonFinite;
      i32[at.nonFinite] = nf ? (nf.what === 'loss' ? 1 : 2) : 0;
      if (nf) f64[at.nonFiniteValue] = nf.value;
    }
    f64[at.reportedAt] = performance.timeOrigin + performance.now();
    Atomics.store(i32, at.status, reply.ok ? RESIDENT_STATUS.ok : RESIDENT_STATUS.failed);
    Atomics.add(i32, RESIDENT.done, 1);
    Atomics.notify(i32, RESIDENT.done);
    if (!reply.ok) return reply;
  }
}
