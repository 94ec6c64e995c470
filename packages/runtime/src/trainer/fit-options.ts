import { ALIAS_OPTION_KEYS, type OptionAliasName } from '@actorgrad/optim';
import * as optim from '@actorgrad/optim';
import { kernels } from '@actorgrad/core';
import { z } from 'zod';
import { type Placement, auto, dataParallel, inline, resolvePlacement } from '../main/placement.js';
import type { LossKind, OptimizerConfig } from '../protocol.js';
import type { Data } from './callback.js';
import type { MetricName } from './metrics.js';
import { type IssueContext, parseOrThrow, pathOf } from './option-errors.js';
import { SCHEDULE_ARGS } from './schedule-args.js';
import { SCHEDULE_NAMES, type ScheduleSpec, buildSchedule } from './schedule-spec.js';
import type { PredictOptions } from './predict.js';
import type { FitOptions } from './trainer.js';

/**
 * The option objects of `Trainer.fit`, `evaluate` and `predict`, checked up front with zod strict
 * schemas: unknown keys are errors that name the nearest valid key, wrong types name the path, the
 * expected and the found value. What users naturally write is accepted and normalised:
 * `optimizer: 'adam'` is `{name: 'adam', options: {}}`. Ranges of the optimiser's and schedule's
 * arguments are checked by building them (optim's own checks), so the two cannot disagree.
 */

export const LOSSES = ['crossEntropy', 'mse', 'mae', 'huber', 'bce', 'bceWithLogits'] as const satisfies readonly LossKind[];
// A loss kind added to protocol.ts but not here fails to compile.
const _allLosses: Record<LossKind, true> = { crossEntropy: true, mse: true, mae: true, huber: true, bce: true, bceWithLogits: true };
void _allLosses;

export const OPTIMIZER_NAMES = Object.keys(ALIAS_OPTION_KEYS) as OptionAliasName[];

/** An optimiser as users may give it: a name, or `{name, options}`. */
export type OptimizerInput = OptionAliasName | { name: OptionAliasName; options?: Record<string, unknown> };

/** Data as users may give it: tensors or plain arrays (`number[][]` inputs, `number[]` labels or targets). */
export interface DataInput {
  x: Data['x'] | number[][];
  y: Data['y'] | number[] | number[][];
}

/** What `fit` accepts; `parseFitOptions` turns it into `FitOptions`. */
export type FitOptionsInput = Omit<FitOptions, 'optimizer' | 'validationData' | 'placement'> & {
  optimizer: OptimizerInput | OptimizerConfig;
  placement?: Placement | 'inline' | 'dataParallel' | 'auto';
  validationData?: DataInput;
  /** What a non-finite loss does: stop the run (default) or throw. */
  onNonFinite?: 'stop' | 'throw';
  /** Stop cleanly on these process signals (true: SIGINT and SIGTERM). */
  stopOnSignals?: boolean | string[];
  /** Console output: 0 silent, 1 progress bar, 2 one line per epoch, 'auto'. */
  verbose?: 0 | 1 | 2 | 'auto';
};

export interface EvaluateOptions {
  loss: LossKind;
  metrics?: MetricName[];
  batchSize?: number;
}


const POSITIVE_INT = 'a positive integer';
const positiveInt = () => z.number({ error: POSITIVE_INT }).int({ error: POSITIVE_INT }).min(1, { error: POSITIVE_INT });
const custom = (expected: string, ok: (v: unknown) => boolean) => z.custom<unknown>(ok, { error: expected });
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const METRIC = /^(?:accuracy|mae|mse|topK:[1-9]\d*)$/;
const METRIC_EXPECTED = "one of 'accuracy', 'mae', 'mse', 'topK:<k>'";
const lossSchema = z.enum(LOSSES, { error: `one of ${LOSSES.map((l) => `'${l}'`).join(', ')}` });
const metricsSchema = z.array(z.string({ error: METRIC_EXPECTED }).regex(METRIC, { error: METRIC_EXPECTED }), { error: `an array of metric names (${METRIC_EXPECTED})` });

const isCallback = (v: unknown) => isObject(v) && typeof v.name === 'string';
const isTrainingState = (v: unknown) =>
  isObject(v) && Number.isInteger(v.epoch) && Number.isInteger(v.step) && Array.isArray(v.optimizerStates) && isObject(v.history) && isObject(v.callbacks);
const SIGNAL = /^SIG[A-Z0-9]+$/;

const PLACEMENT_EXPECTED = "a placement (inline(), dataParallel(…), pipeline(…), hybrid(…), auto(), or 'inline', 'dataParallel', 'auto')";

