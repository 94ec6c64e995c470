import { resolve } from 'node:path';
import { type Tensor, data, zeros } from '@actorgrad/core';
import { loadCsv, loadIdx, loadNpy, mnist } from '@actorgrad/io';
import type { DataSpec } from './schema.js';

export interface XY {
  x: Tensor;
  y: Tensor;
}

/** Rows of `t` flattened: [N, …] → [N, ∏…]. */
const rows2d = (t: Tensor) => (t.ndim === 2 ? t : t.reshape([t.shape[0]!, t.size / Math.max(1, t.shape[0]!)]));

/** The columns `pick` of x [N, F], in that order (a copy). */
function takeColumns(x: Tensor, pick: number[]): Tensor {
  const [n, f] = x.shape as [number, number];
  const out = zeros([n, pick.length], { dtype: x.dtype });
  for (let r = 0; r < n; r++) for (let j = 0; j < pick.length; j++) out.data[r * pick.length + j] = x.data[r * f + pick[j]!]!;
  return out;
}

function fromCsv(d: Extract<DataSpec, { source: 'csv' }>, baseDir: string): XY {
  const c = loadCsv(resolve(baseDir, d.path), { labelColumn: d.label, labels: d.labels, delimiter: d.delimiter, header: d.header, missing: d.missing });
  const x = d.features ? takeColumns(c.x, d.features.map((f) => c.columns.indexOf(f))) : c.x;
  return { x, y: c.y! };
}

/** The examples a spec's data names, as x [N, features] and y (float32); built-in sets seeded by `seed`. */
export function loadData(d: DataSpec, baseDir: string, seed: number): XY {
  switch (d.source) {
    case 'xor':
      return data.xor();
    case 'twoSpirals':
      return data.twoSpirals({ n: d.n, noise: d.noise, turns: d.turns, seed: d.seed });
    case 'linearRegression':
      return data.linearRegressionData({ n: d.n, slope: d.slope, intercept: d.intercept, noise: d.noise, low: d.low, high: d.high, seed: d.seed });
    case 'mnist': {
      const m = mnist({ train: d.n ?? 10_000, test: 0, seed });
      return { x: m.xTrain, y: m.yTrain };
    }
    case 'csv':
      return fromCsv(d, baseDir);
    case 'npy':
      return { x: rows2d(loadNpy(resolve(baseDir, d.x), { dtype: 'float32' })), y: loadNpy(resolve(baseDir, d.y), { dtype: 'float32' }) };
    case 'idx':
      return { x: rows2d(loadIdx(resolve(baseDir, d.x), { dtype: 'float32', scale: d.scale })), y: loadIdx(resolve(baseDir, d.y), { dtype: 'float32' }) };
  }
}
