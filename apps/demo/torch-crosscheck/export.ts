/**
 * Writes a checkpoint of a trained MNIST-shaped model, plus inputs and the model's outputs as NPY,
 * into the folder given as the first argument; `check.py` then loads the checkpoint into the
 * equivalent torch.nn.Sequential and compares. Needs Debian's python3-torch (not part of the test
 * command: users need not have PyTorch). From apps/demo:
 *   node --conditions=@actorgrad/source --import tsx torch-crosscheck/export.ts OUT && /usr/bin/python3 torch-crosscheck/check.py OUT
 */
import { join } from 'node:path';
import { Rng, nn } from '@actorgrad/core';
import { mnist, saveNpy } from '@actorgrad/io';
import { Trainer, inline, modelCheckpoint } from '@actorgrad/runtime';

const out = process.argv[2];
if (!out) throw new Error('usage: export.ts OUT_DIR');
const d = mnist({ train: 1000, test: 200, seed: 3 });
const rng = new Rng(3);
const model = new nn.Sequential(new nn.Linear(784, 256, { rng }), nn.ReLU(), new nn.Linear(256, 128, { rng }), nn.ReLU(), new nn.Linear(128, 10, { rng }));
const trainer = new Trainer();
await trainer.fit(model, { x: d.xTrain, y: d.yTrain }, {
  loss: 'crossEntropy',
  optimizer: { name: 'adam', options: { lr: 1e-3 } },
  epochs: 2,
  batchSize: 100,
  placement: inline(),
  callbacks: [modelCheckpoint({ path: join(out, 'mnist.safetensors'), every: 2 })],
});
saveNpy(join(out, 'x.npy'), d.xTest);
saveNpy(join(out, 'logits.npy'), trainer.predict(model, d.xTest));
console.log(`wrote ${out}/mnist.safetensors, x.npy, logits.npy`);
