import type { Tensor } from '../tensor.js';
import { checkFeatures, checkFinite, checkKind, checkMatrix, columnAffine, columnMeans, notFitted, stateArray } from './matrix.js';
import type { Preprocessor } from './preprocessor.js';

export interface StandardScalerOptions {
  /** ε added to σ in the denominator, as in the lectures' (x − μ)/(σ + ε) (default 0, as scikit-learn). */
  eps?: number;
}

export interface StandardScalerState {
  kind: 'StandardScaler';
  eps: number;
  mean: number[];
  /** σⱼ + ε per feature, with 0 replaced by 1. */
  scale: number[];
}

/**
 * Z-score scaling per feature j, fitted on training data: x′ = (x − μⱼ)/(σⱼ + ε), with
 * μⱼ = (1/N) Σᵢ xᵢⱼ and the population standard deviation σⱼ = √((1/N) Σᵢ (xᵢⱼ − μⱼ)²)
 * (ddof = 0, as scikit-learn's StandardScaler), accumulated in float64 with two passes.
 * On the training set each feature then has mean 0 and standard deviation 1 (for ε = 0).
 * A constant feature (σⱼ + ε = 0) is only centred: its scale is taken as 1.
 */
export class StandardScaler implements Preprocessor<StandardScalerState> {
  readonly eps: number;
  private meanValues: Float64Array | null = null;
  private scaleValues: Float64Array | null = null;

  constructor(options: StandardScalerOptions = {}) {
    const eps = options.eps ?? 0;
    if (!Number.isFinite(eps) || eps < 0) throw new RangeError(`StandardScaler: eps must be a finite number >= 0, got ${eps}`);
    this.eps = eps;
  }

  get fitted(): boolean {
    return this.meanValues !== null;
  }

  /** The fitted means μⱼ. */
  get mean(): Float64Array {
    if (!this.meanValues) throw notFitted('StandardScaler.mean');
    return this.meanValues.slice();
  }

  /** The fitted scales σⱼ + ε (1 for constant features). */
  get scale(): Float64Array {
    if (!this.scaleValues) throw notFitted('StandardScaler.scale');
    return this.scaleValues.slice();
  }

  fit(x: Tensor): this {
    const [n, d] = checkMatrix(x, 'StandardScaler.fit');
    if (n < 1) throw new RangeError('StandardScaler.fit: expected at least 1 row, got 0');
    checkFinite(x, 'StandardScaler.fit');
    const mean = columnMeans(x);
    const ss = new Float64Array(d);
    const a = x.data;
    for (let i = 0, o = 0; i < n; i++, o += d) {
      for (let j = 0; j < d; j++) {
        const c = a[o + j]! - mean[j]!;
        ss[j] += c * c;
      }
    }
    this.meanValues = mean;
    this.scaleValues = ss.map((s) => {
      const scale = Math.sqrt(s / n) + this.eps;
      return scale === 0 ? 1 : scale;
    });
    return this;
  }

  transform(x: Tensor): Tensor {
    const [mean, scale] = this.params('StandardScaler.transform', x);
    return columnAffine(x, mean, scale.map((s) => 1 / s), new Float64Array(mean.length));
  }

  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** x = x′·(σⱼ + ε) + μⱼ. */
  inverseTransform(x: Tensor): Tensor {
    const [mean, scale] = this.params('StandardScaler.inverseTransform', x);
    return columnAffine(x, new Float64Array(mean.length), scale, mean);
  }

  state(): StandardScalerState {
    if (!this.meanValues || !this.scaleValues) throw notFitted('StandardScaler.state');
    return { kind: 'StandardScaler', eps: this.eps, mean: Array.from(this.meanValues), scale: Array.from(this.scaleValues) };
  }

  static fromState(state: StandardScalerState): StandardScaler {
    const where = 'StandardScaler.fromState';
    const s = checkKind(state, 'StandardScaler', where);
    const mean = stateArray(s.mean, null, where, 'mean');
    const scale = stateArray(s.scale, mean.length, where, 'scale');
    scale.forEach((v, j) => {
      if (!(v > 0)) throw new RangeError(`${where}: state.scale[${j}] must be > 0, got ${v}`);
    });
    const scaler = new StandardScaler({ eps: s.eps as number | undefined });
    scaler.meanValues = mean;
    scaler.scaleValues = scale;
    return scaler;
  }

  private params(where: string, x: Tensor): [Float64Array, Float64Array] {
    if (!this.meanValues || !this.scaleValues) throw notFitted(where);
    checkFeatures(x, this.meanValues.length, where);
    return [this.meanValues, this.scaleValues];
  }
}
