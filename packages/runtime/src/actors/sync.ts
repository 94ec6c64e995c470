import { clipScale } from '../clip.js';
import { Tensor, kernels } from '@actorgrad/core';
import { type CLAIM, SYNC, type SharedGemm, type StepSync } from '../protocol.js';

/** Why a replica left a synchronised step early (the engine then rolls back and re-runs the step). */
export class SyncAbort extends Error {
  constructor(reason: string) {
    super(`synchronised step abandoned: ${reason}`);
    this.name = 'SyncAbort';
  }
}

/** Slots of `StepSync.coop`: a wake counter bumped on every event waiters care about, then per shard its queue. */
const WAKE = 0;
const OPEN = (s: number) => 1 + 3 * s;
const CLAIMED = (s: number) => 2 + 3 * s;
const DONE = (s: number) => 3 + 3 * s;

/** Throws `SyncAbort` if the engine (or a failing replica) has called the step off. */
export function checkAbort(sync: StepSync): void {
  if (Atomics.load(sync.ctl, SYNC.abort) !== 0) throw new SyncAbort('aborted');
}

/** Wakes every replica waiting in this step (on the wake counter or on a queue). */
function wakeAll(sync: StepSync): void {
  Atomics.add(sync.coop, WAKE, 1);
  Atomics.notify(sync.coop, WAKE);
}

/** Calls the step off: every replica leaves at its next check (the engine then rolls back). */
export function abortStep(sync: StepSync): void {
  Atomics.store(sync.ctl, SYNC.abort, 1);
  wakeAll(sync);
  for (let s = 0; s < sync.losses.length; s++) Atomics.notify(sync.coop, DONE(s));
}

/** Waits on `slot` of `arr` while it holds `value`, checking for an abort; throws `SyncAbort` at the deadline. */
function waitChange(sync: StepSync, arr: Int32Array, slot: number, value: number, deadline: number, what: string): void {
  checkAbort(sync);
  const now = performance.now();
  const left = deadline - now;
  if (left <= 0) throw new SyncAbort(`waited ${sync.timeoutMs} ms for ${what}`);
  // Spin first: most waits inside a step are shorter than waking a sleeping thread.
  const spinUntil = now + sync.spinMs;
  while (Atomics.load(arr, slot) === value) {
    if (performance.now() >= spinUntil) {
      // Short waits, so that an abort (which notifies) is noticed soon whatever happens.
      Atomics.wait(arr, slot, value, Math.min(left, 20));
      return;
    }
  }
}

/**
 * A barrier: counts this replica in at `slot` and waits until all `parties` are in, meanwhile
 * taking blocks of other shards' shared weight gradients (`help`). Gives up (throws `SyncAbort`)
 * when the step is aborted or after `timeoutMs` — a replica whose thread died never arrives, and
 * nobody may wait for it forever.
 */
export function arriveAndWait(sync: StepSync, slot: number, help: SharedGemm[] = []): void {
  const { ctl, parties } = sync;
  Atomics.add(ctl, slot, 1);
  wakeAll(sync);
  const deadline = performance.now() + sync.timeoutMs;
  for (;;) {
    checkAbort(sync);
    const epoch = Atomics.load(sync.coop, WAKE);
    const arrived = Atomics.load(ctl, slot);
    if (arrived >= parties) return;
    if (help.some((work) => takeBlock(sync, work))) continue;
    waitChange(sync, sync.coop, WAKE, epoch, deadline, `${parties - arrived} of ${parties} replicas`);
  }
}

/**
 * Where block j of `blocks` starts among `cols` columns: near j·cols/blocks, on a multiple of 8 (the
 * fast GEMM's micro-panel width, a multiple of the other kernels' 4, so no block but the last has
 * a ragged edge panel).
 */
export function blockEdge(j: number, cols: number, blocks: number): number {
  return j >= blocks ? cols : Math.min(cols, 8 * Math.round((j * cols) / (8 * blocks)));
}

