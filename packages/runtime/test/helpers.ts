import { Rng, type Tensor, data, nn, randn, tensor } from '@actorgrad/core';
import { type FitOptions, inline } from '../src/index.js';

/** A 3-layer MLP (with dropout when `p` > 0), deterministic by seed. */
export function mlp(seed: number, sizes = [20, 32, 16, 5], p = 0.2): nn.Sequential {
  const rng = new Rng(seed);
  const layers: nn.Module[] = [];
  for (let i = 0; i < sizes.length - 1; i++) {
    layers.push(new nn.Linear(sizes[i]!, sizes[i + 1]!, { rng }));
    if (i < sizes.length - 2) {
      layers.push(nn.ReLU());
      if (p > 0) layers.push(new nn.Dropout(p));
    }
  }
  return new nn.Sequential(...layers);
}

/** A classification batch with labels in [0, classes). */
export function batch(seed: number, n: number, features: number, classes: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = randn([n, features], { rng });
  const y = tensor(Array.from({ length: n }, () => rng.int(classes)));
  return { x, y };
}

/** The parameters' bytes, for bit-identity comparisons. */
export function paramBytes(model: nn.Module): Buffer {
  return Buffer.concat(model.namedParameters().map(([, p]) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)));
}

/**
 * 32 rows of regression data with values of order 1 000 and a 2-8-1 ReLU net: with SGD at a
 * large learning rate the loss overflows within a few steps (the non-finite-loss tests).
 */
export function diverging(): { data: { x: Tensor; y: Tensor }; model: nn.Sequential } {
  const rng = new Rng(5);
  const x = tensor(Array.from({ length: 64 }, () => rng.normal() * 1e3), { shape: [32, 2] });
  const y = tensor(Array.from({ length: 32 }, () => rng.normal() * 1e3), { shape: [32, 1] });
  const model = new nn.Sequential(new nn.Linear(2, 8, { rng }), nn.ReLU(), new nn.Linear(8, 1, { rng }));
  return { data: { x, y }, model };
}

/** 120 points of the two spirals (seed 1), labels flattened: the small classification run of the callback tests. */
export function spirals(): { x: Tensor; y: Tensor } {
  const s = data.twoSpirals({ n: 120, noise: 0.05, seed: 1 });
  return { x: s.x, y: s.y.reshape([-1]) };
}

/** A 2-8-2 tanh net for `spirals()`, deterministic. */
export function spiralsNet(): nn.Sequential {
  const rng = new Rng(1);
  return new nn.Sequential(new nn.Linear(2, 8, { rng }), nn.Tanh(), new nn.Linear(8, 2, { rng }));
}

/** Fit options for `spirals()`: Adam 0.02, 3 epochs of 40-row batches, inline, accuracy, 25 % validation. */
export function spiralsFitOptions(): FitOptions {
  return { loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 0.02 } }, epochs: 3, batchSize: 40, placement: inline(), metrics: ['accuracy'], validationSplit: 0.25 };
}
