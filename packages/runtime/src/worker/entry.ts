import { workerData } from 'node:worker_threads';
import { handleMessage } from '../actors/handle.js';
import type { ActorMsg, ActorReply } from '../protocol.js';

const allowCrash = Boolean((workerData as { allowCrash?: boolean } | undefined)?.allowCrash);

/** The pool task: run one actor message against shared memory. */
export default function run(msg: ActorMsg): ActorReply {
  if (msg.op === 'crash' && allowCrash) process.exit(1);
  return handleMessage(msg);
}
