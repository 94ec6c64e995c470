/**
 * Malformed job specs and the complete problem list each must get, as [path, expected, found].
 * Paths under the temporary directory are written `<tmp>`; `allowed` is the allowed directory
 * (and the base directory), `outside` a directory beside it that is not allowed.
 */

export type Triple = [path: string, expected: string, found: string];
export interface Case {
  name: string;
  spec: unknown;
  problems: Triple[];
}

const linear = (inFeatures: number, outFeatures: number) => ({ type: 'Linear', args: { inFeatures, outFeatures } });
const tanh = { type: 'Activation', args: { kind: 'tanh' } };

/** A valid spec on XOR, changed by each case. */
export const base = () => ({
  name: 'xor',
  model: { layers: [linear(2, 4), tanh, linear(4, 1)] },
  data: { source: 'xor' } as Record<string, unknown>,
  loss: 'bceWithLogits',
  optimizer: { name: 'adam', options: { lr: 0.01 } } as unknown,
  epochs: 2,
  batchSize: 4,
});

const withChanges = (changes: Record<string, unknown>, drop: string[] = []) => {
  const s: Record<string, unknown> = { ...base(), ...changes };
  for (const k of drop) delete s[k];
  return s;
};
const csv = (extra: Record<string, unknown>) => ({ source: 'csv', path: 'flowers.csv', label: 'species', labels: 'category', ...extra });
const csvModel = (inFeatures: number) => ({ layers: [linear(inFeatures, 4), tanh, linear(4, 2)] });

