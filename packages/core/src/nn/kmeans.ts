import { allocShared } from '../dtype.js';
import { defaultRng, type Rng } from '../rng.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/** Checks that `x` is a finite [N, d] tensor with N ≥ k, and returns N and d. */
function checkPoints(x: Tensor, k: number, op: string): [number, number] {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: x must be a Tensor`);
  if (x.ndim !== 2) throw new RangeError(`${op}: expected points of shape [N, d], got ${fmtShape(x.shape)}`);
  const [n, d] = x.shape as [number, number];
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${op}: k must be a positive integer, got ${k}`);
  if (k > n) throw new RangeError(`${op}: k = ${k} exceeds the number of points N = ${n}`);
  for (let i = 0; i < x.size; i++) {
    if (!Number.isFinite(x.data[i]!)) throw new RangeError(`${op}: point ${Math.floor(i / d)} has a non-finite coordinate ${x.data[i]}`);
  }
  return [n, d];
}

/** ‖x_i − c_j‖² with x the flat [N, d] points and c the flat [k, d] centres. */
function dist2(x: ArrayLike<number>, i: number, c: ArrayLike<number>, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = x[i * d + t]! - c[j * d + t]!;
    s += v * v;
  }
  return s;
}

/**
 * k-means++ seeding: the first centre is a uniformly drawn point, each next one a point drawn with
 * probability D(x)² / Σ D² where D(x) is its distance to the nearest centre chosen so far.
 * Returns [k, d] centres in x's dtype; the same `rng` state gives the same centres.
 * Reference: Arthur & Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007.
 */
export function kmeansPlusPlus(x: Tensor, k: number, rng: Rng = defaultRng()): Tensor {
  const [n, d] = checkPoints(x, k, 'kmeansPlusPlus');
  const c = allocShared(x.dtype, k * d);
  const pick = (i: number, j: number) => c.set(x.data.subarray(i * d, (i + 1) * d), j * d);
  pick(rng.int(n), 0);
  const near = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      near[i] = Math.min(near[i]!, dist2(x.data, i, c, j - 1, d));
      total += near[i]!;
    }
    let chosen = n - 1;
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < n; i++) {
        r -= near[i]!;
        if (r < 0) {
          chosen = i;
          break;
        }
      }
      // Rounding may leave r ≥ 0 after the loop: then take the last point that has weight.
      while (near[chosen] === 0) chosen--;
    } else {
      chosen = rng.int(n); // fewer distinct points than k: duplicates are unavoidable
    }
    pick(chosen, j);
  }
  return new Tensor(c, [k, d]);
}

export interface KMeansOptions {
  rng?: Rng;
  /** Most Lloyd iterations per run (default 100). */
  maxIter?: number;
  /**
   * Stop when Σ‖Δcentre‖² ≤ tol · (mean per-feature variance of x) (default 1e-4, as scikit-learn),
   * or when no assignment changes.
   */
  tol?: number;
  /** Independent k-means++ restarts; the run with the lowest inertia is kept (default 1). */
  nInit?: number;
  /** Start from these [k, d] centres instead of k-means++ (then nInit must be 1). */
  init?: Tensor;
}

export interface KMeansResult {
  /** [k, d], in x's dtype. */
  centers: Tensor;
  /** The index of each point's nearest centre. */
  assignments: Int32Array;
  /** Σ_i ‖x_i − μ_{a(i)}‖². */
  inertia: number;
  /** Lloyd iterations of the kept run. */
  iterations: number;
  converged: boolean;
}

/**
 * k-means (Lloyd's algorithm) after k-means++ seeding: alternately assign every point to its
 * nearest centre and move each centre to the mean of its points. An empty cluster takes the point
 * farthest from its centre. Deterministic for a given `rng` state.
 * References: Lloyd, "Least squares quantization in PCM" (1982); Arthur & Vassilvitskii (2007).
 */
export function kmeans(x: Tensor, k: number, opts: KMeansOptions = {}): KMeansResult {
  const [n, d] = checkPoints(x, k, 'kmeans');
  const { maxIter = 100, tol = 1e-4, nInit = 1 } = opts;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`kmeans: maxIter must be a positive integer, got ${maxIter}`);
  if (!(tol >= 0)) throw new RangeError(`kmeans: tol must be ≥ 0, got ${tol}`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`kmeans: nInit must be a positive integer, got ${nInit}`);
  if (opts.init && (opts.init.ndim !== 2 || opts.init.shape[0] !== k || opts.init.shape[1] !== d)) {
    throw new RangeError(`kmeans: init must have shape [${k}, ${d}], got ${fmtShape(opts.init.shape)}`);
  }
  if (opts.init && nInit !== 1) throw new RangeError('kmeans: nInit must be 1 when init centres are given');
  const rng = opts.rng ?? defaultRng();
  // Scale of the tolerance: the mean per-feature variance of the data.
  let scale = 0;
  for (let t = 0; t < d; t++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x.data[i * d + t]!;
    m /= n;
    for (let i = 0; i < n; i++) scale += (x.data[i * d + t]! - m) ** 2;
  }
  scale /= n * d;
  let best: KMeansResult | null = null;
  for (let run = 0; run < nInit; run++) {
    const start = opts.init ?? kmeansPlusPlus(x, k, rng);
    const r = lloyd(x, Float64Array.from(start.data), n, d, k, maxIter, tol * scale);
    if (!best || r.inertia < best.inertia) best = r;
  }
  return best!;
}

function lloyd(x: Tensor, c: Float64Array, n: number, d: number, k: number, maxIter: number, tol: number): KMeansResult {
  const a = new Int32Array(n).fill(-1);
  const near = new Float64Array(n);
  const assign = (): boolean => {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let bj = 0;
      let bd = Number.POSITIVE_INFINITY;
      for (let j = 0; j < k; j++) {
        const v = dist2(x.data, i, c, j, d);
        if (v < bd) [bd, bj] = [v, j];
      }
      near[i] = bd;
      if (a[i] !== bj) changed = true;
      a[i] = bj;
    }
    return changed;
  };
  assign();
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    iterations++;
    const sum = new Float64Array(k * d);
    const count = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const j = a[i]!;
      count[j]!++;
      for (let t = 0; t < d; t++) sum[j * d + t] = sum[j * d + t]! + x.data[i * d + t]!;
    }
    const taken = new Set<number>();
    let shift = 0;
    for (let j = 0; j < k; j++) {
      if (count[j] === 0) {
        // Empty cluster: move it onto the point currently worst served (each point used once).
        let far = -1;
        for (let i = 0; i < n; i++) if (!taken.has(i) && (far < 0 || near[i]! > near[far]!)) far = i;
        taken.add(far);
        for (let t = 0; t < d; t++) sum[j * d + t] = x.data[far * d + t]!;
        count[j] = 1;
      }
      for (let t = 0; t < d; t++) {
        const v = sum[j * d + t]! / count[j]!;
        shift += (v - c[j * d + t]!) ** 2;
        c[j * d + t] = v;
      }
    }
    const changed = assign();
    if (!changed || shift <= tol) {
      converged = true;
      break;
    }
  }
  const centers = new Tensor(allocShared(x.dtype, k * d), [k, d]);
  centers.data.set(c);
  const inertia = near.reduce((s, v) => s + v, 0);
  return { centers, assignments: a, inertia, iterations, converged };
}
