import { tensor } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { createEngine, dataParallel, inline, pipeline, resolvePlacement } from '../src/index.js';
import { batch, mlp } from './helpers.js';

const opts = { loss: 'crossEntropy' as const, optimizer: { name: 'sgd', options: { lr: 0.1 } } };

describe('bad input', () => {
  it('a batch whose feature size does not match the first layer', async () => {
    const engine = await createEngine({ ...opts, model: mlp(1), placement: inline() });
    try {
      await expect(engine.step(batch(1, 8, 19, 5))).rejects.toThrow('engine.step: batch x has 19 features per row but the first layer (0:Linear) expects 20');
    } finally {
      await engine.close();
    }
  });

  it('labels out of range, or not integers', async () => {
    const engine = await createEngine({ ...opts, model: mlp(1), placement: inline() });
    try {
      const b = batch(1, 4, 20, 5);
      await expect(engine.step({ x: b.x, y: tensor([0, 1, 7, 2]) })).rejects.toThrow('engine.step: label 7 at row 2 is out of range [0, 5)');
      await expect(engine.step({ x: b.x, y: tensor([0, 1, -1, 2]) })).rejects.toThrow('engine.step: label -1 at row 2 is out of range [0, 5)');
      await expect(engine.step({ x: b.x, y: tensor([0, 1.5, 1, 2]) })).rejects.toThrow('engine.step: label 1.5 at row 1 is out of range [0, 5)');
      await expect(engine.step({ x: b.x, y: tensor([0, 1, 2]) })).rejects.toThrow('engine.step: batch y has 3 rows but x has 4');
    } finally {
      await engine.close();
    }
  });

  it('a placement asking for more replicas than shards', () => {
    expect(() => resolvePlacement(dataParallel({ replicas: 4, shards: 2 }), 1e6)).toThrow('dataParallel: 4 replicas need at least 4 shards, got shards = 2');
    expect(() => resolvePlacement(pipeline({ microBatches: 0 }), 1e6)).toThrow('pipeline: microBatches must be a positive integer, got 0');
    expect(() => resolvePlacement({ kind: 'mesh' } as never, 1e6)).toThrow(/placement: unknown kind "mesh"/);
  });

  it('a batch smaller than the shard count', async () => {
    const engine = await createEngine({ ...opts, model: mlp(1), placement: inline({ shards: 4 }) });
    try {
      await expect(engine.step(batch(1, 3, 20, 5))).rejects.toThrow('engine.step: a batch of 3 rows cannot be split into 4 shards');
    } finally {
      await engine.close();
    }
  });

  it('an unknown optimiser and a bad clip norm', async () => {
    await expect(createEngine({ ...opts, optimizer: { name: 'sgdd', options: {} }, model: mlp(1), placement: inline() })).rejects.toThrow(/^Engine: options\.optimizer\.name must be one of 'sgd', .*, got 'sgdd'; did you mean 'sgd'\?$/);
    await expect(createEngine({ ...opts, clipNorm: -1, model: mlp(1), placement: inline() })).rejects.toThrow('Engine: options.clipNorm must be a positive number or null, got -1');
  });

  it('auto placement picks inline for a tiny model and says so', async () => {
    const engine = await createEngine({ ...opts, model: mlp(1, [2, 4, 1], 0), loss: 'mse' });
    const events: unknown[] = [];
    engine.events$.subscribe((e) => events.push(e));
    await new Promise((r) => setTimeout(r, 0));
    expect(engine.placement.kind).toBe('inline');
    expect(events[0]).toMatchObject({ type: 'placement', placement: 'inline', reason: expect.stringMatching(/model is small \(12 multiply-adds per sample/) });
    await engine.close();
  });
});
