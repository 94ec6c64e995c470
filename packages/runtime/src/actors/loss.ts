import { F, type FloatArray, Tensor } from '@actorgrad/core';
import type { LossKind } from '../protocol.js';

/**
 * Cross-entropy from logits [n, C] with class-index targets, written directly (no graph): per row
 * ℓ = logΣe^{z−m} − (z_y − m) and ∂ℓ/∂z = softmax(z) − onehot(y), both divided by the batch size.
 * Same definition as `F.crossEntropy` (max-shifted log-sum-exp), computed in float64.
 */
function crossEntropyLabels(pred: Tensor, labels: FloatArray, batchSize: number, gPred: FloatArray): number {
  const n = pred.shape[0]!;
  const c = pred.shape[1]!;
  const z = pred.data;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let m = z[o]!;
    for (let j = 1; j < c; j++) if (z[o + j]! > m) m = z[o + j]!;
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(z[o + j]! - m);
    const lse = Math.log(s);
    const y = labels[i]!;
    total += lse - (z[o + y]! - m);
    for (let j = 0; j < c; j++) gPred[o + j] = (Math.exp(z[o + j]! - m) / s - (j === y ? 1 : 0)) / batchSize;
  }
  return total / batchSize;
}

/** The loss of one shard, as Σ(per-sample loss)/batchSize, and its gradient w.r.t. the predictions. */
export function shardLoss(kind: LossKind, pred: Tensor, target: Tensor, batchSize: number, gPred: FloatArray): number {
  if (kind === 'crossEntropy' && pred.ndim === 2 && target.size === pred.shape[0]) return crossEntropyLabels(pred, target.data, batchSize, gPred);
  const p = new Tensor(pred.data, pred.shape, true);
  let l: Tensor;
  switch (kind) {
    case 'crossEntropy':
      l = F.crossEntropy(p, target.ndim === 2 && target.shape[1] === p.shape[1] ? target : target.reshape([-1]), 'sum');
      break;
    case 'mse':
      l = F.mse(p, target, 'sum');
      break;
    case 'mae':
      l = F.mae(p, target, 'sum');
      break;
    case 'huber':
      l = F.huber(p, target, 1, 'sum');
      break;
    case 'bce':
      l = F.bce(p, target, 'sum');
      break;
    case 'bceWithLogits':
      l = F.bceWithLogits(p, target, 'sum');
      break;
    default:
      throw new RangeError(`loss: unknown kind '${kind as string}'`);
  }
  // For mse-like losses torch's 'mean' divides by every element; per sample we divide by the
  // number of elements per sample too, so the shards add up to the batch's mean loss.
  const perSample = kind === 'crossEntropy' ? 1 : p.size / p.shape[0]!;
  const scaled = l.div(batchSize * perSample);
  scaled.backward();
  gPred.set(p.grad!.data);
  return scaled.item();
}
