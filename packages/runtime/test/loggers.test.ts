import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './temp-dirs.js';
import { Trainer, csvLogger, jsonlLogger } from '../src/index.js';
import { spirals, spiralsFitOptions, spiralsNet } from './helpers.js';

afterAll(removeTempDirs);

const net = spiralsNet;
const opts = spiralsFitOptions();

describe('logging callbacks', () => {
  it('csvLogger writes a header and one row per epoch matching the history', async () => {
    const path = join(tempDir('ag-log-'), 'log.csv');
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
    const path = join(tempDir('ag-log-'), 'log.jsonl');
    await new Trainer().fit(net(), spirals(), { ...opts, callbacks: [jsonlLogger(path, { batchEvery: 2 })] });
    const recs = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number; epoch?: number });
    // 90 training rows / 40 → 3 batches an epoch (the last has 10), 9 steps; steps 0, 2, 4, 6, 8 logged.
    expect(recs.filter((r) => r.type === 'batch').map((r) => r.step)).toEqual([0, 2, 4, 6, 8]);
    expect(recs.filter((r) => r.type === 'epoch').map((r) => r.epoch)).toEqual([0, 1, 2]);
  });
});
