/**
 * MNIST-1D (Greydanus, "Scaling down deep learning", 2020; github.com/greydanus/mnist1d): ten
 * one-dimensional digit templates of 12 points, each example a template padded with zeros,
 * stretched, scaled, shifted, given correlated noise where it is zero and i.i.d. noise everywhere,
 * sheared and resampled to 40 points. The procedure and its defaults are the published ones; the
 * random numbers come from core's `Rng`, so a seed gives the same data bit for bit (but not the
 * published file, which was drawn from NumPy's generator).
 *
 * @module
 */
import { allocShared, checkDType, type DType } from '../dtype.js';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';

/** The published templates of the digits 0 … 9, before whitening (12 points each). */
const DIGITS: readonly (readonly number[])[] = [
  [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
  [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
  [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
  [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
  [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
  [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
  [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
  [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
  [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
  [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
];

/** The templates' length (12). */
export const MNIST1D_TEMPLATE_LENGTH = 12;

/**
 * The ten templates as published: each row of `DIGITS` centred, divided by its (population)
 * standard deviation, shifted to start at 0, and divided by 6; `t` = linspace(−5, 5, 12)/6, the
 * templates' abscissae. Plain float64 numbers: x[digit][i], t[i].
 */
export function mnist1dTemplates(): { x: number[][]; t: number[] } {
  const x = DIGITS.map((row) => {
    const n = row.length;
    const mean = numpySum(row) / n;
    const centred = row.map((v) => v - mean);
    // NumPy's std of the centred row centres it again (its mean is 0 only up to rounding)
    const again = numpySum(centred) / n;
    const std = Math.sqrt(numpySum(centred.map((v) => (v - again) ** 2)) / n);
    const whitened = centred.map((v) => v / std);
    return whitened.map((v) => (v - whitened[0]!) / 6);
  });
  return { x, t: linspace(-5, 5, MNIST1D_TEMPLATE_LENGTH).map((v) => v / 6) };
}

/**
 * A sum of fewer than 128 numbers in NumPy's order (its pairwise summation: eight partial sums
 * combined as ((r₀ + r₁) + (r₂ + r₃)) + ((r₄ + r₅) + (r₆ + r₇)), then the rest one by one), so
 * the templates come out bit for bit as NumPy computes them.
 */
function numpySum(v: readonly number[]): number {
  if (v.length < 8) return v.reduce((s, x) => s + x, 0);
  const r = v.slice(0, 8);
  let i = 8;
  for (; i + 8 <= v.length; i += 8) for (let j = 0; j < 8; j++) r[j] = r[j]! + v[i + j]!;
  let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
  for (; i < v.length; i++) s += v[i]!;
  return s;
}

/** n evenly spaced numbers from a to b, both included (NumPy's `linspace`: a + i·step, the last exactly b). */
export function linspace(a: number, b: number, n: number): number[] {
  const step = (b - a) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 && n > 1 ? b : a + i * step));
}

/** `x` followed by `count` zeros. */
export function padZeros(x: readonly number[], count: number): number[] {
  return [...x, ...new Array<number>(count).fill(0)];
}

/**
 * Linear interpolation of `x`, taken as samples at linspace(0, 1, len), at linspace(0, 1, n) (SciPy's
 * `interp1d(kind='linear')`: the segment [xₖ₋₁, xₖ] with k the first sample ≥ the point, clipped to 1 … len − 1).
 */
export function interpolate(x: readonly number[], n: number): number[] {
  if (x.length < 2) throw new RangeError(`mnist1d interpolate: expected at least 2 samples, got ${x.length}`);
  const at = linspace(0, 1, x.length);
  let k = 1;
  return linspace(0, 1, n).map((p) => {
    while (k < x.length - 1 && at[k]! < p) k++;
    const slope = (x[k]! - x[k - 1]!) / (at[k]! - at[k - 1]!);
    return slope * (p - at[k - 1]!) + x[k - 1]!;
  });
}

/** `x` rotated right by `k` (element i moves to i + k mod n), NumPy's `concatenate([x[-k:], x[:-k]])`. */
export function translate(x: readonly number[], k: number): number[] {
  const n = x.length;
  return x.map((_, i) => x[(((i - k) % n) + n) % n]!);
}

/**
 * A Gaussian filter of standard deviation `sigma` over `x` (SciPy's `gaussian_filter` in 1-D:
 * weights exp(−j²/(2σ²)) for |j| ≤ round(4σ), normalised to sum 1; the edges extended by
 * reflection, 'reflect' mode: … x₁ x₀ | x₀ x₁ … xₙ₋₁ | xₙ₋₁ xₙ₋₂ …).
 */
export function gaussianFilter1d(x: readonly number[], sigma: number): number[] {
  const radius = Math.trunc(4 * sigma + 0.5);
  const w = Array.from({ length: 2 * radius + 1 }, (_, j) => Math.exp((-0.5 / (sigma * sigma)) * (j - radius) ** 2));
  const total = w.reduce((s, v) => s + v, 0);
  const n = x.length;
  const reflect = (i: number) => {
    const m = ((i % (2 * n)) + 2 * n) % (2 * n);
    return m < n ? m : 2 * n - 1 - m;
  };
  return x.map((_, i) => w.reduce((s, wj, j) => s + (wj / total) * x[reflect(i + j - radius)]!, 0));
}

/** `x` minus the line coeff·linspace(−½, ½, len): a slope added to the whole signal. */
export function shear(x: readonly number[], coeff: number): number[] {
  const ramp = linspace(-0.5, 0.5, x.length);
  return x.map((v, i) => v - coeff * ramp[i]!);
}

/** The arguments of `mnist1d`, named as the published `get_dataset_args` in camel case. */
export interface Mnist1dOptions {
  /** Number of examples, `numSamples / 10` (rounded down) of each digit (default 5000). */
  numSamples?: number;
  /** The fraction of the (shuffled) examples in the training set (default 0.8: 4000 of 5000). */
  trainSplit?: number;
  /** [low, high]: each template gets low … high zeros appended (default [36, 60]). */
  padding?: [number, number];
  /** Each example is scaled by 1 + scaleCoeff·(u − ½), u ~ U(0, 1) (default 0.4). */
  scaleCoeff?: number;
  /** Each example is rotated right by k ~ U{0, …, maxTranslation − 1} points (default 48). */
  maxTranslation?: number;
  /** Std of the Gaussian noise, filtered by a Gaussian of σ = 2, put where the signal is 0 (default 0.25). */
  corrNoiseScale?: number;
  /** Std of the i.i.d. Gaussian noise added everywhere (default 0.02). */
  iidNoiseScale?: number;
  /** Each example gets the slope −c·linspace(−½, ½), c = shearScale·(u − ½) (default 0.75). */
  shearScale?: number;
  /** Whether to permute the 40 positions (one permutation for all examples; default false). */
  shuffleSeq?: boolean;
  /** Points per example (default 40). */
  finalSeqLength?: number;
  /** Seed of the generator (default 42, the published one; the numbers differ, see the module doc). */
  seed?: number;
  /** The tensors' dtype (default float32). */
  dtype?: DType;
}

/** The published arguments (`get_dataset_args`). */
export const MNIST1D_DEFAULTS: Readonly<Required<Omit<Mnist1dOptions, 'dtype'>>> = Object.freeze({
  numSamples: 5000,
  trainSplit: 0.8,
  padding: [36, 60] as [number, number],
  scaleCoeff: 0.4,
  maxTranslation: 48,
  corrNoiseScale: 0.25,
  iidNoiseScale: 0.02,
  shearScale: 0.75,
  shuffleSeq: false,
  finalSeqLength: 40,
  seed: 42,
});

type Args = Required<Omit<Mnist1dOptions, 'dtype'>>;

/**
 * One example from a template, the published transform in its order, the random numbers drawn
 * from `rng` in that order: add 1e-8 (so the template is never exactly 0) and append
 * p ~ U{low … high} zeros; stretch to 12 + high points; scale; rotate; replace the zeros by
 * correlated noise; add i.i.d. noise; shear; resample to `finalSeqLength` points.
 */
export function mnist1dExample(template: readonly number[], rng: Rng, args: Args): number[] {
  const [low, high] = args.padding;
  let x = padZeros(template.map((v) => v + 1e-8), low + Math.floor(rng.next() * (high - low + 1)));
  x = interpolate(x, template.length + high);
  const scale = 1 + args.scaleCoeff * (rng.next() - 0.5);
  x = translate(x.map((v) => v * scale), rng.int(args.maxTranslation));
  const corr = gaussianFilter1d(x.map(() => args.corrNoiseScale * rng.normal()), 2);
  x = x.map((v, i) => (v !== 0 ? v : corr[i]!));
  x = x.map((v) => v + args.iidNoiseScale * rng.normal());
  x = shear(x, args.shearScale * (rng.next() - 0.5));
  return interpolate(x, args.finalSeqLength);
}

function checkArgs(o: Mnist1dOptions): Args {
  const a: Args = { ...MNIST1D_DEFAULTS, ...o };
  const where = 'mnist1d';
  const int = (name: keyof Args, min: number) => {
    const v = a[name] as number;
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${where}: ${name} must be an integer >= ${min}, got ${v}`);
  };
  int('numSamples', 10);
  int('finalSeqLength', 2);
  for (const name of ['scaleCoeff', 'corrNoiseScale', 'iidNoiseScale', 'shearScale'] as const) {
    if (!Number.isFinite(a[name]) || a[name] < 0) throw new RangeError(`${where}: ${name} must be a finite number >= 0, got ${a[name]}`);
  }
  if (!(a.trainSplit > 0 && a.trainSplit <= 1)) throw new RangeError(`${where}: trainSplit must be in (0, 1], got ${a.trainSplit}`);
  const [low, high] = a.padding;
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 0 || high < low) {
    throw new RangeError(`${where}: padding must be integers [low, high] with 0 <= low <= high, got [${low}, ${high}]`);
  }
  const stretched = MNIST1D_TEMPLATE_LENGTH + high;
  if (!Number.isInteger(a.maxTranslation) || a.maxTranslation < 1 || a.maxTranslation > stretched) {
    throw new RangeError(`${where}: maxTranslation must be an integer in [1, ${stretched}] (12 + padding[1]), got ${a.maxTranslation}`);
  }
  if (!Number.isFinite(a.seed)) throw new RangeError(`${where}: seed must be a finite number, got ${a.seed}`);
  return a;
}

/** An MNIST-1D set: training and test examples with their digits. */
export interface Mnist1d {
  /** [numTrain, finalSeqLength], centred and scaled with all examples to mean 0, std 1. */
  xTrain: Tensor;
  /** [numTrain], the digits 0 … 9. */
  yTrain: Tensor;
  /** [numSamples − numTrain, finalSeqLength], normalised with the training examples. */
  xTest: Tensor;
  /** [numSamples − numTrain], the digits 0 … 9. */
  yTest: Tensor;
  /** The templates' abscissae stretched to `finalSeqLength` points and divided by the data's std (for plots). */
  t: number[];
}

/**
 * Generates MNIST-1D: `numSamples / 10` examples of each digit by `mnist1dExample`, shuffled, the
 * positions optionally permuted, all values centred and divided by their (population) standard
 * deviation together, then split into the first ⌊numSamples·trainSplit⌋ for training and the rest
 * for testing. float32 unless `dtype` says otherwise; the arithmetic is float64.
 */
export function mnist1d(options: Mnist1dOptions = {}): Mnist1d {
  const dtype = checkDType(options.dtype ?? 'float32', 'mnist1d: dtype');
  const a = checkArgs(options);
  const rng = new Rng(a.seed);
  const templates = mnist1dTemplates().x;
  const perClass = Math.floor(a.numSamples / templates.length);
  const xs: number[][] = [];
  const ys: number[] = [];
  templates.forEach((template, digit) => {
    for (let i = 0; i < perClass; i++) {
      xs.push(mnist1dExample(template, rng, a));
      ys.push(digit);
    }
  });
  const order = rng.permutation(ys.length);
  const seq = a.shuffleSeq ? rng.permutation(a.finalSeqLength) : null;
  const rows = Array.from(order, (r) => (seq ? Array.from(seq, (j) => xs[r]![j]!) : xs[r]!));
  const { mean, std } = moments(rows);
  const split = Math.floor(rows.length * a.trainSplit);
  const t = interpolate(interpolate(mnist1dTemplates().t, MNIST1D_TEMPLATE_LENGTH + a.padding[1]), a.finalSeqLength);
  const pack = (from: number, to: number) => {
    const x = allocShared(dtype, (to - from) * a.finalSeqLength);
    const y = allocShared(dtype, to - from);
    for (let r = from; r < to; r++) {
      rows[r]!.forEach((v, j) => {
        x[(r - from) * a.finalSeqLength + j] = (v - mean) / std;
      });
      y[r - from] = ys[order[r]!]!;
    }
    return [new Tensor(x, [to - from, a.finalSeqLength]), new Tensor(y, [to - from])] as const;
  };
  const [xTrain, yTrain] = pack(0, split);
  const [xTest, yTest] = pack(split, rows.length);
  return { xTrain, yTrain, xTest, yTest, t: t.map((v) => v / std) };
}

/** Mean and population standard deviation of all the numbers of `rows`. */
function moments(rows: readonly (readonly number[])[]): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  for (const r of rows) {
    n += r.length;
    for (const v of r) sum += v;
  }
  const mean = sum / n;
  let ss = 0;
  for (const r of rows) for (const v of r) ss += (v - mean) ** 2;
  return { mean, std: Math.sqrt(ss / n) };
}
