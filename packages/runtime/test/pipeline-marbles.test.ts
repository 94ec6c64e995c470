import { map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type Shard, backwardThrough, clipGradients, computeLoss, forwardThrough, gatherInOrder, optimizerStep, planShards, reduceGradients, scatter } from '../src/operators/index.js';
import { FakePool, type Run, backwardMsg, forwardMsg, lossMsg, reduceMsg, replyValue, stepMsg } from './fake-executor.js';

/**
 * The training step composed as `Engine.step` composes it, over mailbox actors on a fake pool in
 * virtual time: forward 2 frames, loss 1, backward 2, reduce 1, optimiser step 1.
 */
const cost = { forward: 2, loss: 1, backward: 2, reduce: 1, step: 1 };
/** Per-layer squared gradient norms (3² + 4²: global norm 5). */
const sqNorms = [9, 16];

interface Setup {
  layers: number;
  replicas: number;
  shards: number;
  rows: number;
  threads?: number;
  clipNorm: number | null;
}

function trainingStep(scheduler: TestScheduler, { layers: L, replicas: R, shards, rows, threads, clipNorm }: Setup) {
  const pool = new FakePool(scheduler, {
    cost,
    threads,
    value: (msg, actor) => (msg.op === 'loss' ? (msg.shard + 1) / 10 : msg.op === 'reduce' ? sqNorms[Number(actor.slice(1, actor.indexOf('#')))] : undefined),
  });
  const layerActors = Array.from({ length: L }, (_, l) => Array.from({ length: R }, (_, r) => pool.actor(`L${l}#${r}`)));
  const lossActors = Array.from({ length: R }, (_, r) => pool.actor(`loss#${r}`));
  // Stands in for the engine's per-shard buffers.
  const bufs = planShards(rows, shards).map((shard) => ({ shard }));
  const byIndex = new Map(bufs.map((b) => [b.shard.index, b]));
  type B = { shard: Shard };
  const fwd = (l: number, b: B) => layerActors[l]![b.shard.index % R]!.send(forwardMsg(l, b.shard.index));
  const bwd = (l: number, b: B) => layerActors[l]![b.shard.index % R]!.send(backwardMsg(l, b.shard.index));
  const loss = (b: B) => lossActors[b.shard.index % R]!.send(lossMsg(b.shard.index)).pipe(replyValue);
  const reduce = (l: number) => layerActors[l]![0]!.send(reduceMsg(l)).pipe(replyValue);
  const optStep = (l: number, scale: number) => layerActors[l]![0]!.send(stepMsg(l, scale));
  const paramLayers = [...Array(L).keys()];
  const step$ = of(rows)
    .pipe(
      scatter(shards),
      map((s) => byIndex.get(s.index)!),
      forwardThrough(L, fwd),
      computeLoss(loss),
      map(({ item, loss: value }) => ({ b: item, loss: value })),
      backwardThrough(L, (l, v) => bwd(l, v.b).pipe(map(() => v))),
    )
    .pipe(gatherInOrder((v) => v.b.shard.index), reduceGradients(paramLayers, reduce), clipGradients(clipNorm), optimizerStep(paramLayers, optStep));
  const result = {
    value: bufs.map((b) => ({ b, loss: (b.shard.index + 1) / 10 })),
    norm: 5,
    scale: clipNorm === null ? 1 : Math.min(1, clipNorm / (5 + 1e-6)),
  };
  return { pool, step$, result };
}

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const runsWithOp = (runs: Run[], op: Run['op']) => runs.filter((r) => r.op === op);
const layerOf = (r: Run) => (r.msg.op === 'forward' || r.msg.op === 'backward' ? r.msg.layer.index : -1);

/** Each actor ran one message at a time. */
function expectMailboxes(pool: FakePool): void {
  for (const actor of new Set(pool.runs.map((r) => r.actor))) {
    const runs = pool.runsOf(actor);
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end);
  }
}

/**
 * Reduction starts exactly when the last shard's last backward (layer 0) ends, and no earlier; the
 * optimiser steps start when the last reduction ends, with the clipping scale.
 */