const FIT = z.strictObject({
  loss: lossSchema,
  optimizer: custom("an optimizer name like 'adam' or {name, options}", (v) => v !== undefined),
  schedule: custom('{name, args}', isObject).optional(),
  epochs: positiveInt(),
  batchSize: positiveInt(),
  validationData: custom('{x, y} with x a Tensor or number[][] and y a Tensor, number[] or number[][]', isObject).optional(),
  validationSplit: z.number({ error: 'a number in (0, 1)' }).gt(0, { error: 'a number in (0, 1)' }).lt(1, { error: 'a number in (0, 1)' }).optional(),
  metrics: metricsSchema.optional(),
  callbacks: z.array(custom('a Callback (an object with a string name)', isCallback), { error: 'an array of callbacks' }).optional(),
  placement: custom(PLACEMENT_EXPECTED, (v) => isObject(v) || typeof v === 'string').optional(),
  seed: z.number({ error: 'an integer' }).int({ error: 'an integer' }).optional(),
  shuffle: z.boolean({ error: 'true or false' }).optional(),
  clipNorm: z.number({ error: 'a positive number or null' }).positive({ error: 'a positive number or null' }).nullable().optional(),
  signal: custom('an AbortSignal', (v) => v instanceof AbortSignal).optional(),
  resume: custom('a TrainingState (the state of a checkpoint)', isTrainingState).optional(),
  checkpointWriter: custom('a function (path, ctx) => Promise<void>', (v) => typeof v === 'function').optional(),
  onNonFinite: z.enum(['stop', 'throw'], { error: "'stop' or 'throw'" }).optional(),
  stopOnSignals: custom("true, false or an array of signal names like 'SIGINT'", (v) => typeof v === 'boolean' || (Array.isArray(v) && v.every((s) => typeof s === 'string' && SIGNAL.test(s)))).optional(),
  verbose: custom("0, 1, 2 or 'auto'", (v) => v === 0 || v === 1 || v === 2 || v === 'auto').optional(),
});

export const FIT_OPTION_KEYS = Object.keys(FIT.shape);

const OPTIMIZER = z.strictObject({
  name: z.enum(OPTIMIZER_NAMES as [OptionAliasName, ...OptionAliasName[]], { error: `one of ${OPTIMIZER_NAMES.map((n) => `'${n}'`).join(', ')}` }),
  options: z.record(z.string(), z.unknown(), { error: 'an object of the optimizer’s options' }).optional(),
});

const NUMBER = () => z.number({ error: 'a finite number' });
const BOOLEAN = () => z.boolean({ error: 'true or false' });
/** The type of every option any alias reads (ranges: optim's checks, when the alias is built). */
const OPTION_FIELDS: Record<string, z.ZodType> = {
  lr: z.number({ error: 'a finite number ≥ 0 (use options.schedule for a schedule)' }).min(0, { error: 'a finite number ≥ 0' }),
  momentum: NUMBER(),
  dampening: NUMBER(),
  weightDecay: NUMBER(),
  nesterov: BOOLEAN(),
  betas: z.tuple([NUMBER(), NUMBER()], { error: 'a pair [beta1, beta2]' }),
  eps: NUMBER(),
  amsgrad: BOOLEAN(),
  momentumDecay: NUMBER(),
  lrDecay: NUMBER(),
  initialAccumulatorValue: NUMBER(),
  rho: NUMBER(),
  alpha: NUMBER(),
  centered: BOOLEAN(),
  form: z.string({ error: "the name of a form, like 'torch' or 'lecture002'" }),
};

/** Each stage parses one strict object, so an unknown key is always at its top: `place` names that object. */
const ctx = (fn: string, root: string, input: unknown, keys: readonly string[], place: string | ((path: readonly PropertyKey[]) => string) = root): IssueContext => ({
  fn,
  root,
  input,
  keysAt: () => keys,
  placeOf: typeof place === 'string' ? (path) => pathOf(place, path) : place,
});

/** Rethrows an error of optim (`sgd: momentum must be in [0, 1), got 1.5`) at our path. */
function rethrowAt(fn: string, root: string, what: string, e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /^\w+: ([\w[\]]+) must be ([\s\S]*)$/.exec(msg);
  if (m) throw new RangeError(`${fn}: ${root}.${m[1]} must be ${m[2]} (${what})`);
  throw new RangeError(`${fn}: ${root} (${what}): ${msg}`);
}

