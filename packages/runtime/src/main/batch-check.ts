import { Tensor, fmtShape } from '@actorgrad/core';
import type { LossKind } from '../protocol.js';
import type { Batch } from './step-state.js';

/** What a batch is checked against. */
export interface BatchSpec {
  /** Features per row the first layer expects, or null if it does not say. */
  inFeatures: number | null;
  firstLayer: string;
  shards: number;
  loss: LossKind;
  /** The model's output width (the number of classes for crossEntropy), if known. */
  classes: number | undefined;
}

/** Refuses a batch the engine cannot step on, naming what is wrong (shape, row counts, labels). */
export function checkBatch(batch: Batch, spec: BatchSpec): void {
  const { x, y } = batch ?? ({} as Batch);
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new TypeError('engine.step: batch must be {x: Tensor, y: Tensor}');
  if (x.ndim !== 2) throw new RangeError(`engine.step: batch x must be [N, features], got shape ${fmtShape(x.shape)}`);
  const n = x.shape[0]!;
  if (spec.inFeatures !== null && x.shape[1] !== spec.inFeatures) {
    throw new RangeError(`engine.step: batch x has ${x.shape[1]} features per row but the first layer (${spec.firstLayer}) expects ${spec.inFeatures}`);
  }
  if (y.shape[0] !== n) throw new RangeError(`engine.step: batch y has ${y.shape[0]} rows but x has ${n}`);
  if (n < spec.shards) throw new RangeError(`engine.step: a batch of ${n} rows cannot be split into ${spec.shards} shards`);
  if (spec.loss === 'crossEntropy' && y.ndim === 1) {
    const classes = spec.classes;
    for (let i = 0; i < n; i++) {
      const v = y.data[i]!;
      if (!Number.isInteger(v) || v < 0 || (classes !== undefined && v >= classes)) {
        throw new RangeError(`engine.step: label ${v} at row ${i} is out of range [0, ${classes ?? '?'})`);
      }
    }
  }
}
