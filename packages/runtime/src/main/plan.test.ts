import { describe, expect, it } from 'vitest';
import { type PlannedStop, balancedGroups, planStep } from './plan.js';

// Linear(4→3), ReLU, Linear(3→2): weights and biases of 12, 3, 6 and 2 elements.
const layout = { paramSizes: [[12, 3], [], [6, 2]] };
// Chunks of at most 5: 12 → 3 of 4; 3 → 1 of 3; 6 → 2 of 3; 2 → 1 of 2.
const CHUNK = 5;
const inlineExec = { kind: 'inline' as const, threads: 1 };
const pool = (threads: number) => ({ kind: 'pool' as const, threads });

/** A route as text: op, layer (L = the loss actor) and replica of each stop. */
const text = (stops: PlannedStop[]) => stops.map((s) => `${s.barrier ? `${s.op}:${s.barrier}` : s.op}${s.layer ?? 'L'}@${s.replica}`).join(' ');

describe('planStep', () => {
  it('inline: one shard of every row, one replica, a synchronised program route', () => {
    const plan = planStep(layout, { shards: 1, replicas: 1, executor: inlineExec }, 10, CHUNK);
    expect(plan.shards.map((s) => [s.shard.start, s.shard.end, s.replica])).toEqual([[0, 10, 0]]);
    expect(text(plan.shards[0]!.stops)).toBe('forward0@0 forward1@0 forward2@0 lossL@0 backward2@0 backward1@0 backward0@0');
    expect(plan.mode).toBe('synchronised');
    expect(plan.program!.map(text)).toEqual([
      'forward0@0 forward1@0 forward2@0 lossL@0 backward2@0 backward1@0 backward0@0 sync:reduce0@0 reduce0@0 sync:step0@0 step0@0',
    ]);
    expect(plan.chunks.map((c) => [c.layer, c.param, c.lo, c.hi])).toEqual([
      [0, 0, 0, 4], [0, 0, 4, 8], [0, 0, 8, 12], [0, 1, 0, 3], [2, 0, 0, 3], [2, 0, 3, 6], [2, 1, 0, 2],
    ]);
    expect(plan.groups).toEqual([{ replica: 0, layer: 0, chunks: [0, 1, 2, 3, 4, 5, 6] }]);
  });

  it('inline with 2 shards runs message by message, each shard as one route', () => {
    const plan = planStep(layout, { shards: 2, replicas: 1, executor: inlineExec }, 10, CHUNK);
    expect(plan.shards.map((s) => [s.shard.start, s.shard.end, s.replica])).toEqual([[0, 5, 0], [5, 10, 0]]);
    expect(plan.mode).toBe('messages');
    expect(plan.wholeRoutes).toBe(false);
    expect(plan.program).toBeNull();
  });

  it('dataParallel(2): shard r on replica r, the first n mod k shards one row longer, chunks balanced', () => {
    const plan = planStep(layout, { shards: 2, replicas: 2, executor: pool(2) }, 9, CHUNK);
    expect(plan.shards.map((s) => [s.shard.index, s.shard.start, s.shard.end, s.replica])).toEqual([[0, 0, 5, 0], [1, 5, 9, 1]]);
    expect(plan.mode).toBe('synchronised');
    expect(plan.program!.map(text)).toEqual([
      'forward0@0 forward1@0 forward2@0 lossL@0 backward2@0 backward1@0 backward0@0 sync:reduce0@0 reduce0@0 sync:step0@0 step0@0',
      'forward0@1 forward1@1 forward2@1 lossL@1 backward2@1 backward1@1 backward0@1 sync:reduce0@1 reduce0@1 sync:step0@1 step0@1',
    ]);
    // Largest first to the least loaded: 0→r0, 1→r1, 2→r0, 3→r1, 4→r1, 5→r0, 6→r1 (11 and 12 elements).
    expect(plan.groups).toEqual([
      { replica: 0, layer: 0, chunks: [0, 2, 5] },
      { replica: 1, layer: 0, chunks: [1, 3, 4, 6] },
    ]);
  });

  it('dataParallel(2) on one thread: whole routes, message by message', () => {
    const plan = planStep(layout, { shards: 2, replicas: 2, executor: pool(1) }, 9, CHUNK);
    expect(plan.mode).toBe('messages');
    expect(plan.wholeRoutes).toBe(true);
    expect(plan.program).toBeNull();
  });

  it('pipeline(3): every shard on the one replica, message by message, stops in pass order', () => {
    const plan = planStep(layout, { shards: 3, replicas: 1, executor: pool(2) }, 10, CHUNK);
    expect(plan.shards.map((s) => [s.shard.start, s.shard.end, s.replica])).toEqual([[0, 4, 0], [4, 7, 0], [7, 10, 0]]);
    for (const s of plan.shards) expect(text(s.stops)).toBe('forward0@0 forward1@0 forward2@0 lossL@0 backward2@0 backward1@0 backward0@0');
    expect(plan.mode).toBe('messages');
    expect(plan.wholeRoutes).toBe(false);
    expect(plan.groups).toEqual([{ replica: 0, layer: 0, chunks: [0, 1, 2, 3, 4, 5, 6] }]);
  });

  it('hybrid (2 replicas × 2 micro-batches): shard i on replica i mod 2', () => {
    const plan = planStep(layout, { shards: 4, replicas: 2, executor: pool(2) }, 8, CHUNK);
    expect(plan.shards.map((s) => [s.shard.start, s.shard.end, s.replica])).toEqual([[0, 2, 0], [2, 4, 1], [4, 6, 0], [6, 8, 1]]);
    expect(plan.mode).toBe('messages');
  });

  it('a model whose first layer has no parameters: the program reduces and steps on the first that has', () => {
    const plan = planStep({ paramSizes: [[], [6, 2]] }, { shards: 1, replicas: 1, executor: inlineExec }, 4, CHUNK);
    expect(text(plan.program![0]!.slice(5))).toBe('sync:reduce1@0 reduce1@0 sync:step1@0 step1@0');
    expect(plan.groups).toEqual([{ replica: 0, layer: 1, chunks: [0, 1, 2] }]);
  });

  it('refuses a batch with fewer rows than shards', () => {
    expect(() => planStep(layout, { shards: 3, replicas: 1, executor: pool(2) }, 2, CHUNK)).toThrow('scatter: a batch of 2 rows cannot be split into 3 shards');
  });
});

describe('balancedGroups', () => {
  it('drops replicas left without chunks', () => {
    const groups = balancedGroups([{ layer: 0, param: 0, lo: 0, hi: 4 }], 3);
    expect(groups).toEqual([{ replica: 0, layer: 0, chunks: [0] }]);
  });
});
