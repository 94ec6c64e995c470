import { F, Rng, nn, randn } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { outputActivation, predictionsAs } from './predict.js';
import { Trainer } from './trainer.js';

const x = randn([50, 4], { rng: new Rng(7) });
const trainer = new Trainer();

function mlp(out: number, ...tail: nn.Module[]) {
  const rng = new Rng(3);
  return new nn.Sequential(new nn.Linear(4, 16, { rng }), nn.Tanh(), new nn.Linear(16, out, { rng }), ...tail);
}

/** Row-wise argmax, computed here rather than by the library. */
function argmaxRows(rows: number[][]): number[] {
  return rows.map((r) => r.indexOf(Math.max(...r)));
}

describe('Trainer.predict returns', () => {
  it("'raw' (the default) is the model's outputs", () => {
    const model = mlp(3);
    expect(trainer.predict(model, x, { batchSize: 16, returns: 'raw' }).toArray()).toEqual(trainer.predict(model, x).toArray());
    expect(trainer.predict(model, x).shape).toEqual([50, 3]);
  });

  it("'probabilities' of logits: softmax per row, each row sums to 1", () => {
    const model = mlp(3);
    const raw = trainer.predict(model, x);
    const p = trainer.predict(model, x, { batchSize: 16, returns: 'probabilities' });
    expect(p.shape).toEqual([50, 3]);
    for (const row of p.toArray() as number[][]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(p.toArray()).toEqual(F.softmax(raw, -1).toArray());
    expect(p.toArray()).not.toEqual(raw.toArray());
  });

  it("'classes' is a [N] tensor equal to the argmax of the raw outputs", () => {
    const model = mlp(3);
    const raw = trainer.predict(model, x).toArray() as number[][];
    const c = trainer.predict(model, x, { returns: 'classes' });
    expect(c.shape).toEqual([50]);
    expect(c.toArray()).toEqual(argmaxRows(raw));
    expect(new Set(c.toArray() as number[]).size).toBeGreaterThan(1);
  });

  it('a model ending in Softmax: probabilities are its outputs unchanged', () => {
    const model = mlp(3, nn.Softmax());
    const raw = trainer.predict(model, x);
    expect(trainer.predict(model, x, { returns: 'probabilities' }).toArray()).toEqual(raw.toArray());
    expect(trainer.predict(model, x, { returns: 'classes' }).toArray()).toEqual(argmaxRows(raw.toArray() as number[][]));
  });

  it('a model ending in LogSoftmax: probabilities are exp of its outputs', () => {
    const model = mlp(3, nn.LogSoftmax());
    const p = trainer.predict(model, x, { returns: 'probabilities' });
    for (const row of p.toArray() as number[][]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('C = 1 with a Sigmoid last layer: probabilities are its outputs, classes are p > 0.5', () => {
    const model = mlp(1, nn.Sigmoid());
    const raw = (trainer.predict(model, x).toArray() as number[][]).map((r) => r[0]!);
    expect(trainer.predict(model, x, { returns: 'probabilities' }).toArray()).toEqual(raw.map((v) => [v]));
    const c = trainer.predict(model, x, { returns: 'classes' });
    expect(c.shape).toEqual([50]);
    expect(c.toArray()).toEqual(raw.map((p) => (p > 0.5 ? 1 : 0)));
    expect(new Set(c.toArray() as number[])).toEqual(new Set([0, 1]));
  });

  it('C = 1 logits: probabilities are the sigmoid, classes are logit > 0', () => {
    const model = mlp(1);
    const raw = trainer.predict(model, x);
    const logits = (raw.toArray() as number[][]).map((r) => r[0]!);
    const p = trainer.predict(model, x, { returns: 'probabilities' });
    expect(p.toArray()).toEqual(raw.sigmoid().toArray());
    expect((p.toArray() as number[][]).every(([v]) => v! > 0 && v! < 1)).toBe(true);
    const c = trainer.predict(model, x, { returns: 'classes' });
    expect(c.toArray()).toEqual(logits.map((z) => (z > 0 ? 1 : 0)));
    expect(new Set(c.toArray() as number[])).toEqual(new Set([0, 1]));
  });

  it('refuses an unknown returns, naming the expected values and the actual one', () => {
    expect(() => trainer.predict(mlp(3), x, { returns: 'labels' as 'raw' })).toThrow("predict: options.returns must be 'raw', 'probabilities' or 'classes', got 'labels'; did you mean 'classes'?");
    // predictionsAs checks on its own for callers that reach it directly.
    expect(() => predictionsAs('labels' as 'raw', x, mlp(3))).toThrow('predict: returns must be one of raw, probabilities, classes, got "labels"');
  });
});

describe('outputActivation', () => {
  it('finds the last layer of nested Sequentials, and only output activations', () => {
    expect(outputActivation(new nn.Sequential(mlp(2), new nn.Sequential(nn.Sigmoid())))).toBe('sigmoid');
    expect(outputActivation(mlp(2, nn.Softmax()))).toBe('softmax');
    expect(outputActivation(mlp(2, nn.ReLU()))).toBeNull();
    expect(outputActivation(mlp(2))).toBeNull();
    expect(outputActivation(new nn.Linear(2, 2))).toBeNull();
  });
});
