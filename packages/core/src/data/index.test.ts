import { describe, expect, it } from 'vitest';
import * as data from './index.js';

describe('data barrel', () => {
  it('exports the public API', () => {
    const names = [
      'TensorDataset', 'DataLoader', 'takeRows', 'trainTestSplit', 'MinMaxScaler', 'StandardScaler',
      'ZCAWhitening', 'eigh', 'xor', 'linearRegressionData', 'twoSpirals', 'mnist1d', 'mnist1dTemplates', 'MNIST1D_DEFAULTS',
    ];
    expect(Object.keys(data).sort()).toEqual([...names].sort());
  });

  it('composes: synthetic set → split → scaler fitted on train → loader over the scaled training set', () => {
    const { x, y } = data.twoSpirals({ n: 100, noise: 0.1, seed: 3 });
    const split = data.trainTestSplit(x, y, { testSize: 0.2, stratify: true, seed: 3 });
    expect(Array.from(split.yTest.data).reduce((s, v) => s + v, 0)).toBe(10);
    const scaler = new data.StandardScaler().fit(split.xTrain);
    const loader = new data.DataLoader(new data.TensorDataset(scaler.transform(split.xTrain), split.yTrain), {
      batchSize: 32,
      shuffle: true,
      seed: 1,
    });
    expect(loader.length).toBe(3);
    expect([...loader].map((b) => b.x.shape)).toEqual([[32, 2], [32, 2], [16, 2]]);
    expect(scaler.transform(split.xTest).shape).toEqual([20, 2]);
  });
});
