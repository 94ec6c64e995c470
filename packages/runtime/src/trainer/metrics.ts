import { F, type Tensor, fmtShape } from '@actorgrad/core';
import type { LossKind } from '../protocol.js';

import type { MetricName, MetricSums } from '../run-state.js';

export type { MetricName, MetricSums };

/** Running sums for the loss and metrics over batches; `result()` gives the means. */
export class MetricAccumulator {
  private sums = new Map<string, number>();
  private count = 0;

  constructor(
    readonly loss: LossKind,
    readonly metrics: readonly MetricName[],
  ) {
    for (const m of metrics) {
      if (!(m === 'accuracy' || m === 'mae' || m === 'mse' || /^topK:[1-9]\d*$/.test(m))) {
        throw new RangeError(`metrics: unknown metric '${m}'; expected accuracy, topK:<k>, mae or mse`);
      }
    }
  }

  /**
   * Adds one batch: predictions [N, C] (logits or values) and targets. `batchLossSum`, the batch's
   * loss summed over its samples, is taken as given where the caller has it (a training step
   * computed it; recomputing it from the predictions on the main thread cost ~0.1 ms a step).
   */
  add(pred: Tensor, target: Tensor, batchLossSum?: number): void {
    const n = pred.shape[0]!;
    this.bump('loss', batchLossSum ?? lossSum(this.loss, pred, target));
    for (const m of this.metrics) this.bump(m, metricSum(m, pred, target));
    this.count += n;
  }

  private bump(k: string, v: number): void {
    this.sums.set(k, (this.sums.get(k) ?? 0) + v);
  }

  result(): Record<string, number> {
    return Object.fromEntries([...this.sums].map(([k, v]) => [k, v / this.count]));
  }

  /** The running sums and row count, as plain data (a checkpoint taken inside an epoch keeps them). */
  snapshot(): MetricSums {
    return { sums: Object.fromEntries(this.sums), count: this.count };
  }

  /** Continues from a {@link snapshot}: the epoch's result is then the same as if never interrupted. */
  restore(s: MetricSums): void {
    this.sums = new Map(Object.entries(s.sums));
    this.count = s.count;
  }
}

/** Σ over the batch of the per-sample loss (same normalisation as training: mean over samples). */
function lossSum(kind: LossKind, pred: Tensor, target: Tensor): number {
  const n = pred.shape[0]!;
  const perSample = kind === 'crossEntropy' ? 1 : pred.size / n;
  const labels = target.ndim === 2 && kind === 'crossEntropy' && target.shape[1] === 1 ? target.reshape([n]) : target;
  switch (kind) {
    case 'crossEntropy':
      return F.crossEntropy(pred, labels, 'sum').item();
    case 'mse':
      return F.mse(pred, target, 'sum').item() / perSample;
    case 'mae':
      return F.mae(pred, target, 'sum').item() / perSample;
    case 'huber':
      return F.huber(pred, target, 1, 'sum').item() / perSample;
    case 'bce':
      return F.bce(pred, target, 'sum').item() / perSample;
    case 'bceWithLogits':
      return F.bceWithLogits(pred, target, 'sum').item() / perSample;
  }
}

function metricSum(m: MetricName, pred: Tensor, target: Tensor): number {
  const n = pred.shape[0]!;
  if (m === 'mae' || m === 'mse') {
    if (pred.size !== target.size) throw new RangeError(`metrics: ${m} needs targets shaped like predictions ${fmtShape(pred.shape)}, got ${fmtShape(target.shape)}`);
    let s = 0;
    for (let i = 0; i < pred.size; i++) {
      const d = pred.data[i]! - target.data[i]!;
      s += m === 'mae' ? Math.abs(d) : d * d;
    }
    return (s / pred.size) * n;
  }
  const k = m === 'accuracy' ? 1 : Number(m.slice(5));
  const c = pred.shape[1] ?? 1;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const label = target.ndim === 2 && target.shape[1] === c && c > 1 ? argmaxRow(target.data, i * c, c) : target.data[target.ndim === 2 ? i * target.shape[1]! : i]!;
    if (c === 1) {
      // Binary output: a probability or a logit compared with 0.5 / 0.
      const p = pred.data[i]!;
      hits += Number((p > (p >= 0 && p <= 1 ? 0.5 : 0) ? 1 : 0) === label);
      continue;
    }
    const v = pred.data[i * c + label]!;
    let above = 0;
    for (let j = 0; j < c; j++) if (pred.data[i * c + j]! > v || (pred.data[i * c + j] === v && j < label)) above++;
    hits += Number(above < k);
  }
  return hits;
}

function argmaxRow(d: ArrayLike<number>, off: number, c: number): number {
  let best = 0;
  for (let j = 1; j < c; j++) if (d[off + j]! > d[off + best]!) best = j;
  return best;
}
