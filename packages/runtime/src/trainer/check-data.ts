import { type DType, Tensor, fmtShape, nn, noGrad, zeros } from '@actorgrad/core';
import { resolvePlacement } from '../main/placement.js';
import type { LossKind } from '../protocol.js';
import type { Data } from './callback.js';
import type { DataInput } from './fit-options.js';
import { show, unknownKey } from './option-errors.js';
import type { FitOptions } from './trainer.js';

/**
 * Data checks of `fit`, `evaluate` and `predict`, before any work: `{x, y}` of tensors or plain
 * arrays (converted in one pass, to the model's dtype, float32 by default like tf.tensor), no NaN or
 * ±Inf (the first one named by row and column: one pass, no allocation), rows of x and y that
 * agree, x's columns that the first layer takes, and targets that fit the loss and the model's
 * output (a regression target [N] for an output [N, 1] is reshaped; class labels are integers in
 * range).
 */

const where = (r: number, cols: number | null, c: number) => (cols === null ? `at row ${r}` : `at row ${r}, column ${c}`);

/** Index of the first NaN or ±Inf of `a`, or −1 (`v − v` is 0 exactly for finite v). */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

/** Throws `fit: training data x has NaN at row 17, column 3` for the first non-finite element of t. */
export function checkFinite(fn: string, label: string, t: Tensor): void {
  const i = firstNonFinite(t.data);
  if (i < 0) return;
  const cols = t.ndim === 1 ? null : t.size / t.shape[0]!;
  throw new RangeError(`${fn}: ${label} has ${t.data[i]} ${where(cols === null ? i : Math.floor(i / cols), cols, cols === null ? 0 : i % cols)}`);
}

/** number[][] → a [rows, cols] tensor of `dtype`, checking every row and element on the way. */
function fromRows(fn: string, label: string, rows: unknown[], dtype: DType): Tensor {
  const first = rows[0];
  const cols = Array.isArray(first) ? first.length : 0;
  const out = zeros([rows.length, cols], { dtype });
  const d = out.data;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) throw new TypeError(`${fn}: ${label} row ${r} must be an array of ${cols} numbers, got ${show(row)}`);
    if (row.length !== cols) throw new RangeError(`${fn}: ${label} row ${r} has ${row.length} columns, row 0 has ${cols}`);
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v !== 'number') throw new TypeError(`${fn}: ${label} at row ${r}, column ${c} must be a number, got ${show(v)}`);
      const k = r * cols + c;
      d[k] = v;
      if (d[k]! - d[k]! !== 0) throw new RangeError(`${fn}: ${label} has ${v} ${where(r, cols, c)}${v - v === 0 ? ` (out of ${dtype} range)` : ''}`);
    }
  }
  return out;
}

/** number[] → a 1-D tensor. */
function fromList(fn: string, label: string, list: unknown[], dtype: DType): Tensor {
  const out = zeros([list.length], { dtype });
  for (let r = 0; r < list.length; r++) {
    const v = list[r];
    if (typeof v !== 'number') throw new TypeError(`${fn}: ${label} at row ${r} must be a number, got ${show(v)}`);
    out.data[r] = v;
    if (out.data[r]! - out.data[r]! !== 0) throw new RangeError(`${fn}: ${label} has ${v} at row ${r}${v - v === 0 ? ` (out of ${dtype} range)` : ''}`);
  }
  return out;
}

const modelDtype = (model: nn.Module): DType => model.namedParameters()[0]?.[1].dtype ?? 'float32';

/** Inputs as a checked [N, features] tensor: a Tensor or number[][], finite, with the columns the first layer takes. */
export function toInputs(fn: string, label: string, x: unknown, model: nn.Module): Tensor {
  let t: Tensor;
  if (x instanceof Tensor) {
    if (x.ndim !== 2) throw new RangeError(`${fn}: ${label} must be [N, features], got shape ${fmtShape(x.shape)}`);
    checkFinite(fn, label, x);
    t = x;
  } else if (Array.isArray(x) && (x.length === 0 || Array.isArray(x[0]))) {
    t = fromRows(fn, label, x, modelDtype(model));
  } else if (Array.isArray(x)) {
    throw new TypeError(`${fn}: ${label} must be [N, features] (number[][] or a Tensor), got a flat array; for one feature per row write [[x0], [x1], …]`);
  } else {
    throw new TypeError(`${fn}: ${label} must be a Tensor or number[][], got ${show(x)}`);
  }
  const first = model instanceof nn.Sequential ? model.layers[0] : model instanceof nn.Linear ? model : undefined;
  if (first instanceof nn.Linear && t.shape[0]! > 0 && t.shape[1] !== first.inFeatures) {
    throw new RangeError(`${fn}: ${label} has ${t.shape[1]} columns but the model's first layer (Linear) takes ${first.inFeatures}`);
  }
  return t;
}

/** The model's output columns for one row of `features` zeros (evaluation mode, no graph). */
function outputColumns(model: nn.Module, features: number, dtype: DType): number {
  const was = model.training;
  model.eval();
  try {
    const y = noGrad(() => model.forward(zeros([1, features], { dtype })));
    return y.ndim === 1 ? 1 : y.size;
  } finally {
    model.train(was);
  }
}

