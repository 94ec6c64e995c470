import { allocShared } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { eigh } from './eigh.js';
import { centredMatmul, checkFeatures, checkFinite, checkKind, checkMatrix, columnMeans, notFitted, stateArray } from './matrix.js';
import type { Preprocessor } from './preprocessor.js';

export interface ZCAWhiteningOptions {
  /** ε added to each eigenvalue before the inverse square root (default 1e-5). */
  eps?: number;
}

export interface ZCAWhiteningState {
  kind: 'ZCAWhitening';
  eps: number;
  mean: number[];
  /** Eigenvalues λₖ of the training covariance, ascending. */
  eigenvalues: number[];
  /** Row-major d×d U; column k is the eigenvector of λₖ. */
  eigenvectors: number[];
}

/**
 * ZCA ("zero-phase") whitening, fitted on training data: x′ = W(x − μ) with
 * W = Σ^(−1/2) = U diag(1/√(λ + ε)) Uᵀ, where Σ = U diag(λ) Uᵀ is the covariance of the centred
 * training data, Σ = (1/(N − 1)) Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ — the lectures' W = (1/√(N−1))·(XXᵀ)^(−1/2)
 * up to ε. The whitened training data have covariance I (up to λ/(λ + ε)); among all whitening
 * matrices W is the symmetric one, so x′ stays as close as possible to x.
 * Covariance and eigendecomposition (`eigh`, cyclic Jacobi) are float64; the cost is O(N·d²) + O(d³).
 * Reference: Bell & Sejnowski, "The 'independent components' of natural scenes are edge filters" (1997);
 * Kessy, Lewin & Strimmer, "Optimal whitening and decorrelation" (2018).
 */
export class ZCAWhitening implements Preprocessor<ZCAWhiteningState> {
  readonly eps: number;
  private meanValues: Float64Array | null = null;
  private values: Float64Array | null = null;
  private vectors: Float64Array | null = null;
  private w: Float64Array | null = null;
  private wInv: Float64Array | null = null;

  constructor(options: ZCAWhiteningOptions = {}) {
    const eps = options.eps ?? 1e-5;
    if (!Number.isFinite(eps) || eps < 0) throw new RangeError(`ZCAWhitening: eps must be a finite number >= 0, got ${eps}`);
    this.eps = eps;
  }

  get fitted(): boolean {
    return this.meanValues !== null;
  }

  /** The fitted means μⱼ. */
  get mean(): Float64Array {
    if (!this.meanValues) throw notFitted('ZCAWhitening.mean');
    return this.meanValues.slice();
  }

  /** The whitening matrix W = U diag(1/√(λ + ε)) Uᵀ as a float64 [d, d] tensor (symmetric). */
  matrix(): Tensor {
    if (!this.w) throw notFitted('ZCAWhitening.matrix');
    const d = allocShared('float64', this.w.length);
    d.set(this.w);
    return new Tensor(d, [this.meanValues!.length, this.meanValues!.length]);
  }

  fit(x: Tensor): this {
    const [n, d] = checkMatrix(x, 'ZCAWhitening.fit');
    if (n < 2) throw new RangeError(`ZCAWhitening.fit: expected at least 2 rows to estimate a covariance, got ${n}`);
    checkFinite(x, 'ZCAWhitening.fit');
    const mean = columnMeans(x);
    const { values, vectors } = eigh(covariance(x, mean), d);
    this.set(mean, values, vectors);
    return this;
  }

  transform(x: Tensor): Tensor {
    if (!this.w || !this.meanValues) throw notFitted('ZCAWhitening.transform');
    checkFeatures(x, this.meanValues.length, 'ZCAWhitening.transform');
    // Rows are row vectors: x′ = (x − μ)Wᵀ = (x − μ)W since W is symmetric.
    return centredMatmul(x, this.meanValues, this.w);
  }

  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** x = W⁻¹x′ + μ with W⁻¹ = U diag(√(λ + ε)) Uᵀ. */
  inverseTransform(x: Tensor): Tensor {
    if (!this.wInv || !this.meanValues) throw notFitted('ZCAWhitening.inverseTransform');
    const d = this.meanValues.length;
    checkFeatures(x, d, 'ZCAWhitening.inverseTransform');
    const y = centredMatmul(x, new Float64Array(d), this.wInv);
    const a = y.data;
    for (let o = 0; o < a.length; o += d) for (let j = 0; j < d; j++) a[o + j] += this.meanValues[j]!;
    return y;
  }

  state(): ZCAWhiteningState {
    if (!this.meanValues || !this.values || !this.vectors) throw notFitted('ZCAWhitening.state');
    return {
      kind: 'ZCAWhitening',
      eps: this.eps,
      mean: Array.from(this.meanValues),
      eigenvalues: Array.from(this.values),
      eigenvectors: Array.from(this.vectors),
    };
  }

  static fromState(state: ZCAWhiteningState): ZCAWhitening {
    const where = 'ZCAWhitening.fromState';
    const s = checkKind(state, 'ZCAWhitening', where);
    const mean = stateArray(s.mean, null, where, 'mean');
    const d = mean.length;
    const values = stateArray(s.eigenvalues, d, where, 'eigenvalues');
    const vectors = stateArray(s.eigenvectors, d * d, where, 'eigenvectors');
    const z = new ZCAWhitening({ eps: s.eps as number | undefined });
    z.set(mean, values, vectors);
    return z;
  }

  private set(mean: Float64Array, values: Float64Array, vectors: Float64Array): void {
    const d = mean.length;
    // Rounding can leave tiny negative eigenvalues of a positive semi-definite Σ; clamp them to 0.
    const lam = values.map((l) => Math.max(l, 0) + this.eps);
    for (let k = 0; k < d; k++) {
      if (!(lam[k]! > 0)) {
        throw new RangeError(`ZCAWhitening: eigenvalue ${k} of the covariance is ${values[k]}; with eps = ${this.eps} W is undefined (use eps > 0)`);
      }
    }
    this.meanValues = mean;
    this.values = values;
    this.vectors = vectors;
    this.w = spectral(vectors, lam.map((l) => 1 / Math.sqrt(l)), d);
    this.wInv = spectral(vectors, lam.map(Math.sqrt), d);
  }
}

/** Σ = (1/(N − 1)) Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ, row-major d×d float64. */
function covariance(x: Tensor, mean: Float64Array): Float64Array {
  const [n, d] = [x.shape[0]!, x.shape[1]!];
  const a = x.data;
  const c = new Float64Array(d * d);
  const r = new Float64Array(d);
  for (let i = 0, o = 0; i < n; i++, o += d) {
    for (let j = 0; j < d; j++) r[j] = a[o + j]! - mean[j]!;
    for (let j = 0; j < d; j++) {
      const rj = r[j]!;
      for (let k = j; k < d; k++) c[j * d + k] += rj * r[k]!;
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      c[j * d + k] /= n - 1;
      c[k * d + j] = c[j * d + k]!;
    }
  }
  return c;
}

/** U diag(f) Uᵀ for row-major U. */
function spectral(u: Float64Array, f: Float64Array, d: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += u[i * d + k]! * f[k]! * u[j * d + k]!;
      m[i * d + j] = s;
      m[j * d + i] = s;
    }
  }
  return m;
}
