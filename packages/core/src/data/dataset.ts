import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { describe } from './matrix.js';
import { takeRows } from './take-rows.js';

/** A batch of examples: inputs `x` and targets `y`, rows along axis 0. */
export interface Batch {
  x: Tensor;
  y: Tensor;
}

/**
 * A collection of `length` examples that hands out whole batches at once. Fetching a batch by a
 * list of row indices (rather than one example at a time, then stacking) keeps a training step to
 * a couple of block copies.
 */
export interface Dataset {
  readonly length: number;
  /** The examples at `indices`, in that order, as fresh tensors. */
  batch(indices: Int32Array): Batch;
  /** Optional: the same examples written into `out` (a batch of that many examples from `batch`), returned. */
  batchInto?(indices: Int32Array, out: Batch): Batch;
}

/**
 * A dataset over two tensors whose rows (axis 0) are the examples: example i is `(x[i], y[i])`,
 * like `torch.utils.data.TensorDataset`.
 */
export class TensorDataset implements Dataset {
  readonly x: Tensor;
  readonly y: Tensor;

  constructor(x: Tensor, y: Tensor) {
    for (const [name, t] of [['x', x], ['y', y]] as const) {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: ${name} must be a Tensor, got ${describe(t)}`);
      if (t.ndim === 0) throw new RangeError(`TensorDataset: ${name} needs a row axis, got shape ${fmtShape(t.shape)}`);
    }
    if (x.shape[0] !== y.shape[0]) {
      throw new RangeError(
        `TensorDataset: x and y must have the same number of rows, got x ${fmtShape(x.shape)} (${x.shape[0]} rows) and y ${fmtShape(y.shape)} (${y.shape[0]} rows)`,
      );
    }
    this.x = x;
    this.y = y;
  }

  get length(): number {
    return this.x.shape[0]!;
  }

  batch(indices: Int32Array): Batch {
    return {
      x: takeRows(this.x, indices, 'TensorDataset.batch'),
      y: takeRows(this.y, indices, 'TensorDataset.batch'),
    };
  }

  batchInto(indices: Int32Array, out: Batch): Batch {
    takeRows(this.x, indices, 'TensorDataset.batchInto', out.x);
    takeRows(this.y, indices, 'TensorDataset.batchInto', out.y);
    return out;
  }

  /** A new dataset holding copies of the rows at `indices`, in that order. */
  subset(indices: Int32Array): TensorDataset {
    const { x, y } = this.batch(indices);
    return new TensorDataset(x, y);
  }
}
