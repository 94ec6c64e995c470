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
