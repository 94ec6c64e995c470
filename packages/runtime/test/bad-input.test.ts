/**
 * Issue 13, acceptance 3: what a new user gets for wrong input. Each row is one bad input to `fit`,
 * `evaluate`, `predict` or `createEngine` and the exact message it gets, or `TRAINS` where the input
 * is one we accept (then it must train: the loss goes down). No message may leak a JavaScript
 * internal (`Cannot read properties`, `is not a function`, `undefined`).
 */
import { Rng, type Tensor, nn, randn, tensor } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { Trainer, createEngine, csvLogger, earlyStopping, fillTemplate, inline, jsonlLogger, lambdaCallback, loadModel, modelCheckpoint, progressBar, reduceLROnPlateau, saveModel } from '../src/index.js';

const rng = () => new Rng(7);
/** 4 features → 3 classes. */
const classifier = () => {
  const r = rng();
  return new nn.Sequential(new nn.Linear(4, 8, { rng: r }), nn.ReLU(), new nn.Linear(8, 3, { rng: r }));
};
/** 4 features → 1 output. */
const regressor = () => new nn.Sequential(new nn.Linear(4, 1, { rng: rng() }));

const N = 24;
const X = randn([N, 4], { rng: new Rng(1) });
const LABELS = Array.from({ length: N }, (_, i) => i % 3);
const Y = tensor(LABELS);
const TARGETS = Array.from({ length: N }, (_, i) => 2 * X.data[i * 4]! - X.data[i * 4 + 1]! + 0.5);
const ROWS = Array.from({ length: N }, (_, i) => Array.from(X.data.subarray(i * 4, i * 4 + 4)));

/** A copy of `t` with `v` at (row, col). */
function poke(t: Tensor, row: number, col: number, v: number): Tensor {
  const c = t.clone();
  c.data[row * (t.ndim === 1 ? 1 : t.shape[1]!) + col] = v;
  return c;
}

const OK = { loss: 'crossEntropy', optimizer: 'adam', epochs: 1, batchSize: 8, placement: inline() };
const fit = (over: Record<string, unknown>, data: unknown = { x: X, y: Y }, model: unknown = classifier()) =>
  new Trainer().fit(model as nn.Sequential, data as never, { ...OK, ...over } as never);
const fitOpts = (options: unknown) => new Trainer().fit(classifier(), { x: X, y: Y }, options as never);
const evaluate = (data: unknown, options: unknown) => new Trainer().evaluate(classifier(), data as never, options as never);
const predict = (x: unknown, options?: unknown) => new Trainer().predict(classifier(), x as never, options as never);

const FIT_KEYS = 'loss, optimizer, schedule, epochs, batchSize, validationData, validationSplit, metrics, callbacks, placement, seed, shuffle, clipNorm, signal, resume, checkpointWriter, onNonFinite, stopOnSignals, verbose';
const LOSS_NAMES = "'crossEntropy', 'mse', 'mae', 'huber', 'bce', 'bceWithLogits'";
const OPTIMIZERS = "'sgd', 'adam', 'adamw', 'adamax', 'nadam', 'radam', 'adagrad', 'adadelta', 'rmsprop'";
const METRICS = "one of 'accuracy', 'mae', 'mse', 'topK:<k>'";

/** Accepted input: fit must train (the loss of the last epoch below the first's). */
const TRAINS = Symbol('trains');

type Row = [name: string, run: () => unknown, expected: string | typeof TRAINS];

