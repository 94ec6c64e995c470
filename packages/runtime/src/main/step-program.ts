import { type Tensor, kernels, zeros } from '@actorgrad/core';
import { type BackwardMsg, type OptimizerConfig, type ReduceMsg, type SharedGemm, type StepMsg, type StepProgram, type StepSync, SYNC } from '../protocol.js';
import type { PlannedStop } from './plan.js';
import type { RouteStop } from './route.js';
import type { SlotSet } from './step-slots.js';
import type { Chunk, Layer, ShardBuffers } from './step-state.js';
import { type StopMaker, chunkItem, view, withLosses } from './stops.js';

/**
 * Column blocks of a shared weight gradient (each ≈ 1/4 of the first layer's backward). Each block
 * stages and packs its operands anew: for the benchmark MLP, 4 blocks took dataParallel(2) steps
 * 4–6 % faster than 8, and 2 were no faster than 4 (less to share when one replica is behind).
 */
const SHARED_BLOCKS = 4;

/** A step program as the engine keeps it (see `ProgramMsg`). */
export interface Program {
  id: string;
  /** Batch shape, dtypes, training mode and step-arena generation it was built for. */
  key: string;
  sync: StepSync;
  /** Per replica: its route (actors to reserve, messages to announce and name in errors). */
  stops: RouteStop[][];
  /** The step buffers its routes use (outputs for `returnPredictions`). */
  bufs: ShardBuffers[];
  /** Per shard: the program's own inputs and targets (resident loops), or null (re-pointed per step). */
  own: { x: Tensor; target: Tensor }[] | null;
  body: StepProgram;
  /** The optimiser states' slots its step messages point at. */
  slots: SlotSet;
  /** Whether a step has sent it yet. */
  sent: boolean;
}

/** What a step program is built from: the step's plan (in `stops`), its buffers, and the shared memory it runs over. */
export interface ProgramParts {
  id: string;
  key: string;
  sync: StepSync;
  set: SlotSet;
  bufs: ShardBuffers[];
  stops: StopMaker;
  layers: Layer[];
  chunks: Chunk[];
  optimizer: OptimizerConfig;
  clipNorm: number | null;
  lr: number;
  /** On a pool, resident loops run the program: its inputs are buffers of its own, into which each step copies the batch's rows. */
  ownInputs: boolean;
}

/**
 * Builds the step program of a plan's synchronised routes (`StepPlan.program`) over the optimiser
 * states' slots `set`; the shards' inputs and targets get handles of the program's own (each step
 * re-points them; the shared `handle` memo must not be changed under anyone else).
 */
export function buildProgram(p: ProgramParts): Program {
  const { bufs, stops } = p;
  const ownInputs = p.ownInputs ? bufs.map((b) => ({ x: zeros(b.acts[0]!.shape, { dtype: b.acts[0]!.dtype }), target: zeros(b.target.shape, { dtype: b.target.dtype }) })) : null;
  const inputs = bufs.map((b, i) => ({ x: (ownInputs?.[i]?.x ?? b.acts[0]!).handle(), target: (ownInputs?.[i]?.target ?? b.target).handle() }));
  stops.own = new Map(bufs.flatMap((b, i) => [[b.acts[0]!, inputs[i]!.x], [b.target, inputs[i]!.target]]));
  try {
    const routes = programRoutes(p);
    return { id: p.id, key: p.key, sync: p.sync, stops: routes, bufs, own: ownInputs, body: { routes: routes.map((r) => r.map((s) => s.msg)), inputs }, slots: p.set, sent: false };
  } finally {
    stops.own = null;
  }
}

/** Each replica's route: the plan's stops bound to the buffers, the barriers, the claims of the reduction and of the step. */
function programRoutes(p: ProgramParts): RouteStop[][] {
  const { bufs, stops, sync, layers, chunks } = p;
  const planned = stops.c.plan.program!;
  const owner = layers[planned[0]!.find((s) => s.op === 'reduce')!.layer!]!;
  const chunkViews = (t: (c: Chunk) => Tensor) => chunks.map((c) => view(t(c), c));
  const reduceMsg: ReduceMsg = {
    op: 'reduce', actor: owner.replicas[0]!.name, sync,
    shardGrads: bufs.map((b) => chunkViews((c) => b.pGrads[c.layer]![c.param]!)),
    grads: chunkViews((c) => layers[c.layer]!.grads[c.param]!),
  };
  const stepMsg: StepMsg = {
    op: 'step', actor: owner.replicas[0]!.name, optimizer: p.optimizer, lr: p.lr, gradScale: 1, parity: 0,
    items: chunks.map((c, ci) => ({ ...chunkItem(layers, c), state: null, slots: p.set.slots[ci]! })),
    sync: { ...sync, clipNorm: p.clipNorm },
  };
  const works = sharedWorks(p);
  const bind = (s: PlannedStop, b: ShardBuffers, r: number): RouteStop => {
    const at = layers[s.layer ?? 0]!.replicas[s.replica]!;
    switch (s.op) {
      case 'loss':
        return withLosses(stops.bind(s, b), sync.losses);
      case 'backward': {
        const stop = stops.bind(s, b);
        if (works.length === 0 || s.layer !== 0) return stop;
        return { actor: stop.actor, msg: { ...(stop.msg as BackwardMsg), shared: { sync, work: works[b.shard.index]! } } };
      }
      case 'sync':
        return s.barrier === 'reduce'
          ? { actor: at, msg: { op: 'sync', actor: at.name, sync, slot: SYNC.arrivedReduce, help: works } }
          : { actor: at, msg: { op: 'sync', actor: at.name, sync, slot: SYNC.arrivedStep } };
      case 'reduce':
        return { actor: at, msg: { ...reduceMsg, home: r } };
      case 'step':
        return { actor: at, msg: { ...stepMsg, home: r } };
      default:
        return stops.bind(s, b);
    }
  };
  return bufs.map((b, r) => planned[r]!.map((s) => bind(s, b, r)));
}

/**
 * The first layer's weight gradient (the last and, for wide inputs, the biggest message of a
 * shard's pass) goes through a shared queue of blocks: a replica that is done with its own pass
 * helps the others with theirs instead of waiting at the barrier. None with one replica, nor for
 * a product that `gemm` computes unpacked.
 */
function sharedWorks(p: ProgramParts): SharedGemm[] {
  const first = p.layers[0]!;
  if (p.bufs.length < 2 || first.desc.spec.type !== 'Linear') return [];
  // Blocks give the bits of the whole product only where `gemm` packs it (not for one output, say).
  const [outF, inF] = first.params[0]!.shape as [number, number];
  if (!p.bufs.every((b) => kernels.gemmPacks(outF, inF, b.acts[0]!.shape[0]!))) return [];
  const h = (t: Tensor) => p.stops.h(t);
  return p.bufs.map((b) => ({ shard: b.shard.index, x: h(b.acts[0]!), g: h(b.gActs[1]!), gw: h(b.pGrads[0]![0]!), blocks: SHARED_BLOCKS }));
}

