import { type ArrayTree, type DType, type FloatArray, dtypeOf, isFloatArray, type kernels, viewOf } from '@actorgrad/core';
import * as optim from '@actorgrad/optim';
import { type Region, region } from '../arena.js';
import type { OptimizerConfig } from '../protocol.js';
import { fusedAdam, scaledCopy } from './fused-adam.js';
import { type ChunkSlots, OrderedPool, inSlots, slotState, storeSlot } from './slots.js';

type Alias = (o: Record<string, unknown>) => optim.GradientTransformation;

/** Largest slab of optimiser arrays, in bytes. */
export const SLAB_BYTES = 4 << 20;
/** First slab size, in bytes: slabs double from here, so a tiny model does not pin megabytes. */
const FIRST_SLAB_BYTES = 64 << 10;

/**
 * Recycled arrays first, then new ones carved from slabs of shared memory (cache-line aligned)
 * instead of one SharedArrayBuffer each: a step message and its reply carry every chunk's state,
 * and the structured clone pays per buffer, not per view — 88 buffers in one step message were
 * ≈ 0.2 ms to post and receive. Slabs start at 64 KiB and double up to `maxBytes`; arrays larger
 * than a quarter of that get buffers of their own.
 */
export class SlabPool extends optim.ArrayPool {
  private slab: Region | null = null;
  private used = 0;
  private next: number;

  /** `heap`: slabs are carved from it (the engine's `WasmHeap`) while it has room, instead of new SharedArrayBuffers. */
  constructor(
    private readonly maxBytes = SLAB_BYTES,
    private readonly heap: kernels.WasmHeap | null = null,
  ) {
    super();
    this.next = Math.min(FIRST_SLAB_BYTES, maxBytes);
  }

  override take(dtype: DType, length: number): FloatArray | undefined {
    const recycled = super.take(dtype, length);
    if (recycled) return recycled;
    const bytes = (length * (dtype === 'float64' ? 8 : 4) + 63) & ~63;
    if (bytes > this.maxBytes / 4) return undefined; // the caller allocates a buffer of its own
    if (!this.slab || this.used + bytes > this.slab.bytes) {
      const size = Math.min(this.maxBytes, Math.max(this.next, 4 * bytes));
      this.slab = region(size, this.heap);
      this.used = 0;
      this.next = Math.min(this.maxBytes, 2 * size);
    }
    const out = viewOf(this.slab.buffer, this.slab.base + this.used, length, dtype);
    this.used += bytes;
    return out;
  }
}

/** This thread's optimiser arrays: recycled ones, and slabs for new ones. */
const pool = new SlabPool();

/**
 * A copy of an optimiser state (plain data: arrays, objects, numbers) whose typed arrays are new
 * arrays from `slabs` — for states made elsewhere (initialised, loaded from a checkpoint).
 */
export function intoSlabs<T>(state: T, slabs: optim.ArrayPool): T {
  const copy = (v: unknown): unknown => {
    if (isFloatArray(v)) {
      const out = optim.allocArray(dtypeOf(v), v.length);
      out.set(v);
      return out;
    }
    if (Array.isArray(v)) return v.map(copy);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
    return v;
  };
  return optim.withPool(slabs, () => copy(state)) as T;
}

/** The optimiser aliases a job may name; each is rebuilt per step with that step's learning rate. */
export const OPTIMIZERS: Record<string, Alias> = {
  sgd: optim.sgd as unknown as Alias,
  adam: optim.adam as unknown as Alias,
  adamw: optim.adamw as unknown as Alias,
  adamax: optim.adamax as unknown as Alias,
  nadam: optim.nadam as unknown as Alias,
  radam: optim.radam as unknown as Alias,
  adagrad: optim.adagrad as unknown as Alias,
  adadelta: optim.adadelta as unknown as Alias,
  rmsprop: optim.rmsprop as unknown as Alias,
};

/** The last transformation built, by name, options and learning rate (a step's chunks share them). */
let last: { key: string; lr: number; t: optim.GradientTransformation } | null = null;

/**
 * optim's transformation for `cfg` at learning rate `lr` (validating the configuration with optim's
 * messages). Transformations are pure, so the last one is reused while the configuration (compared
 * as JSON: the options are plain numbers, booleans and arrays) and the learning rate stay the same:
 * building one per optimiser chunk was ~1.5 % of a dataParallel(2) step of the benchmark MLP.
 */
