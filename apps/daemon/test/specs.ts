/** Job specs the daemon tests submit (two spirals: x [n, 2], y [n, 1] of 0/1). */

/** The input width of the test specs' data. */
export const INPUT_FEATURES = 2;

function mlp(...hidden: number[]) {
  const sizes = [INPUT_FEATURES, ...hidden, 1];
  const layers: unknown[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    if (i > 0) layers.push({ type: 'Activation', args: { kind: 'relu' } });
    layers.push({ type: 'Linear', args: { inFeatures: sizes[i], outFeatures: sizes[i + 1] } });
  }
  return { layers };
}

/** A job of a few seconds: 3 epochs of 32 steps of a 2-16-1 MLP. */
export function smallSpec(name: string): Record<string, unknown> {
  return {
    name,
    model: mlp(16),
    data: { source: 'twoSpirals', n: 512, noise: 0.05 },
    loss: 'bceWithLogits',
    optimizer: { name: 'adam', options: { lr: 0.01 } },
    epochs: 3,
    batchSize: 16,
    placement: 'inline',
    seed: 1,
  };
}

/** A job that runs long enough to be controlled: 50 epochs of 160 steps of a 2-512-1 MLP. */
export function longSpec(name: string): Record<string, unknown> {
  return { ...smallSpec(name), model: mlp(512), data: { source: 'twoSpirals', n: 10240, noise: 0.05 }, epochs: 50, batchSize: 64, callbacks: { checkpoint: { everySteps: 50, keep: 2 } } };
}

/** The crash test's job: 3 epochs of 160 steps of a 2-512-512-1 MLP, a checkpoint every 10 steps. */
export function crashSpec(): Record<string, unknown> {
  return { ...longSpec('crash-mlp'), model: mlp(512, 512), epochs: 3, callbacks: { checkpoint: { everySteps: 10, keep: 2 } } };
}
