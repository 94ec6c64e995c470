import { Rng, nn, randn, tensor } from '@actorgrad/core';
import { type FitOptions, dataParallel } from '../src/index.js';

/** The run both halves of the resume test share: data, model and training options. */
export function resumeData() {
  const rng = new Rng(11);
  const x = randn([240, 12], { rng });
  const y = tensor(Array.from({ length: 240 }, (_, i) => (x.data[i * 12]! > 0 ? 1 : 0) + (x.data[i * 12 + 1]! > 0 ? 2 : 0)));
  return { x, y };
}

export function resumeModel(): nn.Sequential {
  const rng = new Rng(12);
  return new nn.Sequential(new nn.Linear(12, 32, { rng }), nn.ReLU(), new nn.Dropout(0.25), new nn.Linear(32, 4, { rng }));
}

export const resumeOptions = (epochs: number): FitOptions => ({
  loss: 'crossEntropy',
  optimizer: { name: 'adam', options: { lr: 0.01 } },
  schedule: { name: 'stepLR', args: [0.01, { stepSize: 10, gamma: 0.7 }] },
  epochs,
  batchSize: 32,
  metrics: ['accuracy'],
  placement: dataParallel({ replicas: 2, shards: 2, threads: 2 }),
  seed: 5,
});

export function paramBytes(model: nn.Module): Buffer {
  return Buffer.concat(model.namedParameters().map(([, p]) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)));
}