export function transformationOf(cfg: OptimizerConfig, lr: number): optim.GradientTransformation {
  const key = `${cfg.name}:${JSON.stringify(cfg.options)}`;
  if (last && last.key === key && Object.is(last.lr, lr)) return last.t;
  const alias = OPTIMIZERS[cfg.name];
  if (!alias) throw new RangeError(`optimizer: unknown name '${cfg.name}'; known: ${Object.keys(OPTIMIZERS).join(', ')}`);
  const t = alias({ ...cfg.options, lr });
  last = { key, lr, t };
  return t;
}

/**
 * Hands this thread arrays that nobody references any more (old optimiser states of a committed
 * step): later updates reuse their memory instead of touching fresh shared memory (page faults
 * from several threads contend in the kernel).
 */
export function recycle(arrays: Iterable<FloatArray>): void {
  pool.give([...arrays].filter((a) => a.buffer instanceof SharedArrayBuffer));
}

/**
 * One optimiser step of one actor: scale the reduced gradients (clipping), run the pure update and
 * add it to the parameters in place. Returns the next optimiser state, and the arrays of the old
 * state that it no longer references. Those are *not* recycled here: if the engine rolls the step
 * back, the old state is live again; it hands them back (`recycle`) once the step has committed.
 * Adam without weight decay or AMSGrad, on one parameter (an optimiser chunk), takes the fused
 * path (`fusedAdam`: the same bits in one pass); everything else goes through optim. The fused
 * path takes its new arrays from `fusedPool` (by default this thread's recycled arrays and slabs).
 */
export function optimizerStep(
  cfg: OptimizerConfig,
  lr: number,
  gradScale: number,
  keys: string[],
  params: FloatArray[],
  grads: FloatArray[],
  state: unknown,
  fusedPool: optim.ArrayPool = pool,
): { next: unknown; dead: FloatArray[] } {
  const t = transformationOf(cfg, lr); // also validates the configuration, with optim's messages
  if (keys.length === 1) {
    const fused = optim.withPool(fusedPool, () => fusedAdam(cfg, lr, gradScale, keys[0]!, params[0]!, grads[0]!, state));
    if (fused) return fused;
  }
  return applyTransformation(t, gradScale, keys, params, grads, state);
}

/**
 * `optimizerStep` on state kept in slots (see `slots.ts`): reads the state in slot `p`, writes the
 * next one into slot 1 − p — the fused Adam straight into it, anything else through a copy — and
 * leaves slot p as it was (a roll-back only has to keep p).
 */
export function stepInSlots(cfg: OptimizerConfig, lr: number, gradScale: number, key: string, param: FloatArray, grad: FloatArray, s: ChunkSlots, p: 0 | 1): void {
  const q = (1 - p) as 0 | 1;
  // The fused path allocates the next moments from the other slot's arrays, in leaf order.
  const { next } = optimizerStep(cfg, lr, gradScale, [key], [param], [grad], slotState(s, p), new OrderedPool(s.arrays[q], pool));
  storeSlot(s, q, next);
  // Arrays of `next` that are not the slot's own were copied into it: scratch now.
  recycle([...optim.arraysIn(next)].filter((a) => !inSlots(s, a)));
}

/** `optimizerStep` through an optim transformation, for any optimiser (the reference for the fused paths). */
export function applyTransformation(
  t: optim.GradientTransformation,
  gradScale: number,
  keys: string[],
  params: FloatArray[],
  grads: FloatArray[],
  state: unknown,
): { next: unknown; dead: FloatArray[] } {
  const p: ArrayTree = {};
  const g: ArrayTree = {};
  keys.forEach((k, i) => {
    p[k] = params[i]!;
    // Scaled into a copy: the reduced gradients stay as they were (the engine reports them).
    g[k] = gradScale === 1 ? grads[i]! : scaledCopy(grads[i]!, gradScale);
  });
  const [updates, next] = optim.withPool(pool, () => t.update(g, state, p));
  keys.forEach((k, i) => {
    const u = updates[k]!;
    const d = params[i]!;
    for (let j = 0; j < d.length; j++) d[j] = d[j]! + u[j]!;
  });
  // The updates are scratch: dead now, unless the transformation handed out a state array as an update.
  const live = optim.arraysIn([next, state, params, grads]);
  recycle([...optim.arraysIn(updates)].filter((a) => !live.has(a)));
  const stillLive = optim.arraysIn([next, params, grads]);
  return { next, dead: [...optim.arraysIn(state)].filter((a) => !stillLive.has(a)) };
}
