import { zeros } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { StepRollback } from './rollback.js';
import type { Chunk, Layer } from './step-state.js';

/** One layer with one parameter of 6 elements in two chunks of 3; its backups start as NaN. */
function setup() {
  const p = zeros([6], { dtype: 'float32' });
  p.data.set([1, 2, 3, 4, 5, 6]);
  const backup = zeros([6], { dtype: 'float32' });
  backup.data.fill(Number.NaN);
  const layers = [{ params: [p], backups: [backup] } as unknown as Layer];
  const chunks: Chunk[] = [
    { layer: 0, param: 0, lo: 0, hi: 3, state: 'a0' },
    { layer: 0, param: 0, lo: 3, hi: 6, state: 'b0' },
  ];
  return { p, backup, layers, chunks, rollback: new StepRollback(layers, chunks) };
}

describe('StepRollback', () => {
  it('undo puts back the parameters backed up and the optimiser states kept', () => {
    const { p, chunks, rollback } = setup();
    rollback.keepStates();
    rollback.backUp([1]);
    p.data.set([40, 50, 60], 3);
    p.data[0] = -1; // not backed up: not put back
    chunks[1]!.state = 'b1';
    rollback.undo();
    expect(Array.from(p.data)).toEqual([-1, 2, 3, 4, 5, 6]);
    expect(chunks.map((c) => c.state)).toEqual(['a0', 'b0']);
  });

  it('the restore backUp returns puts back only its own chunks (a lost step message re-run)', () => {
    const { p, rollback } = setup();
    const restore0 = rollback.backUp([0]);
    rollback.backUp([1]);
    p.data.set([9, 9, 9, 9, 9, 9]);
    restore0();
    expect(Array.from(p.data)).toEqual([1, 2, 3, 9, 9, 9]);
  });

  it('restoreStepped puts back the chunks a program flagged (half or fully stepped) from the backups the threads wrote', () => {
    const { p, backup, rollback } = setup();
    backup.data.set([1, 2, 3, 4, 5, 6]);
    p.data.set([7, 7, 7, 8, 8, 8]);
    rollback.restoreStepped(new Int32Array([0, 1]));
    expect(Array.from(p.data)).toEqual([7, 7, 7, 4, 5, 6]);
    rollback.restoreStepped(new Int32Array([2, 0]));
    expect(Array.from(p.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('undo without kept states leaves the states alone', () => {
    const { chunks, rollback } = setup();
    chunks[0]!.state = 'a1';
    rollback.undo();
    expect(chunks[0]!.state).toBe('a1');
  });
});
