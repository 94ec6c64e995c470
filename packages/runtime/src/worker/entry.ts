import { workerData } from 'node:worker_threads';
import { kernels } from '@actorgrad/core';
import { handleMessage } from '../actors/handle.js';
import type { ActorMsg, ActorReply, ControlTask, PumpTask } from '../protocol.js';
import { adoptHeap, countMessage, pumpControl, serveControl } from './control.js';
import { residentLoop } from './resident.js';

const data = workerData as { allowCrash?: boolean; kernels?: kernels.KernelChoice; heap?: kernels.WasmMemory } | undefined;
const allowCrash = Boolean(data?.allowCrash);
// The main thread's GEMM kernel: a thread computing with another would change the bits.
if (data?.kernels) kernels.useKernelChoice(data.kernels);
if (data?.heap) adoptHeap(data.heap);

/** A pool task: either one actor message, or the set-up of this thread's control port. */
export type Task = ActorMsg | ControlTask | PumpTask;

/** The pool task: run one actor message against shared memory. */
export default function run(task: Task): ActorReply | Promise<ActorReply> {
  if (task.op === 'control') {
    serveControl(task.port, task.barrier, task.parties);
    return { ok: true, micros: 0 };
  }
  if (task.op === 'pump') return pumpControl(task.barrier, task.parties, task.done).then(() => ({ ok: true, micros: 0 }));
  if (task.op === 'resident') return residentLoop(task, allowCrash ? () => process.exit(1) : undefined);
  const reply = handleMessage(task, allowCrash ? () => process.exit(1) : undefined);
  countMessage(reply.micros);
  return reply;
}
