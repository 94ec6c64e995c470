import { nn, noGrad, zeros } from '@actorgrad/core';

/** The output width of every layer, found by running the model once on one zero row. */
export function probeOutFeatures(model: nn.Sequential, inFeatures: number): number[] {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let h = zeros([1, inFeatures], { dtype: model.namedParameters()[0]?.[1].dtype ?? 'float32' });
      return model.layers.map((m) => {
        h = m.forward(h);
        return h.shape[1]!;
      });
    });
  } finally {
    model.train(wasTraining);
  }
}

/** Multiply-adds per sample of the model's Linear layers (what `auto` placement sizes by). */
export function macsPerSample(model: nn.Sequential): number {
  return model.layers.reduce((a, m) => a + (m instanceof nn.Linear ? m.inFeatures * m.outFeatures : 0), 0);
}
