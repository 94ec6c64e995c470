import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, data, nn } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { type FitOptions, Trainer, csvLogger, inline, jsonlLogger } from '../src/index.js';

function spirals() {
  const s = data.twoSpirals({ n: 120, noise: 0.05, seed: 1 });
  return { x: s.x, y: s.y.reshape([-1]) };
}
const net = () => {
  const rng = new Rng(1);
  return new nn.Sequential(new nn.Linear(2, 8, { rng }), nn.Tanh(), new nn.Linear(8, 2, { rng }));
};
const opts: FitOptions = { loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 0.02 } }, epochs: 3, batchSize: 40, placement: inline(), metrics: ['accuracy'], validationSplit: 0.25 };

describe('logging callbacks', () => {
  it('csvLogger writes a header and one row per epoch matching the history', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ag-log-')), 'log.csv');
    const h = await new Trainer().fit(net(), spirals(), { ...opts, callbacks: [csvLogger(path)] });
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('epoch,loss,accuracy,val_loss,val_accuracy,lr');
    expect(lines).toHaveLength(4);
    const row2 = lines[3]!.split(',').map(Number);
    expect(row2[0]).toBe(2);
    expect(row2[1]).toBe(h.metrics.loss![2]);
    expect(row2[2]).toBe(h.metrics.accuracy![2]);
    expect(row2[3]).toBe(h.metrics.val_loss![2]);
  });

  it('jsonlLogger writes one JSON object per epoch and per n batches', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ag-log-')), 'log.jsonl');
    await new Trainer().fit(net(), spirals(), { ...opts, callbacks: [jsonlLogger(path, { batchEvery: 2 })] });
    const recs = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number; epoch?: number });
    // 90 training rows / 40 → 3 batches an epoch (the last has 10), 9 steps; steps 0, 2, 4, 6, 8 logged.
    expect(recs.filter((r) => r.type === 'batch').map((r) => r.step)).toEqual([0, 2, 4, 6, 8]);
    expect(recs.filter((r) => r.type === 'epoch').map((r) => r.epoch)).toEqual([0, 1, 2]);
  });
});
