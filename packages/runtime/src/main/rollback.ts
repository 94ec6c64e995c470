import type { FloatArray } from '@actorgrad/core';
import type { Chunk, Layer } from './step-state.js';

/**
 * Everything a step may have to undo, in one place: the parameters it stepped and the optimiser
 * states it replaced. A failed or lost step leaves the model as it was after the step before.
 *
 * - Message by message, the main thread backs each chunk's parameters up before its step message
 *   goes out (`backUp`) and keeps the chunks' states (`keepStates`); a re-run of a lost step message
 *   first puts its chunks back, a failed step puts back all of them (`undo`).
 * - A step program backs its chunks up on the threads (into the layers' `backups`) and marks them in
 *   `sync.stepped`; `restoreStepped` puts back those marked. Its states are in the slot it did not
 *   write, untouched.
 */
export class StepRollback {
  /** Parameters backed up by the main thread before a (message-by-message) step message went out. */
  private readonly stepped: { p: FloatArray; backup: FloatArray }[] = [];
  /** The optimiser states before a message-by-message step (that path replaces them; a step program does not). */
  private states: unknown[] | null = null;

  constructor(
    private readonly layers: Layer[],
    private readonly chunks: Chunk[],
  ) {}

  /** Keeps the chunks' optimiser states as they are now (before a message-by-message step). */
  keepStates(): void {
    this.states = this.chunks.map((c) => c.state);
  }

  /** Backs up the parameters of `chunks` (indices) before their step message; returns what puts them back. */
  backUp(chunks: number[]): () => void {
    const mem = chunks.map((ci) => {
      const c = this.chunks[ci]!;
      const layer = this.layers[c.layer]!;
      const p = layer.params[c.param]!.data.subarray(c.lo, c.hi);
      const backup = layer.backups[c.param]!.data.subarray(c.lo, c.hi);
      backup.set(p);
      return { p, backup };
    });
    this.stepped.push(...mem);
    return () => {
      for (const { p, backup } of mem) p.set(backup);
    };
  }

  /** Puts back every chunk a step program backed up (it may be half stepped): those `stepped` marks non-zero. */
  restoreStepped(stepped: Int32Array): void {
    this.chunks.forEach((c, ci) => {
      if (Atomics.load(stepped, ci) === 0) return;
      const layer = this.layers[c.layer]!;
      layer.params[c.param]!.data.set(layer.backups[c.param]!.data.subarray(c.lo, c.hi), c.lo);
    });
  }

  /** Undoes a failed step: the parameters backed up by the main thread and the optimiser states kept. */
  undo(): void {
    for (const { p, backup } of this.stepped) p.set(backup);
    const before = this.states;
    if (before) {
      this.chunks.forEach((c, i) => {
        c.state = before[i];
      });
    }
  }
}
