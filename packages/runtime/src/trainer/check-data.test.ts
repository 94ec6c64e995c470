import { Rng, nn, tensor } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { firstNonFinite, toData, toInputs } from './check-data.js';

const net = (out: number, dtype?: 'float64') => new nn.Sequential(new nn.Linear(2, out, { rng: new Rng(1), ...(dtype && { dtype }) }));

describe('firstNonFinite', () => {
  it('finds the first NaN or ±Inf, and nothing in finite data', () => {
    expect(firstNonFinite(new Float32Array([0, -0, 3.4e38, -1e-45]))).toBe(-1);
    expect(firstNonFinite(new Float64Array([1, Number.POSITIVE_INFINITY, Number.NaN]))).toBe(1);
    expect(firstNonFinite(new Float32Array([1, 2, Number.NaN]))).toBe(2);
    expect(firstNonFinite([Number.NEGATIVE_INFINITY])).toBe(0);
  });
});

describe('toData', () => {
  it('converts number[][] to float32, or to the model’s dtype', () => {
    expect(toInputs('fit', 'x', [[1, 2]], net(1)).dtype).toBe('float32');
    expect(toInputs('fit', 'x', [[1, 2]], net(1, 'float64')).dtype).toBe('float64');
  });

  it('reshapes a regression target [N] to [N, 1] and crossEntropy labels [N, 1] to [N]; keeps one-hot [N, C]', () => {
    const x = [[1, 2], [3, 4]];
    expect(toData('fit', 'd', { x, y: [0.5, 1.5] }, net(1), 'mse').y.shape).toEqual([2, 1]);
    expect(toData('fit', 'd', { x, y: [[1], [0]] }, net(3), 'crossEntropy').y.shape).toEqual([2]);
    expect(toData('fit', 'd', { x, y: [[0, 1, 0], [1, 0, 0]] }, net(3), 'crossEntropy').y.shape).toEqual([2, 3]);
  });

  it('passes tensors through untouched when they are right', () => {
    const x = tensor([[1, 2]]);
    const y = tensor([[0.5]]);
    const d = toData('fit', 'd', { x, y }, net(1), 'mse');
    expect(d.x).toBe(x);
    expect(d.y).toBe(y);
  });
});