/** Targets checked against the loss and the output: class labels in [0, C), bce targets in [0, 1], shapes. */
function toTargets(fn: string, what: string, y: unknown, x: Tensor, model: nn.Module, loss: LossKind): Tensor {
  const label = `${what} y`;
  let t: Tensor;
  if (y instanceof Tensor) {
    checkFinite(fn, label, y);
    t = y;
  } else if (Array.isArray(y) && y.length > 0 && Array.isArray(y[0])) t = fromRows(fn, label, y, x.dtype);
  else if (Array.isArray(y)) t = fromList(fn, label, y, x.dtype);
  else throw new TypeError(`${fn}: ${label} must be a Tensor, number[] or number[][], got ${show(y)}`);
  const n = x.shape[0]!;
  if (t.shape[0] !== n) throw new RangeError(`${fn}: ${label} has ${t.shape[0] ?? 0} rows but ${what} x has ${n}`);
  const c = outputColumns(model, x.shape[1]!, x.dtype);
  if (loss === 'crossEntropy') {
    if (t.ndim === 2 && t.shape[1] === 1 && c > 1) t = t.reshape([n]);
    if (t.ndim === 1) {
      for (let i = 0; i < n; i++) {
        const v = t.data[i]!;
        if (!Number.isInteger(v) || v < 0 || v >= c) {
          throw new RangeError(`${fn}: ${label} has label ${v} at row ${i}; crossEntropy takes integer class labels in [0, ${c}) (the model has ${c} outputs)`);
        }
      }
      return t;
    }
    if (t.ndim !== 2 || t.shape[1] !== c) throw new RangeError(`${fn}: ${label} must be [${n}] class labels or [${n}, ${c}] class probabilities for crossEntropy, got shape ${fmtShape(t.shape)}`);
    return t;
  }
  if (t.ndim === 1 && c === 1) t = t.reshape([n, 1]);
  if (t.ndim !== 2 || t.shape[1] !== c) {
    throw new RangeError(`${fn}: ${label} must be [${n}, ${c}] like the model's output for ${loss}, got shape ${fmtShape(t.shape)}`);
  }
  if (loss === 'bce' || loss === 'bceWithLogits') {
    for (let i = 0; i < t.size; i++) {
      const v = t.data[i]!;
      if (v < 0 || v > 1) throw new RangeError(`${fn}: ${label} has ${v} ${where(Math.floor(i / c), c, i % c)}; ${loss} takes targets in [0, 1]`);
    }
  }
  return t;
}

/** `{x, y}` as checked tensors for `loss` on `model`; `what` names it in messages (`training data`). */
export function toData(fn: string, what: string, d: unknown, model: nn.Module, loss: LossKind): Data {
  if (d === null || typeof d !== 'object' || Array.isArray(d) || d instanceof Tensor) {
    throw new TypeError(`${fn}: ${what} must be {x, y} with x a Tensor or number[][] and y a Tensor, number[] or number[][], got ${show(d)}`);
  }
  const extra = Object.keys(d).filter((k) => k !== 'x' && k !== 'y');
  if (extra.length > 0) throw new TypeError(unknownKey(fn, extra[0]!, what, ['x', 'y'], extra.slice(1), 'key'));
  const { x, y } = d as Partial<DataInput>;
  if (x === undefined) throw new TypeError(`${fn}: ${what}.x is required (a Tensor [N, features] or number[][])`);
  if (y === undefined) throw new TypeError(`${fn}: ${what}.y is required (a Tensor, number[] or number[][])`);
  const xt = toInputs(fn, `${what} x`, x, model);
  if (xt.shape[0] === 0) throw new RangeError(`${fn}: ${what} is empty (x has 0 rows)`);
  return { x: xt, y: toTargets(fn, what, y, xt, model, loss) };
}

/** fit's training and validation data, checked and converted; also the validation split's sizes. */
export function checkFitData(model: unknown, data: unknown, o: FitOptions): { train: Data; validation: Data | undefined } {
  if (!(model instanceof nn.Sequential)) throw new TypeError(`fit: model must be an nn.Sequential, got ${show(model)}`);
  const train = toData('fit', 'training data', data, model, o.loss);
  const validation = o.validationData === undefined ? undefined : toData('fit', 'validationData', o.validationData, model, o.loss);
  if (validation && o.validationSplit !== undefined) throw new RangeError('fit: give options.validationData or options.validationSplit, not both');
  let rows = train.x.shape[0]!;
  if (o.validationSplit !== undefined) {
    rows -= Math.max(1, Math.round(rows * o.validationSplit));
    if (rows < 1) throw new RangeError(`fit: options.validationSplit ${o.validationSplit} of ${train.x.shape[0]} rows leaves no training rows`);
  }
  // Fewer rows than shards would make every batch too small to split: the loader drops it, and the
  // run would "complete" without a single step. (`auto` picks its shards later, by model size.)
  if (o.placement && o.placement.kind !== 'auto') {
    const { shards } = resolvePlacement(o.placement, 0);
    if (rows < shards) throw new RangeError(`fit: ${rows} training rows cannot be split into the ${shards} shards of options.placement (${o.placement.kind})`);
  }
  return { train, validation };
}
