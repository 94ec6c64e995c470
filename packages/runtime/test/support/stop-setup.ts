import { Rng, nn, randn, tensor } from '@actorgrad/core';
import { type Callback, type FitOptions, earlyStopping, inline, reduceLROnPlateau } from '../../src/index.js';

/** The run the stop-and-resume tests interrupt: 4 epochs of 7 batches (100 rows, batches of 16). */
export const STOP_EPOCHS = 4;
export const STOP_STEPS_PER_EPOCH = 7;

/** Training and validation data: 6 features, 3 classes (a fresh copy each call). */
export function stopData() {
  const rng = new Rng(21);
  const make = (n: number) => {
    const x = randn([n, 6], { rng });
    const y = tensor(Array.from({ length: n }, (_, i) => (x.data[i * 6]! + x.data[i * 6 + 1]! > 0 ? 1 : 0) + (x.data[i * 6 + 2]! > 0.5 ? 1 : 0)));
    return { x, y };
  };
  return { train: make(100), validation: make(40) };
}

/** tanh (propagates NaN) and dropout (its masks are random per step, layer and shard). */
export function stopModel(seed = 22): nn.Sequential {
  const rng = new Rng(seed);
  return new nn.Sequential(new nn.Linear(6, 16, { rng }), nn.Tanh(), new nn.Dropout(0.2), new nn.Linear(16, 3, { rng }));
}

export const stopOptions = (): FitOptions => ({
  loss: 'crossEntropy',
  optimizer: { name: 'adam', options: { lr: 0.02 } },
  schedule: { name: 'stepLR', args: [0.02, { stepSize: 5, gamma: 0.8 }] },
  epochs: STOP_EPOCHS,
  batchSize: 16,
  metrics: ['accuracy'],
  validationData: stopData().validation,
  placement: inline({ shards: 2 }),
  seed: 7,
});

/** Callbacks with memory a checkpoint must carry (best value, patience, the learning-rate override). */
export const stopCallbacks = (): Callback[] => [earlyStopping({ monitor: 'val_loss', patience: 100 }), reduceLROnPlateau({ monitor: 'loss', patience: 0, factor: 0.7 })];
