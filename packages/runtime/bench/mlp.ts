import { Rng, nn } from '@actorgrad/core';

/** The benchmarks' MLP: 784-256-128-10 ReLU, weights from `Rng(seed)` (the anchors' network). */
export function benchMlp(seed = 1): nn.Sequential {
  const rng = new Rng(seed);
  return new nn.Sequential(new nn.Linear(784, 256, { rng }), nn.ReLU(), new nn.Linear(256, 128, { rng }), nn.ReLU(), new nn.Linear(128, 10, { rng }));
}
