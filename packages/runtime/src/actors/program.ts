import type { TensorHandle } from '@actorgrad/core';
import type { ActorMsg, ProgramMsg, StepMsg, StepProgram } from '../protocol.js';

/** A step program held by this thread, with the messages each step re-parameterises. */
interface Held {
  program: StepProgram;
  /** Forward and backward messages (they carry the step number: dropout masks depend on it). */
  pass: { step: number }[];
  steps: StepMsg[];
}

/** Programs held, oldest first; a few, since a thread may serve several engines (inline, tests). */
const held = new Map<string, Held>();
const MAX_HELD = 4;

function hold(id: string, program: StepProgram): Held {
  const all = program.routes.flat();
  const h: Held = {
    program,
    pass: all.filter((m): m is Extract<ActorMsg, { op: 'forward' | 'backward' }> => m.op === 'forward' || m.op === 'backward'),
    steps: all.filter((m): m is StepMsg => m.op === 'step'),
  };
  held.set(id, h);
  for (const old of held.keys()) {
    if (held.size <= MAX_HELD) break;
    held.delete(old);
  }
  return h;
}

/** Points a handle of the program at this step's memory (same shape and dtype, checked). */
function repoint(h: TensorHandle, to: TensorHandle, what: string): void {
  if (h.dtype !== to.dtype || h.shape.length !== to.shape.length || h.shape.some((d, i) => d !== to.shape[i])) {
    throw new RangeError(`step program: ${what} has shape [${to.shape}] ${to.dtype}, the program was built for [${h.shape}] ${h.dtype}`);
  }
  h.buffer = to.buffer;
  h.byteOffset = to.byteOffset;
}

/**
 * The messages of `msg.replica`'s route in program `msg.id`, set up for this step (step number,
 * learning rate, slot parity, the shards' inputs and targets); null if this thread does not hold the
 * program and the message does not bring it.
 */
export function installedRoute(msg: ProgramMsg): ActorMsg[] | null {
  const h = held.get(msg.id) ?? (msg.program ? hold(msg.id, msg.program) : null);
  if (!h) return null;
  const { inputs, routes } = h.program;
  if (msg.shards) {
    if (msg.shards.length !== inputs.length) throw new RangeError(`step program: ${msg.shards.length} shards, the program has ${inputs.length}`);
    msg.shards.forEach((s, i) => {
      repoint(inputs[i]!.x, s.x, `shard ${i}'s inputs`);
      repoint(inputs[i]!.target, s.target, `shard ${i}'s targets`);
    });
  }
  for (const m of h.pass) m.step = msg.step;
  for (const m of h.steps) {
    m.lr = msg.lr;
    m.parity = msg.parity;
  }
  const route = routes[msg.replica];
  if (!route) throw new RangeError(`step program: no replica ${msg.replica} (it has ${routes.length})`);
  return route;
}