/** `'adam'` or `{name, options}` → a checked `{name, options}`; optim builds it once to check the ranges. */
export function parseOptimizer(fn: string, input: unknown): OptimizerConfig {
  // A bare name is checked as `options.optimizer` itself, so the message points at what was written.
  if (typeof input === 'string') parseOrThrow(OPTIMIZER.shape.name, ctx(fn, 'options.optimizer', input, []));
  const raw = typeof input === 'string' ? { name: input } : input;
  if (!isObject(raw)) throw new TypeError(`${fn}: options.optimizer must be an optimizer name like 'adam' or {name, options}, got ${typeof raw === 'number' ? raw : Array.isArray(raw) ? 'an array' : typeof raw}`);
  const { name, options = {} } = parseOrThrow(OPTIMIZER, ctx(fn, 'options.optimizer', raw, ['name', 'options']));
  const keys = ALIAS_OPTION_KEYS[name];
  const schema = z.strictObject(Object.fromEntries(keys.map((k) => [k, OPTION_FIELDS[k]!.optional()])));
  const opts = parseOrThrow(schema, ctx(fn, 'options.optimizer.options', options, keys, `optimizer.options (${name})`)) as Record<string, unknown>;
  try {
    (optim[name] as (o: object) => unknown)({ ...opts, lr: opts.lr ?? optim.DEFAULT_LR[name] });
  } catch (e) {
    rethrowAt(fn, 'options.optimizer.options', name, e);
  }
  return { name, options: opts };
}

const SCHEDULE = z.strictObject({
  name: z.enum(SCHEDULE_NAMES as [string, ...string[]], { error: `one of ${SCHEDULE_NAMES.map((n) => `'${n}'`).join(', ')}` }),
  args: z.array(z.unknown(), { error: 'an array of the schedule’s arguments' }),
});

/** `{name, args}`, built (and evaluated at step 0) so that bad arguments fail now, not at the first step. */
export function parseSchedule(fn: string, input: unknown, root = 'options.schedule'): ScheduleSpec {
  const spec = parseOrThrow(SCHEDULE, ctx(fn, root, input, ['name', 'args']));
  const a = SCHEDULE_ARGS[spec.name]!;
  const place = (path: readonly PropertyKey[]) => `${pathOf(`${root.replace(/^options\./, '')}.args`, path)} (${spec.name})`;
  parseOrThrow(a.schema, ctx(fn, `${root}.args`, spec.args, a.options?.keys ?? [], place));
  if (spec.name === 'linearWarmup') parseSchedule(fn, spec.args[0], `${root}.args[0]`);
  try {
    buildSchedule(spec)(0);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).replace(/^\w+: /, '');
    throw new RangeError(`${fn}: ${root} (${spec.name}): ${msg}`);
  }
  return spec;
}

const PLACEMENT_KEYS: Record<Placement['kind'], readonly string[]> = {
  inline: ['kind', 'shards'],
  dataParallel: ['kind', 'replicas', 'shards', 'threads'],
  pipeline: ['kind', 'microBatches', 'threads'],
  hybrid: ['kind', 'replicas', 'microBatches', 'threads'],
  auto: ['kind', 'shards', 'threads'],
};
const PLACEMENT_REQUIRED: Record<string, readonly string[]> = { dataParallel: ['replicas'], pipeline: ['microBatches'], hybrid: ['replicas', 'microBatches'] };
const KIND = z.enum(Object.keys(PLACEMENT_KEYS) as [Placement['kind'], ...Placement['kind'][]], { error: `one of ${Object.keys(PLACEMENT_KEYS).map((k) => `'${k}'`).join(', ')}` });

/** The placements that need no numbers, by name: `placement: 'inline'` is `inline()`. */
const BY_NAME: Record<string, () => Placement> = { inline, dataParallel, auto };

/** A placement object (or the name of one that needs no numbers): its kind, its keys, then `resolvePlacement`'s own checks. */
export function parsePlacement(fn: string, input: unknown): Placement {
  if (typeof input === 'string') {
    const name = parseOrThrow(z.enum(Object.keys(BY_NAME) as [string, ...string[]], { error: PLACEMENT_EXPECTED }), ctx(fn, 'options.placement', input, []));
    return BY_NAME[name]!();
  }
  const o = input as Record<string, unknown>;
  const kind = parseOrThrow(KIND, ctx(fn, 'options.placement.kind', o.kind, []));
  const keys = PLACEMENT_KEYS[kind];
  const required = PLACEMENT_REQUIRED[kind] ?? [];
  const schema = z.strictObject(Object.fromEntries(keys.map((k) => [k, k === 'kind' ? z.string() : required.includes(k) ? positiveInt() : positiveInt().optional()])));
  parseOrThrow(schema, ctx(fn, 'options.placement', o, keys, `placement (${kind})`));
  try {
    resolvePlacement(o as Placement, 0);
  } catch (e) {
    throw new RangeError(`${fn}: options.placement: ${e instanceof Error ? e.message : String(e)}`);
  }
  return o as Placement;
}