const TABLE: Row[] = [
  // ---- fit: the options object and its top-level keys
  ['no options', () => fitOpts(undefined), 'fit: options must be an object {loss, optimizer, epochs, batchSize, …}, got nothing'],
  ['epochs 2.5', () => fit({ epochs: 2.5 }), 'fit: options.epochs must be a positive integer, got 2.5'],
  ['epochs 0', () => fit({ epochs: 0 }), 'fit: options.epochs must be a positive integer, got 0'],
  ["epochs '3'", () => fit({ epochs: '3' }), "fit: options.epochs must be a positive integer, got '3'"],
  ['epochs missing', () => fit({ epochs: undefined }), 'fit: options.epochs is required (a positive integer)'],
  ['epoch (misspelled)', () => fit({ epochs: undefined, epoch: 3 }), `fit: unknown option 'epoch' in options; did you mean 'epochs'? valid: ${FIT_KEYS}`],
  ['batchSize 0', () => fit({ batchSize: 0 }), 'fit: options.batchSize must be a positive integer, got 0'],
  ['batch_size', () => fit({ batchSize: undefined, batch_size: 8 }), `fit: unknown option 'batch_size' in options; did you mean 'batchSize'? valid: ${FIT_KEYS}`],
  ['learningRate at the top level', () => fit({ learningRate: 0.1 }), `fit: unknown option 'learningRate' in options; valid: ${FIT_KEYS}`],
  ["loss 'cross_entropy'", () => fit({ loss: 'cross_entropy' }), `fit: options.loss must be one of ${LOSS_NAMES}, got 'cross_entropy'; did you mean 'crossEntropy'?`],
  ["loss 'nll'", () => fit({ loss: 'nll' }), `fit: options.loss must be one of ${LOSS_NAMES}, got 'nll'; did you mean 'crossEntropy'?`],
  ['loss missing', () => fit({ loss: undefined }), `fit: options.loss is required (one of ${LOSS_NAMES})`],
  ['validationSplit 1', () => fit({ validationSplit: 1 }), 'fit: options.validationSplit must be a number in (0, 1), got 1'],
  ['validationSplit and validationData', () => fit({ validationSplit: 0.2, validationData: { x: X, y: Y } }), 'fit: give options.validationData or options.validationSplit, not both'],
  ["metrics ['acc']", () => fit({ metrics: ['acc'] }), `fit: options.metrics[0] must be ${METRICS}, got 'acc'`],
  ["metrics 'accuracy'", () => fit({ metrics: 'accuracy' }), `fit: options.metrics must be an array of metric names (${METRICS}), got 'accuracy'`],
  ['callbacks [{}]', () => fit({ callbacks: [{}] }), 'fit: options.callbacks[0] must be a Callback (an object with a string name), got an empty object'],
  ['clipNorm -1', () => fit({ clipNorm: -1 }), 'fit: options.clipNorm must be a positive number or null, got -1'],
  ["shuffle 'yes'", () => fit({ shuffle: 'yes' }), "fit: options.shuffle must be true or false, got 'yes'"],
  ['seed 1.5', () => fit({ seed: 1.5 }), 'fit: options.seed must be an integer, got 1.5'],
  ['signal {}', () => fit({ signal: {} }), 'fit: options.signal must be an AbortSignal, got an empty object'],
  ['resume {}', () => fit({ resume: {} }), 'fit: options.resume must be a TrainingState (the state of a checkpoint), got an empty object'],
  ["checkpointWriter 'a.safetensors'", () => fit({ checkpointWriter: 'a.safetensors' }), "fit: options.checkpointWriter must be a function (path, ctx) => Promise<void>, got 'a.safetensors'"],
  ['verbose 3', () => fit({ verbose: 3 }), "fit: options.verbose must be 0, 1, 2 or 'auto', got 3"],
  ["onNonFinite 'ignore'", () => fit({ onNonFinite: 'ignore' }), "fit: options.onNonFinite must be 'stop' or 'throw', got 'ignore'"],
  ["stopOnSignals ['INT']", () => fit({ stopOnSignals: ['INT'] }), "fit: options.stopOnSignals must be true, false or an array of signal names like 'SIGINT', got ['INT']"],
  ['the new keys, well typed', () => fit({ verbose: 0, onNonFinite: 'stop', stopOnSignals: ['SIGINT'], epochs: 15 }), TRAINS],

  // ---- fit: optimizer
  ["optimizer 'adam' (a string)", () => fit({ optimizer: 'adam', epochs: 15 }), TRAINS],
  ["optimizer 'adamm'", () => fit({ optimizer: 'adamm' }), `fit: options.optimizer must be one of ${OPTIMIZERS}, got 'adamm'; did you mean 'adam'?`],
  ['optimizer 5', () => fit({ optimizer: 5 }), "fit: options.optimizer must be an optimizer name like 'adam' or {name, options}, got 5"],
  ['optimizer missing', () => fit({ optimizer: undefined }), "fit: options.optimizer is required (an optimizer name like 'adam' or {name, options})"],
  ["optimizer {name: 'SGD'}", () => fit({ optimizer: { name: 'SGD' } }), `fit: options.optimizer.name must be one of ${OPTIMIZERS}, got 'SGD'; did you mean 'sgd'?`],
  ['optimizer {name, opts}', () => fit({ optimizer: { name: 'adam', opts: { lr: 0.1 } } }), "fit: unknown option 'opts' in options.optimizer; did you mean 'options'? valid: name, options"],
  ['sgd momentun', () => fit({ optimizer: { name: 'sgd', options: { lr: 0.1, momentun: 0.9 } } }), "fit: unknown option 'momentun' in optimizer.options (sgd); did you mean 'momentum'? valid: lr, momentum, dampening, weightDecay, nesterov"],
  ['adam learningRate', () => fit({ optimizer: { name: 'adam', options: { learningRate: 5 } } }), "fit: unknown option 'learningRate' in optimizer.options (adam); did you mean 'lr'? valid: lr, betas, eps, weightDecay, amsgrad, form"],
  ['rmsprop weight_decay', () => fit({ optimizer: { name: 'rmsprop', options: { weight_decay: 0.1 } } }), "fit: unknown option 'weight_decay' in optimizer.options (rmsprop); did you mean 'weightDecay'? valid: lr, alpha, eps, weightDecay, momentum, centered, form"],
  ['adam form of another lecture', () => fit({ optimizer: { name: 'adam', options: { form: 'lecture002' } } }), `fit: options.optimizer.options.form must be one of 'torch', 'lecture000', 'lecture003', 'lecture004', got "lecture002" (adam)`],
  ['rmsprop form not a string', () => fit({ optimizer: { name: 'rmsprop', options: { form: 2 } } }), "fit: options.optimizer.options.form must be the name of a form, like 'torch' or 'lecture002', got 2"],
  ['adam momentum', () => fit({ optimizer: { name: 'adam', options: { momentum: 0.9 } } }), "fit: unknown option 'momentum' in optimizer.options (adam); valid: lr, betas, eps, weightDecay, amsgrad, form"],
  ["sgd lr 'fast'", () => fit({ optimizer: { name: 'sgd', options: { lr: 'fast' } } }), "fit: options.optimizer.options.lr must be a finite number ≥ 0 (use options.schedule for a schedule), got 'fast'"],
  ['sgd lr -1', () => fit({ optimizer: { name: 'sgd', options: { lr: -1 } } }), 'fit: options.optimizer.options.lr must be a finite number ≥ 0, got -1'],
  ['sgd momentum 1.5', () => fit({ optimizer: { name: 'sgd', options: { lr: 0.1, momentum: 1.5 } } }), 'fit: options.optimizer.options.momentum must be in [0, 1), got 1.5 (sgd)'],
  ["sgd nesterov 'yes'", () => fit({ optimizer: { name: 'sgd', options: { lr: 0.1, nesterov: 'yes' } } }), "fit: options.optimizer.options.nesterov must be true or false, got 'yes'"],
  ['adam betas [0.9]', () => fit({ optimizer: { name: 'adam', options: { betas: [0.9] } } }), 'fit: options.optimizer.options.betas must be a pair [beta1, beta2], got [0.9]'],
  ['adam betas [0.9, 1.5]', () => fit({ optimizer: { name: 'adam', options: { betas: [0.9, 1.5] } } }), 'fit: options.optimizer.options.betas[1] must be in [0, 1), got 1.5 (adam)'],
  ['sgd lr 0.1 with {name, options}', () => fit({ optimizer: { name: 'sgd', options: { lr: 0.1, momentum: 0.9 } }, epochs: 15 }), TRAINS],

  // ---- fit: schedule and placement
  ["schedule 'cosine'", () => fit({ schedule: { name: 'cosine', args: [] } }), "fit: options.schedule.name must be one of 'constantSchedule', 'linearSchedule', 'linearLR', 'stepLR', 'multiStepLR', 'exponentialLR', 'cosineAnnealingLR', 'cosineAnnealingWarmRestarts', 'linearWarmup', 'oneCycleLR', got 'cosine'"],
  ['schedule {name, arg}', () => fit({ schedule: { name: 'stepLR', arg: [0.1, 10] } }), "fit: unknown option 'arg' in options.schedule; did you mean 'args'? valid: name, args"],
  ['schedule stepLR without its options', () => fit({ schedule: { name: 'stepLR', args: [0.1] } }), 'fit: options.schedule.args must be the arguments [baseLr, {stepSize, gamma?}], got [0.1]'],
  ['schedule stepLR {step_size}', () => fit({ schedule: { name: 'stepLR', args: [0.1, { step_size: 10 }] } }), "fit: unknown option 'step_size' in schedule.args[1] (stepLR); did you mean 'stepSize'? valid: stepSize, gamma"],
  ['schedule stepLR gamma -1', () => fit({ schedule: { name: 'stepLR', args: [0.1, { stepSize: 10, gamma: -1 }] } }), 'fit: options.schedule (stepLR): gamma must be a finite number > 0, got -1'],
  ['schedule cosineAnnealingLR, well formed', () => fit({ schedule: { name: 'cosineAnnealingLR', args: [0.01, { tMax: 45 }] }, epochs: 15 }), TRAINS],
  ["placement kind 'dataParalel'", () => fit({ placement: { kind: 'dataParalel', replicas: 2 } }), "fit: options.placement.kind must be one of 'inline', 'dataParallel', 'pipeline', 'hybrid', 'auto', got 'dataParalel'; did you mean 'dataParallel'?"],
  ['placement replica', () => fit({ placement: { kind: 'dataParallel', replica: 2 } }), "fit: unknown option 'replica' in placement (dataParallel); did you mean 'replicas'? valid: kind, replicas, shards, threads"],
  ["placement 'pipeline' (needs microBatches)", () => fit({ placement: 'pipeline' }), "fit: options.placement must be a placement (inline(), dataParallel(…), pipeline(…), hybrid(…), auto(), or 'inline', 'dataParallel', 'auto'), got 'pipeline'"],
  ["placement 'inline' (a name)", () => fit({ placement: 'inline', epochs: 15 }), TRAINS],
  ['validationData 5', () => fit({ validationData: 5 }), 'fit: options.validationData must be {x, y} with x a Tensor or number[][] and y a Tensor, number[] or number[][], got 5'],
  ['placement shards 0', () => fit({ placement: { kind: 'inline', shards: 0 } }), 'fit: options.placement.shards must be a positive integer, got 0'],

  // ---- fit: data
  ['data null', () => fit({}, null), 'fit: training data must be {x, y} with x a Tensor or number[][] and y a Tensor, number[] or number[][], got null'],
  ['data {inputs, labels}', () => fit({}, { inputs: X, labels: Y }), "fit: unknown key 'inputs' in training data; did you mean 'x'? valid: x, y (also unknown: 'labels')"],
  ['NaN in x (a tensor)', () => fit({}, { x: poke(X, 17, 3, Number.NaN), y: Y }), 'fit: training data x has NaN at row 17, column 3'],
  ['Infinity in x (number[][])', () => fit({}, { x: ROWS.map((r, i) => (i === 2 ? [Number.POSITIVE_INFINITY, ...r.slice(1)] : r)), y: LABELS }), 'fit: training data x has Infinity at row 2, column 0'],
  ['1e39 in x (overflows float32)', () => fit({}, { x: ROWS.map((r, i) => (i === 4 ? [r[0], 1e39, r[2], r[3]] : r)), y: LABELS }), 'fit: training data x has 1e+39 at row 4, column 1 (out of float32 range)'],
  ['NaN in a regression y', () => fit({ loss: 'mse' }, { x: X, y: TARGETS.map((v, i) => (i === 5 ? Number.NaN : v)) }, regressor()), 'fit: training data y has NaN at row 5'],
  ['-Infinity in validationData x', () => fit({ validationData: { x: poke(X, 1, 1, Number.NEGATIVE_INFINITY), y: Y } }), 'fit: validationData x has -Infinity at row 1, column 1'],
  ['NaN in validationData y', () => fit({ validationData: { x: X, y: poke(Y, 9, 0, Number.NaN) } }), 'fit: validationData y has NaN at row 9'],
  ['empty data', () => fit({}, { x: [], y: [] }), 'fit: training data is empty (x has 0 rows)'],
  ['x number[][] and y number[] (labels)', () => fit({ epochs: 15 }, { x: ROWS, y: LABELS }), TRAINS],
  ['regression y of shape [N] for an output [N, 1]', () => fit({ loss: 'mse', epochs: 15, optimizer: { name: 'adam', options: { lr: 0.05 } } }, { x: X, y: TARGETS }, regressor()), TRAINS],
  ['x a flat number[]', () => fit({}, { x: [1, 2, 3], y: [0, 1, 2] }), 'fit: training data x must be [N, features] (number[][] or a Tensor), got a flat array; for one feature per row write [[x0], [x1], …]'],
  ['x ragged', () => fit({}, { x: [ROWS[0], ROWS[1]!.slice(0, 3)], y: [0, 1] }), 'fit: training data x row 1 has 3 columns, row 0 has 4'],
  ["x with a string '0.5'", () => fit({}, { x: [ROWS[0], [1, '0.5', 2, 3]], y: [0, 1] }), "fit: training data x at row 1, column 1 must be a number, got '0.5'"],
  ['x with 5 columns for a Linear(4, …)', () => fit({}, { x: randn([N, 5]), y: Y }), "fit: training data x has 5 columns but the model's first layer (Linear) takes 4"],
  ['x a 3-D tensor', () => fit({}, { x: randn([N, 2, 2]), y: Y }), 'fit: training data x must be [N, features], got shape [24, 2, 2]'],
  ['y with fewer rows than x', () => fit({}, { x: X, y: LABELS.slice(0, 20) }), 'fit: training data y has 20 rows but training data x has 24'],
  ['label 3 for 3 classes', () => fit({}, { x: X, y: LABELS.map((v, i) => (i === 6 ? 3 : v)) }), 'fit: training data y has label 3 at row 6; crossEntropy takes integer class labels in [0, 3) (the model has 3 outputs)'],
  ['label 0.5', () => fit({}, { x: X, y: LABELS.map((v, i) => (i === 0 ? 0.5 : v)) }), 'fit: training data y has label 0.5 at row 0; crossEntropy takes integer class labels in [0, 3) (the model has 3 outputs)'],
  ['mse y [N, 2] for an output [N, 1]', () => fit({ loss: 'mse' }, { x: X, y: randn([N, 2]) }, regressor()), "fit: training data y must be [24, 1] like the model's output for mse, got shape [24, 2]"],
  ['bce target 2', () => fit({ loss: 'bce' }, { x: X, y: TARGETS.map((_, i) => (i === 3 ? 2 : 0)) }, regressor()), 'fit: training data y has 2 at row 3, column 0; bce takes targets in [0, 1]'],
  ['model a plain object', () => fit({}, { x: X, y: Y }, {}), 'fit: model must be an nn.Sequential, got an empty object'],
  ['fewer training rows than shards', () => fit({ placement: inline({ shards: 4 }) }, { x: ROWS.slice(0, 3), y: [0, 1, 2] }), 'fit: 3 training rows cannot be split into the 4 shards of options.placement (inline)'],
  ['validationSplit leaving no training rows', () => fit({ validationSplit: 0.6 }, { x: ROWS.slice(0, 1), y: [0] }), 'fit: options.validationSplit 0.6 of 1 rows leaves no training rows'],

  // ---- evaluate and predict
  ["evaluate loss 'mse2'", () => evaluate({ x: X, y: Y }, { loss: 'mse2' }), `evaluate: options.loss must be one of ${LOSS_NAMES}, got 'mse2'; did you mean 'mse'?`],
  ['evaluate batchSize 0', () => evaluate({ x: X, y: Y }, { loss: 'crossEntropy', batchSize: 0 }), 'evaluate: options.batchSize must be a positive integer, got 0'],
  ['evaluate metric', () => evaluate({ x: X, y: Y }, { loss: 'crossEntropy', metric: ['accuracy'] }), "evaluate: unknown option 'metric' in options; did you mean 'metrics'? valid: loss, metrics, batchSize"],
  ['evaluate NaN in y', () => evaluate({ x: X, y: poke(Y, 0, 0, Number.NaN) }, { loss: 'crossEntropy' }), 'evaluate: evaluation data y has NaN at row 0'],
  ["predict returns 'probs'", () => predict(X, { returns: 'probs' }), "predict: options.returns must be 'raw', 'probabilities' or 'classes', got 'probs'; did you mean 'probabilities'?"],
  ['predict batchSize 0', () => predict(X, { batchSize: 0 }), 'predict: options.batchSize must be a positive integer, got 0'],
  ['predict NaN in x', () => predict(poke(X, 0, 1, Number.NaN)), 'predict: x has NaN at row 0, column 1'],
  ['predict a string', () => predict('data.csv'), "predict: x must be a Tensor or number[][], got 'data.csv'"],

  // ---- createEngine, for those who use the engine directly
  ["createEngine loss 'l2'", () => createEngine({ model: classifier(), loss: 'l2', optimizer: { name: 'adam', options: {} } } as never), `Engine: options.loss must be one of ${LOSS_NAMES}, got 'l2'`],
  ['createEngine optimizer 5', () => createEngine({ model: classifier(), loss: 'mse', optimizer: 5 } as never), "Engine: options.optimizer must be an optimizer name like 'adam' or {name, options}, got 5"],
  ['createEngine clipNorm 0', () => createEngine({ model: classifier(), loss: 'mse', optimizer: 'sgd', clipNorm: 0 } as never), 'Engine: options.clipNorm must be a positive number or null, got 0'],
  ['createEngine placement threads 1.5', () => createEngine({ model: classifier(), loss: 'mse', optimizer: 'sgd', placement: { kind: 'pipeline', microBatches: 2, threads: 1.5 } } as never), 'Engine: options.placement.threads must be a positive integer, got 1.5'],
  ['createEngine optimizer misspelled key', () => createEngine({ model: classifier(), loss: 'mse', optimizer: { name: 'sgd', options: { lr: 0.1, nesterow: true } } } as never), "Engine: unknown option 'nesterow' in optimizer.options (sgd); did you mean 'nesterov'? valid: lr, momentum, dampening, weightDecay, nesterov"],
  ['createEngine seed NaN', () => createEngine({ model: classifier(), loss: 'mse', optimizer: { name: 'sgd', options: {} }, seed: Number.NaN } as never), 'Engine: options.seed must be an integer, got NaN'],
  // ---- the callback factories and the model files
  ['modelCheckpoint without a path', () => modelCheckpoint({} as never), 'modelCheckpoint: options.path is required (a non-empty path)'],
  ['modelCheckpoint(undefined)', () => modelCheckpoint(undefined as never), 'modelCheckpoint: options must be an object {path, every, saveBestOnly, monitor, mode, keepBest, saveOnStop}, got nothing'],
  ['modelCheckpoint pth (misspelled)', () => modelCheckpoint({ pth: 'x.safetensors' } as never), "modelCheckpoint: unknown option 'pth' in options; did you mean 'path'? valid: path, every, saveBestOnly, monitor, mode, keepBest, saveOnStop"],
  ['modelCheckpoint every 0', () => modelCheckpoint({ path: 'x.safetensors', every: 0 }), 'modelCheckpoint: options.every must be a positive integer, got 0'],
  ['earlyStopping monitor 5', () => earlyStopping({ monitor: 5 } as never), 'earlyStopping: options.monitor must be a metric name, got 5'],
  ['earlyStopping patient (misspelled)', () => earlyStopping({ patient: 3 } as never), "earlyStopping: unknown option 'patient' in options; did you mean 'patience'? valid: monitor, mode, patience, minDelta, restoreBestWeights"],
  ["earlyStopping mode 'down'", () => earlyStopping({ mode: 'down' } as never), "earlyStopping: options.mode must be 'min', 'max' or 'auto', got 'down'"],
  ["reduceLROnPlateau factor 'x'", () => reduceLROnPlateau({ factor: 'x' } as never), "reduceLROnPlateau: options.factor must be a finite number, got 'x'"],
  ['reduceLROnPlateau factor 2', () => reduceLROnPlateau({ factor: 2 }), 'reduceOnPlateau: factor must be in [0, 1), got 2'],
  ['csvLogger without a path', () => csvLogger(undefined as never), 'csvLogger: path must be a non-empty path, got nothing'],
  ['jsonlLogger batchEvery -1', () => jsonlLogger('x.jsonl', { batchEvery: -1 }), 'jsonlLogger: options.batchEvery must be a non-negative integer, got -1'],
  ["lambdaCallback hook 'onEpochStart'", () => lambdaCallback('mine', { onEpochStart: () => {} } as never), "lambdaCallback(mine): unknown hook 'onEpochStart' in hooks; did you mean 'onEpochBegin'? valid: onTrainBegin, onEpochBegin, onBatchEnd, onEpochEnd, onInterrupt, onTrainEnd, state, setState"],
  ["progressBar mode 'x'", () => progressBar({ mode: 'x' } as never), "progressBar: options.mode must be 'bar', 'lines' or 'auto', got 'x'"],
  ['saveModel(undefined, path)', () => saveModel(undefined as never, '/tmp/never.safetensors'), 'saveModel: model must be an nn.Module, got nothing'],
  ['loadModel(undefined)', () => loadModel(undefined as never), 'loadModel: path must be a non-empty string, got nothing'],
  ['fillTemplate(undefined)', () => fillTemplate(undefined as never, {}), 'fillTemplate: template must be a non-empty string, got nothing'],
];

const LEAKS = ['Cannot read properties', 'is not a function', 'undefined'];

async function outcome(run: () => unknown): Promise<{ error: string | null; value: unknown }> {
  try {
    return { error: null, value: await run() };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e), value: undefined };
  }
}

describe('bad input: every row gets its message, or is accepted and trains', () => {
  it('has at least 30 rows', () => expect(TABLE.length).toBeGreaterThanOrEqual(30));

  it.each(TABLE)('%s', async (_name, run, expected) => {
    const { error, value } = await outcome(run);
    if (expected === TRAINS) {
      expect(error).toBeNull();
      const loss = (value as { metrics: Record<string, number[]> }).metrics.loss!;
      expect(loss.at(-1)!).toBeLessThan(loss[0]!);
      return;
    }
    expect(error).toBe(expected);
    for (const leak of LEAKS) expect(error).not.toContain(leak);
  });

  it('predict takes number[][] and returns one row per input row', () => {
    const out = new Trainer().predict(classifier(), ROWS.slice(0, 5));
    expect(out.shape).toEqual([5, 3]);
  });
});
