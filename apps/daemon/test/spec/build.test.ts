import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, data, tensor } from '@actorgrad/core';
import { loadCsv, mnist } from '@actorgrad/io';
import { Trainer } from '@actorgrad/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { type JobSpec, buildJob, loadPreprocessing, parseJobSpec, readSpecFile } from '../../src/spec/index.js';
import { FIXTURES } from './setup-tmp.js';

const dirs: string[] = [];
const runDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'actorgrad-run-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const files = { allowedDirs: [FIXTURES], baseDir: FIXTURES };
function valid(input: unknown): JobSpec {
  const r = parseJobSpec(input, files);
  if (!r.ok) throw new Error(`expected a valid spec, got:\n${r.problems.map((p) => p.message).join('\n')}`);
  return r.spec;
}
const fromFile = async (name: string) => valid(await readSpecFile(join(FIXTURES, name)));
const linear = (inFeatures: number, outFeatures: number) => ({ type: 'Linear', args: { inFeatures, outFeatures } });
const relu = { type: 'Activation', args: { kind: 'relu' } };
const inline = (d: Record<string, unknown>, features: number, outputs: number, loss: string) => ({
  name: `${d.source}`,
  model: { layers: [linear(features, 8), relu, linear(8, outputs)] },
  data: d,
  loss,
  optimizer: { name: 'adam', options: { lr: 0.01 } },
  epochs: 1,
  batchSize: 16,
  validationSplit: 0.25,
  seed: 11,
});

const SOURCES: [string, () => Promise<JobSpec>, { rows: number; features: number; val: number }][] = [
  ['xor (xor.json)', () => fromFile('xor.json'), { rows: 4, features: 2, val: 0 }],
  ['mnist (mnist-small.yaml)', () => fromFile('mnist-small.yaml'), { rows: 480, features: 784, val: 120 }],
  ['csv (csv.yaml)', () => fromFile('csv.yaml'), { rows: 36, features: 2, val: 12 }],
  ['twoSpirals', async () => valid(inline({ source: 'twoSpirals', n: 64, noise: 0.05 }, 2, 1, 'bceWithLogits')), { rows: 48, features: 2, val: 16 }],
  ['linearRegression', async () => valid(inline({ source: 'linearRegression', n: 40 }, 1, 1, 'mse')), { rows: 30, features: 1, val: 10 }],
  ['npy', async () => valid(inline({ source: 'npy', x: 'x.npy', y: 'y.npy' }, 3, 2, 'crossEntropy')), { rows: 36, features: 3, val: 12 }],
  ['idx', async () => valid(inline({ source: 'idx', x: 'images-idx3-ubyte.gz', y: 'labels-idx1-ubyte', scale: 1 / 255 }, 4, 2, 'crossEntropy')), { rows: 36, features: 4, val: 12 }],
];

const snapshot = (m: { stateDict(): Record<string, Tensor> }) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.data)]));

describe('buildJob: every data source builds and trains one epoch inline', () => {
  for (const [name, make, want] of SOURCES) {
    it(name, async () => {
      const spec = await make();
      const job = await buildJob(spec, { baseDir: FIXTURES, runDir: runDir() });
      expect(job.train.x.shape).toEqual([want.rows, want.features]);
      expect(job.validation?.x.shape[0] ?? 0).toBe(want.val);
      expect(job.fitOptions.placement).toEqual({ kind: 'inline' });
      const before = snapshot(job.model);
      const history = await new Trainer().fit(job.model, job.train, { ...job.fitOptions, epochs: 1, callbacks: job.callbacks });
      expect(history.epochs).toEqual([0]);
      expect(Number.isFinite(history.metrics.loss![0])).toBe(true);
      if (want.val > 0) expect(Number.isFinite(history.metrics.val_loss![0])).toBe(true);
      expect(snapshot(job.model)).not.toEqual(before);
    });
  }

  it('passes the spec’s optimiser, schedule, metrics, seed and callbacks on', async () => {
    const job = await buildJob(await fromFile('mnist-small.yaml'), { baseDir: FIXTURES, runDir: runDir() });
    expect(job.fitOptions).toMatchObject({
      loss: 'crossEntropy',
      optimizer: { name: 'sgd', options: { lr: 0.05, momentum: 0.9 } },
      schedule: { name: 'stepLR', args: [0.05, { stepSize: 20, gamma: 0.5 }] },
      metrics: ['accuracy'],
      seed: 3,
      batchSize: 64,
    });
    expect(job.fitOptions.validationData?.x.shape).toEqual([120, 784]);
    expect(job.callbacks.map((c) => c.name)).toEqual(['earlyStopping', 'reduceLROnPlateau']);
  });
});

