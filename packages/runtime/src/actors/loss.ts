import { F, type FloatArray, Tensor } from '@actorgrad/core';
import type { LossKind } from '../protocol.js';

/** The loss of one shard, as Σ(per-sample loss)/batchSize, and its gradient w.r.t. the predictions. */
export function shardLoss(kind: LossKind, pred: Tensor, target: Tensor, batchSize: number, gPred: FloatArray): number {
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
