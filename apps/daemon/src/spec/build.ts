import { mkdir } from 'node:fs/promises';
import { type ModuleSpec, type Tensor, data, defaultRng, manualSeed, nn } from '@actorgrad/core';
import { type Callback, type FitOptions, type Placement, auto, dataParallel, earlyStopping, inline, reduceLROnPlateau } from '@actorgrad/runtime';
import { type XY, loadData } from './load-data.js';
import { type PreprocessingKind, type PreprocessingState, makeScaler, savePreprocessing } from './preprocessing.js';
import type { JobSpec } from './schema.js';

/** The Trainer's options for a job; the daemon adds its own callbacks (checkpoints, progress). */
export type JobFitOptions = Omit<FitOptions, 'callbacks'>;

/** What `buildJob` makes of a valid spec: everything `new Trainer().fit(model, train, …)` needs. */
export interface BuiltJob {
  model: nn.Sequential;
  train: XY;
  validation?: XY;
  /** With `validationData` set to `validation` when there is one. */
  fitOptions: JobFitOptions;
  /** earlyStopping and reduceLROnPlateau as the spec asks. */
  callbacks: Callback[];
  preprocessing: { kind: PreprocessingKind; state: PreprocessingState } | null;
}

/** The model of the spec's layers, initialised from `seed` (the default generator is left as it was). */
export function buildModel(layers: JobSpec['model']['layers'], seed: number): nn.Sequential {
  const saved = defaultRng().getState();
  manualSeed(seed);
  try {
    return nn.moduleFromSpec({ type: 'Sequential', children: layers.map(toModuleSpec) }) as nn.Sequential;
  } finally {
    defaultRng().setState(saved);
  }
}

/** A spec layer is a ModuleSpec: `{type, args}` (Flatten has no args). */
function toModuleSpec(l: JobSpec['model']['layers'][number]): ModuleSpec {
  if (l.type === 'Linear') return { type: 'Linear', args: { bias: true, dtype: 'float32', ...l.args } };
  if (l.type === 'PReLU') return { type: 'PReLU', args: { numParameters: 1, initValue: 0.25, dtype: 'float32', ...l.args } };
  if (l.type === 'Dropout') return { type: 'Dropout', args: { p: 0.5, seed: 0, ...l.args } };
  return l as ModuleSpec;
}

/** Training and validation rows: a seeded split of `validationSplit` of the rows, or all rows for training. */
export function splitRows(all: XY, validationSplit: number, seed: number): { train: XY; validation?: XY } {
  if (validationSplit === 0) return { train: all };
  const s = data.trainTestSplit(all.x, all.y, { testSize: validationSplit, seed });
  return { train: { x: s.xTrain, y: s.yTrain }, validation: { x: s.xTest, y: s.yTest } };
}

const PLACEMENTS: Record<string, () => Placement> = { inline, dataParallel, auto };

function fitOptionsOf(spec: JobSpec, validation: XY | undefined): JobFitOptions {
  const optimizer = typeof spec.optimizer === 'string' ? { name: spec.optimizer, options: {} } : { name: spec.optimizer.name, options: spec.optimizer.options ?? {} };
  const placement = typeof spec.placement === 'string' ? PLACEMENTS[spec.placement]!() : (spec.placement as Placement);
  return {
    loss: spec.loss,
    optimizer,
    epochs: spec.epochs,
    batchSize: spec.batchSize,
    seed: spec.seed,
    placement,
    ...(spec.schedule && { schedule: spec.schedule }),
    ...(spec.metrics && { metrics: spec.metrics as JobFitOptions['metrics'] }),
    ...(spec.clipNorm !== undefined && { clipNorm: spec.clipNorm }),
    ...(validation && { validationData: validation }),
  };
}

function callbacksOf(spec: JobSpec): Callback[] {
  const c = spec.callbacks;
  return [...(c?.earlyStopping ? [earlyStopping(c.earlyStopping)] : []), ...(c?.reduceLROnPlateau ? [reduceLROnPlateau(c.reduceLROnPlateau)] : [])];
}

/** Fits the preprocessing on the training rows only, applies it to both parts and saves it into `runDir`. */
async function preprocess(spec: JobSpec, parts: { train: XY; validation?: XY }, runDir: string): Promise<BuiltJob['preprocessing']> {
  const made = makeScaler(spec.preprocessing);
  if (!made) return null;
  const { kind, scaler } = made;
  const apply = (p: XY): XY => ({ x: scaler.transform(p.x) as Tensor, y: p.y });
  scaler.fit(parts.train.x);
  parts.train = apply(parts.train);
  if (parts.validation) parts.validation = apply(parts.validation);
  const state = scaler.state();
  await mkdir(runDir, { recursive: true });
  await savePreprocessing(runDir, kind, state);
  return { kind, state };
}

/**
 * Turns a valid spec into a model, data and the Trainer's options — deterministically: the same
 * spec gives the same initial weights, the same split and (through `fitOptions.seed`) the same
 * data order. Relative data paths are taken from `baseDir`; a preprocessing is fitted on the
 * training split only and saved as `runDir/preprocessing.safetensors` (see `loadPreprocessing`).
 */
export async function buildJob(spec: JobSpec, opts: { baseDir: string; runDir: string }): Promise<BuiltJob> {
  const all = loadData(spec.data, opts.baseDir, spec.seed);
  const parts = splitRows(all, spec.validationSplit, spec.seed);
  const preprocessing = await preprocess(spec, parts, opts.runDir);
  const model = buildModel(spec.model.layers, spec.seed);
  return { model, ...parts, fitOptions: fitOptionsOf(spec, parts.validation), callbacks: callbacksOf(spec), preprocessing };
}