describe('buildJob is deterministic', () => {
  it('same spec → same initial weights, same split, same data; another seed → others', async () => {
    const spec = await fromFile('mnist-small.yaml');
    const [a, b] = [await buildJob(spec, { baseDir: FIXTURES, runDir: runDir() }), await buildJob(spec, { baseDir: FIXTURES, runDir: runDir() })];
    expect(snapshot(a.model)).toEqual(snapshot(b.model));
    expect(Array.from(a.train.x.data)).toEqual(Array.from(b.train.x.data));
    expect(Array.from(a.train.y.data)).toEqual(Array.from(b.train.y.data));
    expect(Array.from(a.validation!.y.data)).toEqual(Array.from(b.validation!.y.data));
    const c = await buildJob({ ...spec, seed: 4 }, { baseDir: FIXTURES, runDir: runDir() });
    expect(snapshot(c.model)).not.toEqual(snapshot(a.model));
    expect(Array.from(c.train.y.data)).not.toEqual(Array.from(a.train.y.data));
  });

  it('leaves the default generator where it was', async () => {
    const { defaultRng } = await import('@actorgrad/core');
    const before = defaultRng().getState();
    await buildJob(await fromFile('xor.json'), { baseDir: FIXTURES, runDir: runDir() });
    expect(defaultRng().getState()).toEqual(before);
  });
});

describe('preprocessing is fitted on the training split only and saved with the run', () => {
  /** The raw rows of csv.yaml (its columns sepal and petal) and their split by its seed. */
  const csvRows = () => {
    const raw = loadCsv(join(FIXTURES, 'flowers.csv'), { labelColumn: 'species', labels: 'category' });
    const w = raw.columns.length;
    const x = tensor(Array.from({ length: 48 }, (_, r) => [raw.x.data[r * w]!, raw.x.data[r * w + 1]!]));
    return { x, split: data.trainTestSplit(x, raw.y!, { testSize: 0.25, seed: 5 }) };
  };

  it('zscore (csv.yaml): the statistics of the training rows, not of all rows; reloaded identically', async () => {
    const dir = runDir();
    const job = await buildJob(await fromFile('csv.yaml'), { baseDir: FIXTURES, runDir: dir });
    const { x, split } = csvRows();
    const onTrain = new data.StandardScaler({ eps: 1e-6 }).fit(split.xTrain).state();
    expect(job.preprocessing).toEqual({ kind: 'zscore', state: onTrain });
    expect(onTrain.mean).not.toEqual(new data.StandardScaler({ eps: 1e-6 }).fit(x).state().mean);
    const back = await loadPreprocessing(dir);
    expect(back?.kind).toBe('zscore');
    expect(back?.state).toEqual(onTrain);
    expect(Array.from(back!.transform(split.xTest).data)).toEqual(Array.from(job.validation!.x.data));
  });

  it('minmax: fitted on the training rows (which then span exactly the feature range); reloaded identically', async () => {
    const dir = runDir();
    const spec = valid({ ...(await readSpecFile(join(FIXTURES, 'csv.yaml')) as object), preprocessing: { kind: 'minmax', featureRange: [-1, 1] } });
    const job = await buildJob(spec, { baseDir: FIXTURES, runDir: dir });
    const { split } = csvRows();
    expect(job.preprocessing).toEqual({ kind: 'minmax', state: new data.MinMaxScaler({ featureRange: [-1, 1] }).fit(split.xTrain).state() });
    const col = (j: number) => Array.from({ length: 36 }, (_, r) => job.train.x.data[r * 2 + j]!);
    expect([Math.min(...col(0)), Math.max(...col(0)), Math.min(...col(1)), Math.max(...col(1))]).toEqual([-1, 1, -1, 1]);
    const back = await loadPreprocessing(dir);
    expect(Array.from(back!.transform(split.xTest).data)).toEqual(Array.from(job.validation!.x.data));
  });

  it('zscore (mnist-small.yaml): training rows have mean 0; the reloaded scaler maps raw validation rows to the job’s', async () => {
    const dir = runDir();
    const job = await buildJob(await fromFile('mnist-small.yaml'), { baseDir: FIXTURES, runDir: dir });
    const state = job.preprocessing!.state as data.StandardScalerState;
    const col = 300;
    let mean = 0;
    for (let r = 0; r < 480; r++) mean += job.train.x.data[r * 784 + col]!;
    expect(Math.abs(mean / 480)).toBeLessThan(1e-5);
    const m = mnist({ train: 600, test: 0, seed: 3 });
    const split = data.trainTestSplit(m.xTrain, m.yTrain, { testSize: 0.2, seed: 3 });
    expect(state).toEqual(new data.StandardScaler().fit(split.xTrain).state());
    expect(state).not.toEqual(new data.StandardScaler().fit(m.xTrain).state());
    const back = await loadPreprocessing(dir);
    expect(back?.state).toEqual(state);
    expect(Array.from(back!.transform(split.xTest).data)).toEqual(Array.from(job.validation!.x.data));
  });

  it('zca on NPY data: saved and reloaded bit for bit; no preprocessing → no file, null', async () => {
    const dir = runDir();
    const spec = valid({ ...inline({ source: 'npy', x: 'x.npy', y: 'y.npy' }, 3, 2, 'crossEntropy'), preprocessing: { kind: 'zca', eps: 1e-3 } });
    const job = await buildJob(spec, { baseDir: FIXTURES, runDir: dir });
    const back = await loadPreprocessing(dir);
    expect(back?.state).toEqual(job.preprocessing?.state);
    const none = runDir();
    await buildJob(await fromFile('xor.json'), { baseDir: FIXTURES, runDir: none });
    expect(await loadPreprocessing(none)).toBeNull();
  });
});
