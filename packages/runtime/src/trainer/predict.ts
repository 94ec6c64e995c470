import { F, type Tensor, nn } from '@actorgrad/core';

/** What `Trainer.predict` returns: the model's outputs, probabilities, or class indices. */
export type PredictReturns = 'raw' | 'probabilities' | 'classes';

export interface PredictOptions {
  /** Rows per forward pass (default 256). */
  batchSize?: number;
  /** 'raw' (default): the outputs as they are; 'probabilities'; 'classes': a [N] tensor of class indices. */
  returns?: PredictReturns;
}

const RETURNS: readonly PredictReturns[] = ['raw', 'probabilities', 'classes'];

/** The activation the model ends in, if it is one that already gives probabilities (or log-probabilities). */
export function outputActivation(model: nn.Module): 'softmax' | 'sigmoid' | 'logSoftmax' | null {
  let last: nn.Module | undefined = model;
  while (last instanceof nn.Sequential) last = last.layers[last.layers.length - 1];
  const spec = last?.spec();
  if (spec?.type !== 'Activation') return null;
  const kind = spec.args?.kind;
  return kind === 'softmax' || kind === 'sigmoid' || kind === 'logSoftmax' ? kind : null;
}

/**
 * Turns a model's outputs `raw` ([N, C], or [N] read as C = 1) into what `returns` asks for.
 *
 * - probabilities: softmax over the last axis for C > 1, σ(z) = 1/(1 + e⁻ᶻ) for C = 1, unless the
 *   model ends in a Softmax/Sigmoid already (then `raw` as it is; exp of a LogSoftmax's output).
 * - classes: argmax over the last axis for C > 1; for C = 1, 1 where p > 0.5 after a Sigmoid
 *   layer, where the logit > 0 otherwise. Always a [N] tensor.
 */
export function predictionsAs(returns: PredictReturns, raw: Tensor, model: nn.Module): Tensor {
  if (!RETURNS.includes(returns)) throw new RangeError(`predict: returns must be one of ${RETURNS.join(', ')}, got ${JSON.stringify(returns)}`);
  if (returns === 'raw') return raw;
  const act = outputActivation(model);
  const binary = raw.ndim === 1 || raw.shape[raw.ndim - 1] === 1;
  if (returns === 'classes') {
    if (!binary) return raw.argmax(-1);
    return raw.gt(act === 'sigmoid' ? 0.5 : 0).reshape([raw.shape[0]!]);
  }
  if (act === 'softmax' || act === 'sigmoid') return raw;
  if (act === 'logSoftmax') return raw.exp();
  return binary ? raw.sigmoid() : F.softmax(raw, -1);
}
