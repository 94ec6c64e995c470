import { Tensor, type TensorHandle } from '@actorgrad/core';
import { type ActorMsg, type ActorReply, type BackwardMsg, type ForwardMsg, type ReduceMsg, type StepItem, type StepMsg, CLAIM } from '../protocol.js';
import { activationKernel } from './activation.js';
import { genericBackward, genericForward } from './generic.js';
import { linearBackward, linearForward } from './linear.js';
import { shardLoss } from './loss.js';
import { reduceInShardOrder } from './reduce.js';
import { installedRoute } from './program.js';
import { optimizerStep, recycle, stepInSlots } from './step.js';
import { SyncAbort, arriveAndWait, claimEach, decideStep, sharedWeightGradient } from './sync.js';

const view = (h: TensorHandle) => Tensor.fromHandle(h);

/**
 * Runs one actor message against shared memory. Used by the worker threads and, unchanged, by the
 * inline placement — so every placement computes the same bits.
 */
export function handleMessage(msg: ActorMsg, onCrash?: () => never): ActorReply {
  if (msg.op === 'route') return handleRoute(msg.msgs, onCrash);
  if (msg.op === 'program') {
    const msgs = installedRoute(msg);
    if (!msgs) return { ok: false, error: `step program ${msg.id} is not held by this thread`, missing: true, micros: 0 };
    return handleRoute(msgs, onCrash);
  }
  if (msg.op === 'crash' && onCrash) onCrash();
  const t0 = performance.now();
  const micros = () => Math.round((performance.now() - t0) * 1000);
  try {
    switch (msg.op) {
      case 'forward':
        return forward(msg, micros);
      case 'backward':
        return backward(msg, micros);
      case 'loss': {
        const value = shardLoss(msg.kind, view(msg.pred), view(msg.target), msg.batchSize, view(msg.gPred).data);
        if (msg.losses) msg.losses[msg.shard] = value;
        return { ok: true, value, micros: micros() };
      }
      case 'reduce':
        return reduce(msg, micros);
      case 'step':
        return step(msg, micros);
      case 'sync':
        arriveAndWait(msg.sync, msg.slot, msg.help);
        return { ok: true, micros: micros() };
      case 'crash':
        throw new Error('crash messages are only honoured by worker threads that allow them');
      case 'resident':
        throw new Error('resident step loops run only on worker threads');
    }
    throw new Error(`unknown op ${(msg as { op: string }).op}`);
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e), micros: micros(), ...(e instanceof SyncAbort && { aborted: true }) };
  }
}

/** A route's messages in order, each timed on its own; stops at the first that fails. */
function handleRoute(msgs: ActorMsg[], onCrash?: () => never): ActorReply {
  const replies: ActorReply[] = [];
  let micros = 0;
  for (let i = 0; i < msgs.length; i++) {
    const r = handleMessage(msgs[i]!, onCrash);
    replies.push(r);
    micros += r.micros;
    if (!r.ok) return { ok: false, error: r.error, at: i, replies, micros, ...(r.aborted && { aborted: true }) };
  }
  return { ok: true, replies, micros };
}

/** A layer's forward: `out` = the layer applied to `x` (direct kernels for Linear and the common activations). */
function forward(msg: ForwardMsg, micros: () => number): ActorReply {
  const x = view(msg.x);
  const out = view(msg.out);
  const params = msg.params.map(view);
  if (msg.layer.spec.type === 'Linear') {
    const [w, b] = params;
    const n = x.shape[0]!;
    linearForward(x.data, n, w!.shape[1]!, w!.data, b?.data ?? null, w!.shape[0]!, out.data);
  } else {
    const k = activationKernel(msg.layer.spec);
    if (k) k.forward(x.data, out.data);
    else genericForward(ctxOf(msg), x, params, msg.training, out.data);
  }
  return { ok: true, micros: micros() };
}

/** A layer's backward: the input's gradient and the shard's parameter gradients (a shared weight gradient in blocks, if asked). */
function backward(msg: BackwardMsg, micros: () => number): ActorReply {
  const x = view(msg.x);
  const gOut = view(msg.gOut);
  const gIn = msg.gIn ? view(msg.gIn).data : null;
  const params = msg.params.map(view);
  const gParams = msg.gParams.map((h) => view(h).data);
  if (msg.layer.spec.type === 'Linear') {
    const w = params[0]!;
    linearBackward(x.data, x.shape[0]!, w.shape[1]!, w.data, w.shape[0]!, gOut.data, gIn, msg.shared ? null : gParams[0]!, gParams[1] ?? null);
    if (msg.shared) sharedWeightGradient(msg.shared.sync, msg.shared.work);
  } else {
    const k = activationKernel(msg.layer.spec);
    if (k) {
      if (gIn) k.backward(x.data, gOut.data, gIn);
    } else genericBackward(ctxOf(msg), x, params, gOut, gIn, gParams);
  }
  return { ok: true, micros: micros() };
}

/** The shards' gradients of each chunk summed in shard order; the squared norms back (or, synchronised, into `sync.sq`, chunks claimed). */
function reduce(msg: ReduceMsg, micros: () => number): ActorReply {
  const chunk = (j: number) => reduceInShardOrder(msg.shardGrads.map((s) => [view(s[j]!).data]), [view(msg.grads[j]!).data])[0]!;
  const { sync } = msg;
  if (!sync) return { ok: true, values: msg.grads.map((_, j) => chunk(j)), micros: micros() };
  claimEach(sync, CLAIM.reduce, msg.grads.length, msg.home ?? 0, (j) => {
    sync.sq[j] = chunk(j);
  });
  return { ok: true, micros: micros() };
}

/** The optimiser step of each chunk: new states back, or (synchronised) chunks claimed, backed up and stepped in their slots. */
function step(msg: StepMsg, micros: () => number): ActorReply {
  const stepItem = (it: StepItem, scale: number) => {
    if (it.recycle) recycle(it.recycle);
    return optimizerStep(msg.optimizer, msg.lr, scale, [it.key], [view(it.param).data], [view(it.grad).data], it.state);
  };
  const { sync } = msg;
  if (!sync) {
    const out = msg.items.map((it) => stepItem(it, msg.gradScale));
    return { ok: true, states: out.map((o) => o.next), dead: out.map((o) => o.dead), micros: micros() };
  }
  const decision = decideStep(sync, sync.clipNorm);
  if ('nonFinite' in decision) return { ok: true, nonFinite: decision.nonFinite, micros: micros() };
  // Each chunk is backed up, then stepped in its slots; `sync.stepped` tells the engine how far it got.
  claimEach(sync, CLAIM.step, msg.items.length, msg.home ?? 0, (j) => {
    const it = msg.items[j]!;
    if (!it.slots || !it.backup) throw new Error(`internal error: item ${j} of a synchronised step has no ${it.slots ? 'backup' : 'slots'}`);
    view(it.backup).data.set(view(it.param).data);
    Atomics.store(sync.stepped, j, 1);
    stepInSlots(msg.optimizer, msg.lr, decision.scale, it.key, view(it.param).data, view(it.grad).data, it.slots, msg.parity ?? 0);
    Atomics.store(sync.stepped, j, 2);
  });
  return { ok: true, micros: micros() };
}

function ctxOf(msg: { actor: string; layer: { spec: import('@actorgrad/core').ModuleSpec; index: number }; step: number; shard: number; seed: number }) {
  return { actor: msg.actor, spec: msg.layer.spec, layerIndex: msg.layer.index, step: msg.step, shard: msg.shard, seed: msg.seed };
}