export const CASES: Case[] = [
  { name: 'not an object (an array)', spec: [1, 2], problems: [
      ['$', 'a job spec object {name, model, data, loss, optimizer, epochs, batchSize, …}', '[1, 2]'],
    ],
  },
  { name: 'required fields missing', spec: withChanges({}, ['name', 'model', 'loss']), problems: [
      ['$.name', 'a non-empty name of at most 200 characters', 'nothing'],
      ['$.model', 'an object {layers}', 'nothing'],
      ['$.loss', "one of 'crossEntropy', 'mse', 'mae', 'huber', 'bce', 'bceWithLogits'", 'nothing'],
    ],
  },
  { name: 'wrong types of scalars', spec: withChanges({ name: 7, epochs: '10', batchSize: 2.5, seed: 0.5 }), problems: [
      ['$.name', 'a non-empty name of at most 200 characters', '7'],
      ['$.epochs', 'a positive integer', "'10'"],
      ['$.batchSize', 'a positive integer', '2.5'],
      ['$.seed', 'an integer', '0.5'],
    ],
  },
  { name: 'unknown top-level keys, with the nearest key', spec: withChanges({ epoch: 3, learningRate: 0.1 }), problems: [
      ['$.epoch', 'one of the keys name, model, data, preprocessing, loss, optimizer, schedule, epochs, batchSize, validationSplit, metrics, placement, seed, clipNorm, callbacks', "unknown key 'epoch'"],
      ['$.learningRate', 'one of the keys name, model, data, preprocessing, loss, optimizer, schedule, epochs, batchSize, validationSplit, metrics, placement, seed, clipNorm, callbacks', "unknown key 'learningRate'"],
    ],
  },
  { name: 'unknown layer type', spec: withChanges({ model: { layers: [{ type: 'Linaer', args: { inFeatures: 2, outFeatures: 1 } }] } }), problems: [
      ['$.model.layers[0].type', "a layer whose type is one of 'Linear', 'Activation', 'Dropout', 'PReLU', 'Maxout', 'Flatten'", "'Linaer'"],
    ],
  },
  { name: 'layer without a type', spec: withChanges({ model: { layers: [{ args: { inFeatures: 2, outFeatures: 1 } }] } }), problems: [
      ['$.model.layers[0].type', "a layer whose type is one of 'Linear', 'Activation', 'Dropout', 'PReLU', 'Maxout', 'Flatten'", 'nothing'],
    ],
  },
  { name: 'unknown layer argument', spec: withChanges({ model: { layers: [{ type: 'Linear', args: { inFeatures: 2, outFeatures: 1, outfeature: 3 } }] } }), problems: [
      ['$.model.layers[0].args.outfeature', 'one of the keys inFeatures, outFeatures, bias, dtype', "unknown key 'outfeature'"],
    ],
  },
  { name: 'bad layer arguments', spec: withChanges({ model: { layers: [{ type: 'Linear', args: { inFeatures: -2, outFeatures: 1.5 } }] } }), problems: [
      ['$.model.layers[0].args.inFeatures', 'a positive integer', '-2'],
      ['$.model.layers[0].args.outFeatures', 'a positive integer', '1.5'],
    ],
  },
  { name: 'empty layer list', spec: withChanges({ model: { layers: [] } }), problems: [
      ['$.model.layers', 'at least one layer', '[]'],
    ],
  },
  { name: 'unknown activation', spec: withChanges({ model: { layers: [linear(2, 4), { type: 'Activation', args: { kind: 'rleu' } }, linear(4, 1)] } }), problems: [
      ['$.model.layers[1].args.kind', "one of 'identity', 'binaryStep', 'sigmoid', 'tanh', 'sobolevaTanh', 'lecunTanh', 'relu', 'leakyRelu', 'elu', 'selu', 'gelu', 'silu', 'gaussian', 'softplus', 'softmax', 'logSoftmax'", "'rleu'"],
    ],
  },
  { name: 'bad shape chain in the middle', spec: withChanges({ model: { layers: [linear(2, 4), tanh, linear(5, 3), linear(3, 1)] } }), problems: [
      ['$.model.layers[2].args.inFeatures', '4, the output of layers[1] (Activation)', '5'],
    ],
  },
  { name: 'first layer does not take the data’s features', spec: withChanges({ model: { layers: [linear(3, 4), tanh, linear(4, 1)] } }), problems: [
      ['$.model.layers[0].args.inFeatures', "2, the data's feature count (xor)", '3'],
    ],
  },
  { name: 'output does not match mnist’s classes', spec: withChanges({ data: { source: 'mnist', n: 100 }, loss: 'crossEntropy', model: { layers: [linear(784, 16), tanh, linear(16, 9)] } }), problems: [
      ['$.model.layers[2].args.outFeatures', "an output width of 10 (crossEntropy over mnist's 10 classes)", 'an output width of 9'],
    ],
  },
  { name: 'output does not match a regression target', spec: withChanges({ data: { source: 'linearRegression' }, loss: 'mse', model: { layers: [linear(1, 2)] } }), problems: [
      ['$.model.layers[0].args.outFeatures', "an output width of 1 (mse against linearRegression's 1 target column)", 'an output width of 2'],
    ],
  },
  { name: 'Maxout pieces do not divide the width', spec: withChanges({ model: { layers: [linear(2, 5), { type: 'Maxout', args: { pieces: 2 } }, linear(2, 1)] } }), problems: [
      ['$.model.layers[1].args.pieces', 'a divisor of 5, the output of layers[0] (Linear)', '2'],
    ],
  },
  { name: 'PReLU with one α per feature of another width', spec: withChanges({ model: { layers: [linear(2, 4), { type: 'PReLU', args: { numParameters: 3 } }, linear(4, 1)] } }), problems: [
      ['$.model.layers[1].args.numParameters', '1 or 4, the output of layers[0] (Linear)', '3'],
    ],
  },
  { name: 'unknown optimiser name', spec: withChanges({ optimizer: 'adma' }), problems: [
      ['$.optimizer', "one of 'sgd', 'adam', 'adamw', 'adamax', 'nadam', 'radam', 'adagrad', 'adadelta', 'rmsprop'", "'adma'"],
    ],
  },
  { name: 'unknown optimiser in an object', spec: withChanges({ optimizer: { name: 'rmsprp', options: {} } }), problems: [
      ['$.optimizer.name', "one of 'sgd', 'adam', 'adamw', 'adamax', 'nadam', 'radam', 'adagrad', 'adadelta', 'rmsprop'", "'rmsprp'"],
    ],
  },
  { name: 'negative learning rate', spec: withChanges({ optimizer: { name: 'sgd', options: { lr: -0.1 } } }), problems: [
      ['$.optimizer.options.lr', 'a learning rate: a finite number > 0', '-0.1'],
    ],
  },
  { name: 'zero learning rate', spec: withChanges({ optimizer: { name: 'adam', options: { lr: 0 } } }), problems: [
      ['$.optimizer.options.lr', 'a learning rate: a finite number > 0', '0'],
    ],
  },
  { name: 'unknown optimiser option and a bad one', spec: withChanges({ optimizer: { name: 'sgd', options: { lr: 0.1, momentun: 0.9, dampening: 2 } } }), problems: [
      ['$.optimizer.options.momentun', 'one of the keys lr, momentum, dampening, weightDecay, nesterov', "unknown key 'momentun'"],
      ['$.optimizer.options.dampening', 'in [0, 1]', '2'],
    ],
  },
  { name: 'betas out of range and of the wrong type', spec: withChanges({ optimizer: { name: 'adam', options: { betas: [0.9, 1.2], eps: 'small' } } }), problems: [
      ['$.optimizer.options.betas[1]', 'in [0, 1)', '1.2'],
      ['$.optimizer.options.eps', 'a finite number', "'small'"],
    ],
  },
  { name: 'options that only fail together (nesterov without momentum)', spec: withChanges({ optimizer: { name: 'sgd', options: { lr: 0.1, nesterov: true } } }), problems: [
      ['$.optimizer.options', 'momentum > 0 and dampening = 0 (nesterov needs it)', 'momentum 0 and dampening 0'],
    ],
  },
  { name: 'unknown schedule', spec: withChanges({ schedule: { name: 'cosineAnealingLR', args: [0.1, { tMax: 10 }] } }), problems: [
      ['$.schedule.name', "one of 'constantSchedule', 'linearSchedule', 'linearLR', 'stepLR', 'multiStepLR', 'exponentialLR', 'cosineAnnealingLR', 'cosineAnnealingWarmRestarts', 'linearWarmup', 'oneCycleLR'", "'cosineAnealingLR'"],
    ],
  },
  { name: 'schedule arguments of the wrong form', spec: withChanges({ schedule: { name: 'stepLR', args: [0.1, { stepsize: 10 }] } }), problems: [
      ['$.schedule.args[1].stepsize', 'one of the keys stepSize, gamma', "unknown key 'stepsize'"],
    ],
  },
  { name: 'unknown loss', spec: withChanges({ loss: 'crossentropy' }), problems: [
      ['$.loss', "one of 'crossEntropy', 'mse', 'mae', 'huber', 'bce', 'bceWithLogits'", "'crossentropy'"],
    ],
  },
  { name: 'validation split outside [0, 1)', spec: withChanges({ validationSplit: 1 }), problems: [
      ['$.validationSplit', 'a number in [0, 1)', '1'],
    ],
  },
  { name: 'negative validation split', spec: withChanges({ validationSplit: -0.2 }), problems: [
      ['$.validationSplit', 'a number in [0, 1)', '-0.2'],
    ],
  },
  { name: 'unknown placement name', spec: withChanges({ placement: 'inlined' }), problems: [
      ['$.placement', "one of 'inline', 'dataParallel', 'auto'", "'inlined'"],
    ],
  },
  { name: 'placement without its numbers', spec: withChanges({ placement: { kind: 'dataParallel', replica: 2 } }), problems: [
      ['$.placement.replicas', 'a positive integer', 'nothing'],
      ['$.placement.replica', 'one of the keys kind, replicas, shards, threads', "unknown key 'replica'"],
    ],
  },
  { name: 'unknown metric', spec: withChanges({ metrics: ['accuracy', 'acc', 'topK:0'] }), problems: [
      ['$.metrics[1]', "one of 'accuracy', 'mae', 'mse', 'topK:<k>'", "'acc'"],
      ['$.metrics[2]', "one of 'accuracy', 'mae', 'mse', 'topK:<k>'", "'topK:0'"],
    ],
  },
  { name: 'unknown data source', spec: withChanges({ data: { source: 'mnsit' } }), problems: [
      ['$.data.source', "a data source whose source is one of 'xor', 'twoSpirals', 'linearRegression', 'mnist', 'csv', 'npy', 'idx'", "'mnsit'"],
    ],
  },
  { name: 'bad built-in set options', spec: withChanges({ data: { source: 'mnist', n: 20000 }, loss: 'crossEntropy', model: { layers: [linear(784, 10)] } }), problems: [
      ['$.data.n', 'an integer in [1, 10000]', '20000'],
    ],
  },
  { name: 'missing data file', spec: withChanges({ data: csv({ path: 'nope.csv' }), loss: 'crossEntropy', model: csvModel(4) }), problems: [
      ['$.data.path', 'an existing data file', 'no such file: <tmp>/allowed/nope.csv'],
    ],
  },
  { name: 'absolute path outside the allowed directories', spec: withChanges({ data: csv({ path: '<tmp>/outside/secret.csv' }), loss: 'crossEntropy', model: csvModel(4) }), problems: [
      ['$.data.path', 'a file inside the allowed directories (<tmp>/allowed)', "'<tmp>/outside/secret.csv' (<tmp>/outside/secret.csv)"],
    ],
  },
  { name: 'relative path escaping with ..', spec: withChanges({ data: csv({ path: '../outside/secret.csv' }), loss: 'crossEntropy', model: csvModel(4) }), problems: [
      ['$.data.path', 'a file inside the allowed directories (<tmp>/allowed)', "'../outside/secret.csv' (<tmp>/outside/secret.csv)"],
    ],
  },
  { name: 'symbolic link escaping the allowed directory', spec: withChanges({ data: csv({ path: 'link.csv' }), loss: 'crossEntropy', model: csvModel(4) }), problems: [
      ['$.data.path', 'a file inside the allowed directories (<tmp>/allowed)', "'link.csv' (<tmp>/allowed/link.csv → <tmp>/outside/secret.csv)"],
    ],
  },
  { name: 'CSV columns not in the header', spec: withChanges({ data: csv({ label: 'specie', features: ['sepal', 'petl'] }), loss: 'crossEntropy', model: csvModel(2) }), problems: [
      ['$.data.label', 'one of the columns of flowers.csv (sepal, petal, width, species, id)', "'specie'"],
      ['$.data.features[1]', 'one of the columns of flowers.csv (sepal, petal, width, species, id)', "'petl'"],
    ],
  },
  { name: 'CSV label index out of range', spec: withChanges({ data: csv({ label: -6 }), loss: 'crossEntropy', model: csvModel(4) }), problems: [
      ['$.data.label', 'a column index in [-5, 5)', '-6'],
    ],
  },
  { name: 'CSV feature that is the label', spec: withChanges({ data: csv({ label: 3, features: ['sepal', 'species'] }), loss: 'crossEntropy', model: csvModel(2) }), problems: [
      ['$.data.features[1]', 'a column other than the label', "'species', the label column"],
    ],
  },
  { name: 'valid options beside a key that needs them pass (nesterov with momentum), a bad one does not', spec: withChanges({ optimizer: { name: 'sgd', options: { momentum: 0.9, nesterov: true, dampening: 2 } } }), problems: [
      ['$.optimizer.options.dampening', 'in [0, 1]', '2'],
    ],
  },
  { name: 'CSV feature count against the first layer', spec: withChanges({ data: csv({}), loss: 'crossEntropy', model: csvModel(3) }), problems: [
      ['$.model.layers[0].args.inFeatures', "4, the data's feature count (flowers.csv)", '3'],
    ],
  },
  { name: 'NPY rows of x and y differ, first layer wrong', spec: withChanges({ data: { source: 'npy', x: 'x.npy', y: 'y10.npy' }, loss: 'crossEntropy', model: csvModel(2) }), problems: [
      ['$.data.y', '48 rows, as many as x.npy', '10 rows'],
      ['$.model.layers[0].args.inFeatures', "3, the data's feature count (x.npy)", '2'],
    ],
  },
  { name: 'IDX file that is not IDX, and a missing one', spec: withChanges({ data: { source: 'idx', x: 'flowers.csv', y: 'labels.idx' }, loss: 'crossEntropy', model: csvModel(4) }), problems: [
      ['$.data.x', 'an IDX file', 'not an IDX file (bad magic number)'],
      ['$.data.y', 'an existing data file', 'no such file: <tmp>/allowed/labels.idx'],
    ],
  },
  { name: 'callback options', spec: withChanges({ callbacks: { earlyStopping: { patience: -1 }, reduceLROnPlateau: { factor: 2, patiense: 3 } } }), problems: [
      ['$.callbacks.earlyStopping.patience', 'an integer ≥ 0', '-1'],
      ['$.callbacks.reduceLROnPlateau.patiense', 'one of the keys monitor, mode, factor, patience, threshold, thresholdMode, cooldown, minLr', "unknown key 'patiense'"],
    ],
  },
  { name: 'checkpoint policy', spec: withChanges({ callbacks: { checkpoint: { everySteps: 0, keep: 'all', best: { monitor: 'val_loss', mode: 'lowest' }, evryEpochs: 1 } } }), problems: [
      ['$.callbacks.checkpoint.everySteps', 'a positive integer', '0'],
      ['$.callbacks.checkpoint.keep', 'a positive integer', "'all'"],
      ['$.callbacks.checkpoint.best.mode', "one of 'min', 'max'", "'lowest'"],
      ['$.callbacks.checkpoint.evryEpochs', 'one of the keys everySteps, everyEpochs, keep, best', "unknown key 'evryEpochs'"],
    ],
  },
  { name: 'preprocessing of an unknown kind', spec: withChanges({ preprocessing: { kind: 'pca' } }), problems: [
      ['$.preprocessing.kind', "a preprocessing whose kind is one of 'minmax', 'zscore', 'zca'", "'pca'"],
    ],
  },
  { name: 'preprocessing options', spec: withChanges({ preprocessing: { kind: 'minmax', featureRange: [0], eps: 1 } }), problems: [
      ['$.preprocessing.featureRange', 'a pair [a, b] of finite numbers', '[0]'],
      ['$.preprocessing.eps', 'one of the keys kind, featureRange', "unknown key 'eps'"],
    ],
  },
  { name: 'crossEntropy on real-valued targets', spec: withChanges({ data: { source: 'linearRegression' }, loss: 'crossEntropy', model: { layers: [linear(1, 2)] } }), problems: [
      ['$.loss', "a regression loss ('mse', 'mae' or 'huber') for linearRegression's real-valued targets", "'crossEntropy'"],
    ],
  },
  { name: 'bce on ten classes', spec: withChanges({ data: { source: 'mnist', n: 50 }, loss: 'bce', model: { layers: [linear(784, 1)] } }), problems: [
      ['$.loss', "'crossEntropy' for mnist's 10 classes (bce takes targets in [0, 1])", "'bce'"],
    ],
  },
  { name: 'validation split that leaves no training row', spec: withChanges({ validationSplit: 0.8 }), problems: [
      ['$.validationSplit', "a fraction that leaves training rows of xor's 4 (⌈split·4⌉ are held out)", '0.8, which holds out all 4'],
    ],
  },
  { name: 'many problems at once', spec: { name: '', model: { layers: [linear(3, 4), tanh, linear(5, 1)] }, data: { source: 'xor' }, loss: 'mse', optimizer: { name: 'sgd', options: { lr: -1 } }, epochs: 0, batchSize: 4, validationSplit: 1.5, seeed: 1 }, problems: [
      ['$.name', 'a non-empty name of at most 200 characters', "''"],
      ['$.epochs', 'a positive integer', '0'],
      ['$.validationSplit', 'a number in [0, 1)', '1.5'],
      ['$.seeed', 'one of the keys name, model, data, preprocessing, loss, optimizer, schedule, epochs, batchSize, validationSplit, metrics, placement, seed, clipNorm, callbacks', "unknown key 'seeed'"],
      ['$.model.layers[0].args.inFeatures', "2, the data's feature count (xor)", '3'],
      ['$.model.layers[2].args.inFeatures', '4, the output of layers[1] (Activation)', '5'],
      ['$.optimizer.options.lr', 'a learning rate: a finite number > 0', '-1'],
    ],
  },
];
