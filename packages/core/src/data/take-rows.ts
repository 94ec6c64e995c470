import { allocShared } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * The rows `t[indices[0]], t[indices[1]], …` (along axis 0) copied into a fresh tensor of shape
 * `[indices.length, ...t.shape.slice(1)]` — or into `into`, a tensor of that shape and dtype, which
 * is returned. Runs of consecutive indices are copied with one typed-array `set`, so an unshuffled
 * batch is a single block copy. The result has no autograd graph.
 */
export function takeRows(t: Tensor, indices: Int32Array, where = 'takeRows', into?: Tensor): Tensor {
  if (t.ndim === 0) throw new RangeError(`${where}: expected a tensor with a row axis, got shape ${fmtShape(t.shape)}`);
  if (!(indices instanceof Int32Array)) throw new TypeError(`${where}: indices must be an Int32Array`);
  const n = t.shape[0]!;
  const k = indices.length;
  const row = n === 0 ? 0 : t.size / n;
  const src = t.data;
  const shape = [k, ...t.shape.slice(1)];
  if (into && (into.dtype !== t.dtype || into.ndim !== shape.length || into.shape.some((d, i) => d !== shape[i]))) {
    throw new RangeError(`${where}: the output must be ${fmtShape(shape)} ${t.dtype}, got ${fmtShape(into.shape)} ${into.dtype}`);
  }
  const out = into ? into.data : allocShared(t.dtype, k * row);
  let i = 0;
  while (i < k) {
    const start = indices[i]!;
    if (start < 0 || start >= n) throw new RangeError(`${where}: index ${start} at position ${i} is out of range for ${n} rows`);
    let end = i + 1;
    while (end < k && indices[end] === start + (end - i)) end++;
    const count = end - i;
    if (start + count > n) throw new RangeError(`${where}: index ${n} at position ${i + n - start} is out of range for ${n} rows`);
    if (row === 1 && count === 1) out[i] = src[start]!;
    else out.set(src.subarray(start * row, (start + count) * row), i * row);
    i = end;
  }
  return into ?? new Tensor(out, shape);
}
