import { allocShared, checkDType, type DType } from '../dtype.js';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import type { Batch } from './dataset.js';

export interface TwoSpiralsOptions {
  /** Total number of points, split equally between the two classes (an even number; default 200). */
  n?: number;
  /** Standard deviation of Gaussian noise added to each coordinate (default 0). */
  noise?: number;
  /** Seed of the noise (default 0). */
  seed?: number;
  /** Number of turns of each spiral (default 1.5). */
  turns?: number;
  dtype?: DType;
}

/**
 * Two interleaved spirals (Lang & Witbrock, 1988), a classic set no shallow linear model separates.
 * For i = 0 … m − 1 with m = n/2, s = (i + 1)/m, radius r = s and angle θ = 2π·turns·s, class 0
 * is (r cos θ, r sin θ) and class 1 its point reflection (−r cos θ, −r sin θ); then N(0, noise²)
 * is added to each coordinate. Returns x [n, 2] (class 0 rows first, then class 1) and labels
 * y [n, 1] with values 0 and 1 (targets for `bceWithLogits`).
 */
export function twoSpirals(options: TwoSpiralsOptions = {}): Batch {
  const { n = 200, noise = 0, seed = 0, turns = 1.5 } = options;
  const dtype = checkDType(options.dtype ?? 'float32', 'twoSpirals: dtype');
  if (!Number.isInteger(n) || n < 2 || n % 2 !== 0) {
    throw new RangeError(`twoSpirals: n must be an even integer >= 2 (two balanced classes), got ${n}`);
  }
  if (!Number.isFinite(noise) || noise < 0) throw new RangeError(`twoSpirals: noise must be a finite number >= 0, got ${noise}`);
  if (!Number.isFinite(turns) || turns <= 0) throw new RangeError(`twoSpirals: turns must be a finite number > 0, got ${turns}`);
  const rng = new Rng(seed);
  const m = n / 2;
  const x = allocShared(dtype, 2 * n);
  const y = allocShared(dtype, n);
  for (let i = 0; i < m; i++) {
    const s = (i + 1) / m;
    const theta = 2 * Math.PI * turns * s;
    const px = s * Math.cos(theta);
    const py = s * Math.sin(theta);
    x[2 * i] = px + (noise > 0 ? noise * rng.normal() : 0);
    x[2 * i + 1] = py + (noise > 0 ? noise * rng.normal() : 0);
    x[2 * (m + i)] = -px + (noise > 0 ? noise * rng.normal() : 0);
    x[2 * (m + i) + 1] = -py + (noise > 0 ? noise * rng.normal() : 0);
    y[m + i] = 1;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n, 1]) };
}
