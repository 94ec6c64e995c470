import { allocShared, type DType } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * Helpers shared by the preprocessing steps: checks on `[N, features]` tensors and column-wise
 * statistics accumulated in float64. @internal
 */

/** Checks that `x` is a 2-D tensor `[N, features]` and returns `[N, features]`. */
export function checkMatrix(x: unknown, where: string): [number, number] {
  if (!(x instanceof Tensor)) throw new TypeError(`${where}: expected a Tensor, got ${describe(x)}`);
  if (x.ndim !== 2) throw new RangeError(`${where}: expected a 2-D tensor [N, features], got shape ${fmtShape(x.shape)}`);
  return [x.shape[0]!, x.shape[1]!];
}

/** Checks that `x` is `[N, features]` with the fitted number of features. */
export function checkFeatures(x: unknown, features: number, where: string): number {
  const [n, d] = checkMatrix(x, where);
  if (d !== features) throw new RangeError(`${where}: expected ${features} features, got ${d}`);
  return n;
}

/** Throws unless every element of `x` is finite, naming the first offending row and feature. */
export function checkFinite(x: Tensor, where: string): void {
  const d = x.shape[1]!;
  const a = x.data;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) {
      throw new RangeError(`${where}: x must be finite, got ${a[i]} at row ${Math.floor(i / d)}, feature ${i % d}`);
    }
  }
}

export function notFitted(where: string): Error {
  return new Error(`${where}: not fitted; call fit(x) on the training data first`);
}

/** Per-column mean μⱼ = (1/N) Σᵢ xᵢⱼ, in float64. */
export function columnMeans(x: Tensor): Float64Array {
  const [n, d] = [x.shape[0]!, x.shape[1]!];
  const a = x.data;
  const mean = new Float64Array(d);
  for (let i = 0, o = 0; i < n; i++, o += d) for (let j = 0; j < d; j++) mean[j] += a[o + j]!;
  for (let j = 0; j < d; j++) mean[j] /= n;
  return mean;
}

/** The element-wise map x′ᵢⱼ = (xᵢⱼ − subⱼ)·mulⱼ + addⱼ, in float64, into a fresh tensor of x's dtype. */
export function columnAffine(x: Tensor, sub: Float64Array, mul: Float64Array, add: Float64Array): Tensor {
  const [n, d] = [x.shape[0]!, x.shape[1]!];
  const a = x.data;
  const out = allocShared(x.dtype, a.length);
  for (let i = 0, o = 0; i < n; i++, o += d) {
    for (let j = 0; j < d; j++) out[o + j] = (a[o + j]! - sub[j]!) * mul[j]! + add[j]!;
  }
  return new Tensor(out, [n, d]);
}

/** x′ = (x − sub)·M with M a row-major d×d float64 matrix (rows of x are row vectors). */
export function centredMatmul(x: Tensor, sub: Float64Array, m: Float64Array, dtype: DType = x.dtype): Tensor {
  const [n, d] = [x.shape[0]!, x.shape[1]!];
  const a = x.data;
  const out = allocShared(dtype, a.length);
  const row = new Float64Array(d);
  const acc = new Float64Array(d);
  for (let i = 0, o = 0; i < n; i++, o += d) {
    for (let k = 0; k < d; k++) row[k] = a[o + k]! - sub[k]!;
    acc.fill(0);
    for (let k = 0; k < d; k++) {
      const r = row[k]!;
      const mk = k * d;
      for (let j = 0; j < d; j++) acc[j] += r * m[mk + j]!;
    }
    out.set(acc, o);
  }
  return new Tensor(out, [n, d]);
}

/** Checks that a state field is an array of `length` finite numbers and returns it as float64. */
export function stateArray(v: unknown, length: number | null, where: string, name: string): Float64Array {
  if (!Array.isArray(v)) throw new TypeError(`${where}: state.${name} must be an array of numbers, got ${describe(v)}`);
  if (length !== null && v.length !== length) {
    throw new RangeError(`${where}: state.${name} must have ${length} entries, got ${v.length}`);
  }
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) {
      throw new TypeError(`${where}: state.${name}[${i}] must be a finite number, got ${String(v[i])}`);
    }
  }
  return Float64Array.from(v as number[]);
}

/** Checks a state's `kind` tag. */
export function checkKind(state: unknown, kind: string, where: string): Record<string, unknown> {
  if (typeof state !== 'object' || state === null) throw new TypeError(`${where}: expected a state object, got ${describe(state)}`);
  const s = state as Record<string, unknown>;
  if (s.kind !== kind) throw new TypeError(`${where}: expected state.kind ${JSON.stringify(kind)}, got ${JSON.stringify(s.kind)}`);
  return s;
}

export function describe(v: unknown): string {
  if (v instanceof Tensor) return `a tensor of shape ${fmtShape(v.shape)}`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