/**
 * Checks every key of fit's options and returns them normalised (`optimizer` as `{name, options}`).
 * `validationData` is only checked to be an object here; `checkFitData` checks its contents.
 */
export function parseFitOptions(options: unknown): FitOptions {
  if (!isObject(options)) throw new TypeError(`fit: options must be an object {loss, optimizer, epochs, batchSize, …}, got ${options === undefined ? 'nothing' : Array.isArray(options) ? 'an array' : typeof options}`);
  const o = parseOrThrow(FIT, ctx('fit', 'options', options, FIT_OPTION_KEYS, 'options'));
  const out = { ...o, optimizer: parseOptimizer('fit', o.optimizer) } as unknown as FitOptions;
  if (o.schedule !== undefined) out.schedule = parseSchedule('fit', o.schedule);
  if (o.placement !== undefined) out.placement = parsePlacement('fit', o.placement);
  return out;
}

const EVALUATE = z.strictObject({ loss: lossSchema, metrics: metricsSchema.optional(), batchSize: positiveInt().optional() });
const PREDICT = z.strictObject({
  batchSize: positiveInt().optional(),
  returns: z.enum(['raw', 'probabilities', 'classes'], { error: "'raw', 'probabilities' or 'classes'" }).optional(),
});

export function parseEvaluateOptions(options: unknown): EvaluateOptions {
  if (!isObject(options)) throw new TypeError(`evaluate: options must be an object {loss, metrics?, batchSize?}, got ${options === undefined ? 'nothing' : typeof options}`);
  return parseOrThrow(EVALUATE, ctx('evaluate', 'options', options, Object.keys(EVALUATE.shape), 'options')) as EvaluateOptions;
}

export function parsePredictOptions(options: unknown): PredictOptions {
  if (options === undefined) return {};
  if (!isObject(options)) throw new TypeError(`predict: options must be an object {batchSize?, returns?}, got ${typeof options}`);
  return parseOrThrow(PREDICT, ctx('predict', 'options', options, Object.keys(PREDICT.shape), 'options'));
}

const heapBytesError = { error: `an integer from 0 to ${kernels.WasmHeap.MAX_BYTES}` };
const ENGINE = z.strictObject({
  model: custom('an nn.Sequential', (v) => isObject(v)),
  loss: lossSchema,
  optimizer: custom("an optimizer name like 'adam' or {name, options}", (v) => v !== undefined),
  schedule: custom('a function of the step', (v) => typeof v === 'function').optional(),
  placement: custom(PLACEMENT_EXPECTED, (v) => isObject(v) || typeof v === 'string').optional(),
  seed: z.number({ error: 'an integer' }).int({ error: 'an integer' }).optional(),
  clipNorm: z.number({ error: 'a positive number or null' }).positive({ error: 'a positive number or null' }).nullable().optional(),
  allowCrash: z.boolean({ error: 'true or false' }).optional(),
  retries: z.number({ error: 'an integer ≥ 0' }).int({ error: 'an integer ≥ 0' }).min(0, { error: 'an integer ≥ 0' }).optional(),
  returnPredictions: z.boolean({ error: 'true or false' }).optional(),
  heapBytes: z.number(heapBytesError).int(heapBytesError).min(0, heapBytesError).max(kernels.WasmHeap.MAX_BYTES, heapBytesError).optional(),
});

/** `createEngine`'s options, checked like fit's (the model's class is checked by the engine itself). */
export function parseEngineOptions<T extends object>(options: T): T & { optimizer: OptimizerConfig; placement?: Placement } {
  if (!isObject(options)) throw new TypeError(`Engine: options must be an object {model, loss, optimizer, …}, got ${options === undefined ? 'nothing' : typeof options}`);
  const o = parseOrThrow(ENGINE, ctx('Engine', 'options', options, Object.keys(ENGINE.shape), 'options'));
  const out: T & { optimizer: OptimizerConfig; placement?: Placement } = { ...options, optimizer: parseOptimizer('Engine', o.optimizer) };
  if (o.placement !== undefined) out.placement = parsePlacement('Engine', o.placement);
  return out;
}
