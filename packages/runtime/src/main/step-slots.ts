import type { kernels } from '@actorgrad/core';
import { type ChunkSlots, makeSlots, slotState } from '../actors/slots.js';
import type { Chunk } from './step-state.js';

/**
 * The optimiser states of every chunk in two slots of shared memory (`actors/slots.ts`), shared by
 * all the step programs built while it is current: a program for another batch shape (the last,
 * smaller batch of an epoch) points at the same slots instead of making new ones.
 */
export interface SlotSet {
  /** Per chunk: its optimiser state's slots, and the state object of the current slot. */
  slots: ChunkSlots[];
  trees: unknown[];
  /** The slot that holds the current states. */
  parity: 0 | 1;
}

/**
 * Where the chunks' optimiser states live for step programs: the current slot set, and whether a
 * program step left newer states in it than the chunks' state objects (`pending`).
 */
export class OptimizerSlots {
  private set: SlotSet | null = null;
  /** The slots that hold newer optimiser states than the chunks' state objects (see `materialise`). */
  private pending: SlotSet | null = null;

  /** `heap`: where the slots live (the engine's, or null for plain shared memory). */
  constructor(
    private readonly chunks: Chunk[],
    private readonly heap: kernels.WasmHeap | null = null,
  ) {}

  /** Brings the chunks' state objects up to date with the programs' slots, if a step program left them behind. */
  materialise(): void {
    const set = this.pending;
    if (!set) return;
    this.pending = null;
    this.chunks.forEach((c, ci) => {
      c.state = slotState(set.slots[ci]!, set.parity);
      set.trees[ci] = c.state;
    });
  }

  /**
   * The slots the step programs run on: the current ones while they hold the optimiser states (a
   * program step left newer states in them, or the chunks' state objects are still theirs), else
   * new ones, which the states move into (the programs over the old ones are then dropped).
   */
  current(): SlotSet {
    const set = this.set;
    if (set && (this.pending === set || set.trees.every((t, i) => t === this.chunks[i]!.state))) return set;
    this.materialise();
    const slots = this.chunks.map((c) => makeSlots(c.state, this.heap));
    const trees = slots.map((sl, ci) => {
      const t = slotState(sl, 0);
      this.chunks[ci]!.state = t;
      return t;
    });
    this.set = { slots, trees, parity: 0 };
    return this.set;
  }

  /** Commits a program step that wrote the next states into slot 1 − `parity` of `set`. */
  commit(set: SlotSet, parity: 0 | 1): void {
    set.parity = (1 - parity) as 0 | 1;
    this.pending = set;
  }

  /** The chunks' state objects were replaced (states loaded): the slots no longer hold newer ones. */
  replaced(): void {
    this.pending = null;
  }
}
