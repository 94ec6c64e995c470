import type { Tensor } from '../tensor.js';
import { checkFeatures, checkFinite, checkKind, checkMatrix, columnAffine, notFitted, stateArray } from './matrix.js';
import type { Preprocessor } from './preprocessor.js';

export interface MinMaxScalerOptions {
  /** The target range [a, b] with a < b (default [0, 1]). */
  featureRange?: readonly [number, number];
}

export interface MinMaxScalerState {
  kind: 'MinMaxScaler';
  featureRange: [number, number];
  dataMin: number[];
  dataMax: number[];
}

/**
 * Min-max scaling per feature j, fitted on training data:
 * x′ = a + (x − minⱼ)·(b − a)/(maxⱼ − minⱼ), so the training range maps onto [a, b]
 * (the lectures' x′ = (x − min x)/(max x − min x) is the default [a, b] = [0, 1]).
 * A constant feature (maxⱼ = minⱼ) uses a range of 1 instead of 0, as scikit-learn does, so its
 * training values map to a rather than to a division by zero.
 */
export class MinMaxScaler implements Preprocessor<MinMaxScalerState> {
  readonly featureRange: readonly [number, number];
  private dataMin: Float64Array | null = null;
  private dataMax: Float64Array | null = null;

  constructor(options: MinMaxScalerOptions = {}) {
    const range = options.featureRange ?? [0, 1];
    if (!Array.isArray(range) || range.length !== 2 || !Number.isFinite(range[0]) || !Number.isFinite(range[1]) || !(range[0] < range[1])) {
      throw new RangeError(`MinMaxScaler: featureRange must be [a, b] with finite a < b, got ${JSON.stringify(range)}`);
    }
    this.featureRange = [range[0], range[1]];
  }

  get fitted(): boolean {
    return this.dataMin !== null;
  }

  /** The number of features seen by `fit`. */
  get features(): number {
    if (!this.dataMin) throw notFitted('MinMaxScaler.features');
    return this.dataMin.length;
  }

  fit(x: Tensor): this {
    const [n, d] = checkMatrix(x, 'MinMaxScaler.fit');
    if (n < 1) throw new RangeError('MinMaxScaler.fit: expected at least 1 row, got 0');
    checkFinite(x, 'MinMaxScaler.fit');
    const lo = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
    const hi = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
    const a = x.data;
    for (let i = 0, o = 0; i < n; i++, o += d) {
      for (let j = 0; j < d; j++) {
        const v = a[o + j]!;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
    this.dataMin = lo;
    this.dataMax = hi;
    return this;
  }

  transform(x: Tensor): Tensor {
    const [lo, mul] = this.params('MinMaxScaler.transform', x);
    const add = new Float64Array(lo.length).fill(this.featureRange[0]);
    return columnAffine(x, lo, mul, add);
  }

  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** x = minⱼ + (x′ − a)·(maxⱼ − minⱼ)/(b − a). */
  inverseTransform(x: Tensor): Tensor {
    const [lo, mul] = this.params('MinMaxScaler.inverseTransform', x);
    const sub = new Float64Array(lo.length).fill(this.featureRange[0]);
    return columnAffine(x, sub, mul.map((m) => 1 / m), lo);
  }

  /** The fitted minima, maxima and range: plain data for checkpoints. */
  state(): MinMaxScalerState {
    if (!this.dataMin || !this.dataMax) throw notFitted('MinMaxScaler.state');
    return {
      kind: 'MinMaxScaler',
      featureRange: [this.featureRange[0], this.featureRange[1]],
      dataMin: Array.from(this.dataMin),
      dataMax: Array.from(this.dataMax),
    };
  }

  static fromState(state: MinMaxScalerState): MinMaxScaler {
    const where = 'MinMaxScaler.fromState';
    const s = checkKind(state, 'MinMaxScaler', where);
    const range = stateArray(s.featureRange, 2, where, 'featureRange');
    const lo = stateArray(s.dataMin, null, where, 'dataMin');
    const hi = stateArray(s.dataMax, lo.length, where, 'dataMax');
    lo.forEach((v, j) => {
      if (!(v <= hi[j]!)) throw new RangeError(`${where}: state.dataMin[${j}] = ${v} exceeds state.dataMax[${j}] = ${hi[j]}`);
    });
    const scaler = new MinMaxScaler({ featureRange: [range[0]!, range[1]!] });
    scaler.dataMin = lo;
    scaler.dataMax = hi;
    return scaler;
  }

  /** [minⱼ, (b − a)/(maxⱼ − minⱼ) with a zero range read as 1], after checking x. */
  private params(where: string, x: Tensor): [Float64Array, Float64Array] {
    if (!this.dataMin || !this.dataMax) throw notFitted(where);
    checkFeatures(x, this.dataMin.length, where);
    const [a, b] = this.featureRange;
    const lo = this.dataMin;
    const hi = this.dataMax;
    const mul = lo.map((v, j) => (b - a) / (hi[j]! - v === 0 ? 1 : hi[j]! - v));
    return [lo, mul];
  }
}