/** Block j of a shared weight gradient: columns [blockEdge(j), blockEdge(j + 1)) of gW = gᵀ·x. */
function computeBlock(work: SharedGemm, j: number): void {
  const x = Tensor.fromHandle(work.x);
  const g = Tensor.fromHandle(work.g);
  const gw = Tensor.fromHandle(work.gw);
  const [n, inF] = x.shape as [number, number];
  const outF = g.shape[1]!;
  const c0 = blockEdge(j, inF, work.blocks);
  const c1 = blockEdge(j + 1, inF, work.blocks);
  kernels.gemmBlock(outF, c1 - c0, n, g.data, 0, outF, x.data, c0, inF, gw.data, c0, inF, true, false);
}

/** Claims and computes one block of `work` if its queue is open and not exhausted; says whether it did. */
export function takeBlock(sync: StepSync, work: SharedGemm): boolean {
  const { coop } = sync;
  const s = work.shard;
  if (Atomics.load(coop, OPEN(s)) === 0 || Atomics.load(coop, CLAIMED(s)) >= work.blocks) return false;
  const j = Atomics.add(coop, CLAIMED(s), 1);
  if (j >= work.blocks) return false;
  computeBlock(work, j);
  Atomics.add(coop, DONE(s), 1);
  Atomics.notify(coop, DONE(s));
  return true;
}

/**
 * The owner's side of a shared weight gradient: open the queue (waking helpers), take blocks until
 * none is left, then wait until the blocks others took are done.
 */
export function sharedWeightGradient(sync: StepSync, work: SharedGemm): void {
  const { coop } = sync;
  const s = work.shard;
  Atomics.store(coop, OPEN(s), 1);
  wakeAll(sync);
  while (takeBlock(sync, work)) checkAbort(sync);
  const deadline = performance.now() + sync.timeoutMs;
  for (;;) {
    const done = Atomics.load(coop, DONE(s));
    if (done >= work.blocks) return;
    waitChange(sync, coop, DONE(s), done, deadline, `blocks of shard ${s}'s weight gradient taken by another replica`);
  }
}

/**
 * Runs `work(j)` for each index j in [0, n) that this replica claims first. The indices are cut
 * into `parties` equal ranges, one per replica; replica `home` claims from its own range first, then
 * helps with the others' (in order after its own). Every index is claimed exactly once, by whoever
 * gets there first; when the replicas keep pace, each takes the same indices step after step.
 */
export function claimEach(sync: StepSync, kind: (typeof CLAIM)[keyof typeof CLAIM], n: number, home: number, work: (j: number) => void): void {
  const { ctl, parties } = sync;
  for (let k = 0; k < parties; k++) {
    const r = (home + k) % parties;
    const lo = Math.floor((r * n) / parties);
    const size = Math.floor(((r + 1) * n) / parties) - lo;
    const slot = SYNC.claims + kind * parties + r;
    for (;;) {
      checkAbort(sync);
      if (Atomics.load(ctl, slot) >= size) break;
      const i = Atomics.add(ctl, slot, 1);
      if (i >= size) break;
      work(lo + i);
    }
  }
}

/**
 * What every replica decides alone, identically, before the optimiser step: the step's loss (Σ over
 * shards in shard order) and gradient norm (Σg² over chunks in chunk order) must be finite; then
 * the clipping scale (torch.nn.utils.clip_grad_norm_).
 */
export function decideStep(sync: StepSync, clipNorm: number | null): { nonFinite: { what: 'loss' | 'gradient norm'; value: number } } | { scale: number } {
  let loss = 0;
  for (let s = 0; s < sync.losses.length; s++) loss += sync.losses[s]!;
  if (!Number.isFinite(loss)) return { nonFinite: { what: 'loss', value: loss } };
  let sq = 0;
  for (let c = 0; c < sync.sq.length; c++) sq += sync.sq[c]!;
  const norm = Math.sqrt(sq);
  if (!Number.isFinite(norm)) return { nonFinite: { what: 'gradient norm', value: norm } };
  return { scale: clipScale(norm, clipNorm) };
}
