import { clipScale } from '../clip.js';
import { SYNC, type StepSync } from '../protocol.js';

/** Why a replica left a synchronised step early (the engine then rolls back and re-runs the step). */
export class SyncAbort extends Error {
  constructor(reason: string) {
    super(`synchronised step abandoned: ${reason}`);
    this.name = 'SyncAbort';
  }
}

/** Throws `SyncAbort` if the engine (or a failing replica) has called the step off. */
export function checkAbort(sync: StepSync): void {
  if (Atomics.load(sync.ctl, SYNC.abort) !== 0) throw new SyncAbort('aborted');
}

/**
 * A barrier: counts this replica in at `slot` and waits until all `parties` are in. Gives up (throws
 * `SyncAbort`) when the step is aborted or after `timeoutMs` — a replica whose thread died never
 * arrives, and nobody may wait for it forever.
 */
export function arriveAndWait(sync: StepSync, slot: number): void {
  const { ctl, parties } = sync;
  Atomics.add(ctl, slot, 1);
  Atomics.notify(ctl, slot);
  const deadline = performance.now() + sync.timeoutMs;
  for (;;) {
    checkAbort(sync);
    const arrived = Atomics.load(ctl, slot);
    if (arrived >= parties) return;
    const left = deadline - performance.now();
    if (left <= 0) throw new SyncAbort(`waited ${sync.timeoutMs} ms for ${parties - arrived} of ${parties} replicas`);
    // Short waits, so that an abort (which notifies) or a missed wake-up is noticed soon.
    Atomics.wait(ctl, slot, arrived, Math.min(left, 20));
  }
}

/** Runs `work(j)` for each index j in [0, n) that this replica claims first from the counter at `slot`. */
export function claimEach(sync: StepSync, slot: number, n: number, work: (j: number) => void): void {
  for (;;) {
    checkAbort(sync);
    const j = Atomics.add(sync.ctl, slot, 1);
    if (j >= n) return;
    work(j);
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
