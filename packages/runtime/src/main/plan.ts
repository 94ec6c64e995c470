import { type Shard, planShards } from '../operators/scatter.js';
import { type ChunkRange, chunkLayout } from './chunks.js';

/** What the planner needs of the model: per layer, the element count of each of its parameters. */
export interface ModelLayout {
  paramSizes: number[][];
}

/** What the planner needs of the placement and of the executor it runs on. */
export interface PlanPlacement {
  shards: number;
  replicas: number;
  executor: { kind: 'inline' | 'pool'; threads: number };
}

/**
 * One stop of a planned route: which message, at which layer (null: the loss actor), on which
 * replica of that layer's actor. `sync` stops are the barriers of a synchronised step, before the
 * reduction (`barrier: 'reduce'`) and before the optimiser step (`barrier: 'step'`).
 */
export interface PlannedStop {
  op: 'forward' | 'loss' | 'backward' | 'sync' | 'reduce' | 'step';
  layer: number | null;
  replica: number;
  barrier?: 'reduce' | 'step';
}

/** A shard of the batch, the replica that serves it, and its pass: forward 0…L−1, loss, backward L−1…0. */
export interface ShardRoute {
  shard: Shard;
  replica: number;
  stops: PlannedStop[];
}

/** Chunks (indices, ascending) whose reduction and optimiser step one message carries, on `replica` of `layer`'s actor. */
export interface ChunkGroup {
  replica: number;
  layer: number;
  chunks: number[];
}

/**
 * A training step before it runs: what goes where, in which order. A function of the model's
 * layout, the placement, the batch's rows and the optimiser's chunk size only — no pool, no tensors.
 */
export interface StepPlan {
  rows: number;
  shards: ShardRoute[];
  /** The optimiser's chunks (see `chunkLayout`) and how they are shared among the replicas. */
  chunks: ChunkRange[];
  groups: ChunkGroup[];
  /**
   * `synchronised`: every replica serves one shard and has a thread of its own — one program route
   * per replica (`program`), coordinated through shared memory. `messages`: message by message.
   */
  mode: 'synchronised' | 'messages';
  /** Message by message: whether each shard's pass goes as one route (every replica serves exactly one shard). */
  wholeRoutes: boolean;
  /** Synchronised: per replica, its route — its shard's pass, a barrier, its reduction, a barrier, its step. */
  program: PlannedStop[][] | null;
}

/** Plans one step of `rows` rows (see `StepPlan`); `chunk` is the optimiser's chunk size. */
export function planStep(layout: ModelLayout, placement: PlanPlacement, rows: number, chunk: number): StepPlan {
  const { shards: k, replicas: R, executor } = placement;
  const chunks = chunkLayout(layout.paramSizes, chunk);
  const L = layout.paramSizes.length;
  const shards = planShards(rows, k).map((shard) => ({ shard, replica: shard.index % R, stops: shardPass(L, shard.index % R) }));
  const wholeRoutes = k === R;
  const canSync = wholeRoutes && (executor.kind === 'inline' ? R === 1 : executor.threads >= R);
  const owner = Math.max(layout.paramSizes.findIndex((p) => p.length > 0), 0);
  return {
    rows,
    shards,
    chunks,
    groups: balancedGroups(chunks, R),
    mode: canSync ? 'synchronised' : 'messages',
    wholeRoutes,
    program: canSync ? shards.map((s) => programRoute(s, owner)) : null,
  };
}

/** A shard's pass on replica r of L layers: forward 0…L−1, the loss, backward L−1…0. */
function shardPass(L: number, replica: number): PlannedStop[] {
  const forward = Array.from({ length: L }, (_, l): PlannedStop => ({ op: 'forward', layer: l, replica }));
  const backward = Array.from({ length: L }, (_, l): PlannedStop => ({ op: 'backward', layer: L - 1 - l, replica }));
  return [...forward, { op: 'loss', layer: null, replica }, ...backward];
}

/** A replica's route of a synchronised step: the reduction and step are carried by `owner`'s actor (the first layer with parameters). */
function programRoute(s: ShardRoute, owner: number): PlannedStop[] {
  const replica = s.replica;
  return [
    ...s.stops,
    { op: 'sync', layer: owner, replica, barrier: 'reduce' },
    { op: 'reduce', layer: owner, replica },
    { op: 'sync', layer: owner, replica, barrier: 'step' },
    { op: 'step', layer: owner, replica },
  ];
}

/**
 * Shares the chunks among R replicas so each gets about the same number of elements: largest
 * first, each to the least-loaded replica (ties to the lowest index) — deterministic, and only a
 * matter of speed: every chunk's arithmetic is the same wherever it runs. Group g is carried by
 * replica g of the actor of its first chunk's layer; empty groups are dropped.
 */
export function balancedGroups(chunks: ChunkRange[], replicas: number): ChunkGroup[] {
  const groups: number[][] = Array.from({ length: replicas }, () => []);
  const load = new Array<number>(replicas).fill(0);
  const order = chunks.map((c, ci) => ({ c, ci })).sort((a, b) => b.c.hi - b.c.lo - (a.c.hi - a.c.lo) || a.ci - b.ci);
  for (const { c, ci } of order) {
    const r = load.indexOf(Math.min(...load));
    groups[r]!.push(ci);
    load[r]! += c.hi - c.lo;
  }
  return groups
    .map((g) => g.sort((a, b) => a - b))
    .filter((g) => g.length > 0)
    .map((g, gi) => ({ replica: gi, layer: chunks[g[0]!]!.layer, chunks: g }));
}
