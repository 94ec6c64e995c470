import { Rng, nn, randn, tensor } from '@actorgrad/core';
import { type Callback, Trainer, inline } from '@actorgrad/runtime';

/** A small real run: 8-16-3 MLP, `rows` rows (64), batch 8 (8 steps an epoch), SGD on inline placement. */
export async function tinyFit(callbacks: Callback[], epochs = 2, rows = 64): Promise<void> {
  const rng = new Rng(1);
  const model = new nn.Sequential(new nn.Linear(8, 16, { rng }), nn.ReLU(), new nn.Linear(16, 3, { rng }));
  const x = randn([rows, 8], { rng });
  const y = tensor(Array.from({ length: rows }, () => rng.int(3)));
  await new Trainer().fit(model, { x, y }, {
    loss: 'crossEntropy',
    optimizer: { name: 'sgd', options: { lr: 0.05 } },
    epochs,
    batchSize: 8,
    metrics: ['accuracy'],
    placement: inline(),
    seed: 1,
    verbose: 0,
    callbacks,
  });
}
