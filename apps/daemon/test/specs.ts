/** Job specs the daemon tests submit. */
export function crashSpec(): Record<string, unknown> {
  return {
    name: 'crash-mlp',
    model: {
      type: 'Sequential',
      children: [
        { type: 'Linear', args: { inFeatures: 20, outFeatures: 512, bias: true, dtype: 'float32' } },
        { type: 'Activation', args: { kind: 'relu' } },
        { type: 'Linear', args: { inFeatures: 512, outFeatures: 512, bias: true, dtype: 'float32' } },
        { type: 'Activation', args: { kind: 'relu' } },
        { type: 'Linear', args: { inFeatures: 512, outFeatures: 5, bias: true, dtype: 'float32' } },
      ],
    },
    data: { builtin: 'random', n: 10240 },
    loss: 'crossEntropy',
    optimizer: { name: 'adam', options: { lr: 0.01 } },
    epochs: 3,
    batchSize: 64,
    seed: 5,
    callbacks: { checkpoint: { everySteps: 10, keep: 2 } },
  };
}

/** The input width of the test specs' data. */
export const INPUT_FEATURES = 20;

function mlp(hidden: number) {
  return {
    type: 'Sequential',
    children: [
      { type: 'Linear', args: { inFeatures: INPUT_FEATURES, outFeatures: hidden, bias: true, dtype: 'float32' } },
      { type: 'Activation', args: { kind: 'relu' } },
      { type: 'Linear', args: { inFeatures: hidden, outFeatures: 5, bias: true, dtype: 'float32' } },
    ],
  };
}

/** A job of a few seconds: 3 epochs of 32 steps. */
export function smallSpec(name: string): Record<string, unknown> {
  return { name, model: mlp(16), data: { builtin: 'random', n: 512 }, loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 0.01 } }, epochs: 3, batchSize: 16, seed: 1 };
}

/** A job that runs long enough to be controlled: 50 epochs of 160 steps of a 20-512-5 MLP. */
export function longSpec(name: string): Record<string, unknown> {
  return { ...smallSpec(name), model: mlp(512), data: { builtin: 'random', n: 10240 }, epochs: 50, batchSize: 64, callbacks: { checkpoint: { everySteps: 50, keep: 2 } } };
}