function expectReduceAfterBackward(pool: FakePool, shards: number, reduceAt: number): void {
  const backwards = runsWithOp(pool.runs, 'backward');
  const reduces = runsWithOp(pool.runs, 'reduce');
  const steps = runsWithOp(pool.runs, 'step');
  const lastShard = backwards.find((r) => r.shard === shards - 1 && layerOf(r) === 0)!;
  expect(lastShard.end).toBe(reduceAt);
  expect(Math.max(...backwards.map((r) => r.end))).toBe(reduceAt);
  expect(Math.min(...reduces.map((r) => r.start))).toBe(reduceAt);
  expect(Math.min(...steps.map((r) => r.start))).toBe(Math.max(...reduces.map((r) => r.end)));
  expect(steps.map((r) => r.msg.op === 'step' && r.msg.gradScale)).toEqual([1 / (5 + 1e-6), 1 / (5 + 1e-6)]);
}

describe('a training step as the engine composes its operators (2 layers, 4 shards, virtual time)', () => {
  it('with 1 replica: one mailbox per layer pipelines the shards, and the step ends at frame 22', () => {
    const scheduler = testScheduler();
    const { pool, step$, result } = trainingStep(scheduler, { layers: 2, replicas: 1, shards: 4, rows: 8, clipNorm: 1 });
    scheduler.run(({ expectObservable }) => {
      expectObservable(step$).toBe('22ms (x|)', { x: result });
    });
    const schedule = (actor: string) => pool.runsOf(actor).map((r) => `${r.op[0]}${r.shard ?? ''}@${r.start}`);
    // A layer's mailbox interleaves the forwards of later shards with the backwards of earlier ones.
    expect(schedule('L0#0')).toEqual(['f0@0', 'f1@2', 'f2@4', 'f3@6', 'b0@8', 'b1@12', 'b2@16', 'b3@18', 'r@20', 's@21']);
    expect(schedule('L1#0')).toEqual(['f0@2', 'f1@4', 'b0@6', 'f2@8', 'b1@10', 'f3@12', 'b2@14', 'b3@16', 'r@20', 's@21']);
    expect(schedule('loss#0')).toEqual(['l0@4', 'l1@6', 'l2@10', 'l3@14']);
    expectMailboxes(pool);
    expectReduceAfterBackward(pool, 4, 20);
  });

  it('with 2 replicas: shards alternate between replicas and the step ends at frame 14, sooner than with 1', () => {
    const scheduler = testScheduler();
    const { pool, step$, result } = trainingStep(scheduler, { layers: 2, replicas: 2, shards: 4, rows: 8, clipNorm: 1 });
    scheduler.run(({ expectObservable }) => {
      expectObservable(step$).toBe('14ms (x|)', { x: result });
    });
    for (const r of pool.runs.filter((r) => r.shard !== null)) expect(r.actor.endsWith(`#${r.shard! % 2}`)).toBe(true);
    const schedule = (actor: string) => pool.runsOf(actor).map((r) => `${r.op[0]}${r.shard ?? ''}@${r.start}`);
    expect(schedule('L0#0')).toEqual(['f0@0', 'f2@2', 'b0@8', 'b2@10', 'r@12', 's@13']);
    expect(schedule('L0#1')).toEqual(['f1@0', 'f3@2', 'b1@8', 'b3@10']);
    expect(schedule('L1#0')).toEqual(['f0@2', 'f2@4', 'b0@6', 'b2@8', 'r@12', 's@13']);
    expectMailboxes(pool);
    expectReduceAfterBackward(pool, 4, 12);
  });

  it.each([1, 2])('on a single pool thread (%i replicas), the step takes exactly the total work: 40 frames', (replicas) => {
    const scheduler = testScheduler();
    const { pool, step$, result } = trainingStep(scheduler, { layers: 2, replicas, shards: 4, rows: 10, threads: 1, clipNorm: 1 });
    scheduler.run(({ expectObservable }) => {
      // 4 shards × 2 layers × (2 + 2) + 4 losses + 2 reductions + 2 steps = 40: the thread never idles.
      expectObservable(step$).toBe('40ms (x|)', { x: result });
    });
    expect(pool.runs.every((r) => r.thread === 0)).toBe(true);
    expectMailboxes(pool);
    expectReduceAfterBackward(pool, 4, 36);
  });

  it('without clipping, every layer steps with scale 1', () => {
    const scheduler = testScheduler();
    const { pool, step$, result } = trainingStep(scheduler, { layers: 2, replicas: 2, shards: 4, rows: 8, clipNorm: null });
    scheduler.run(({ expectObservable }) => {
      expectObservable(step$).toBe('14ms (x|)', { x: result });
    });
    expect(runsWithOp(pool.runs, 'step').map((r) => r.msg.op === 'step' && r.msg.gradScale)).toEqual([1, 1]);
  });
});
