import { tensor } from '../creation.js';
import type { DType } from '../dtype.js';
import type { Batch } from './dataset.js';

/**
 * The XOR problem of the lectures: the four corners of the unit square with y = x₁ ⊕ x₂ —
 * x = [[0, 0], [0, 1], [1, 0], [1, 1]] ([4, 2]), y = [[0], [1], [1], [0]] ([4, 1]) — the classic
 * set no linear model separates. float32 unless `dtype` says otherwise.
 */
export function xor(options: { dtype?: DType } = {}): Batch {
  const dtype = options.dtype ?? 'float32';
  return {
    x: tensor([[0, 0], [0, 1], [1, 0], [1, 1]], { dtype }),
    y: tensor([[0], [1], [1], [0]], { dtype }),
  };
}
