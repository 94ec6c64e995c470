import { allocShared, checkDType, type DType } from '../dtype.js';
import { defaultRng, type Rng } from '../rng.js';
import { checkShape, fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';

export interface InitOptions {
  rng?: Rng;
  dtype?: DType;
  /** Override the fans computed from the shape. */
  fanIn?: number;
  fanOut?: number;
  requiresGrad?: boolean;
}

/**
 * An initialiser: a function of the shape and a seeded generator. Fans follow PyTorch: for a
 * weight of shape [out, in, ...k], fanIn = in·∏k and fanOut = out·∏k; a 1-D shape has fanIn = fanOut = n.
 */
export type Initializer = (shape: readonly number[], opts?: InitOptions) => Tensor;

export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

function build(name: string, shape: readonly number[], opts: InitOptions | undefined, sample: (rng: Rng, fanIn: number, fanOut: number) => number): Tensor {
  const s = checkShape(shape, `init.${name}`);
  const dtype = checkDType(opts?.dtype ?? 'float32', `init.${name}: dtype`);
  const fans = computeFans(s);
  const fanIn = opts?.fanIn ?? fans.fanIn;
  const fanOut = opts?.fanOut ?? fans.fanOut;
  if (!(fanIn > 0) || !(fanOut > 0)) throw new RangeError(`init.${name}: fans must be positive for shape ${fmtShape(s)}, got fanIn ${fanIn}, fanOut ${fanOut}`);
  const rng = opts?.rng ?? defaultRng();
  const n = s.reduce((a, b) => a * b, 1);
  const d = allocShared(dtype, n);
  for (let i = 0; i < n; i++) d[i] = sample(rng, fanIn, fanOut);
  return new Tensor(d, s, opts?.requiresGrad ?? false);
}

function finite(name: string, arg: string, v: number): number {
  if (!Number.isFinite(v)) throw new RangeError(`init.${name}: ${arg} must be finite, got ${v}`);
  return v;
}

/** All zeros. */
export const zeros: Initializer = (shape, opts) => build('zeros', shape, opts, () => 0);
/** All ones. */
export const ones: Initializer = (shape, opts) => build('ones', shape, opts, () => 1);
/** All equal to `value`. */
export const constant = (value: number): Initializer => (shape, opts) => build('constant', shape, opts, () => finite('constant', 'value', value));
/** U(a, b). */
export function uniform(a = 0, b = 1): Initializer {
  finite('uniform', 'a', a);
  finite('uniform', 'b', b);
  if (!(a < b)) throw new RangeError(`init.uniform: expected a < b, got a = ${a}, b = ${b}`);
  return (shape, opts) => build('uniform', shape, opts, (rng) => rng.uniform(a, b));
}
/** N(mean, std²) (std, not variance). */
export function normal(mean = 0, std = 1): Initializer {
  finite('normal', 'mean', mean);
  if (!(std >= 0) || !Number.isFinite(std)) throw new RangeError(`init.normal: std must be finite and ≥ 0, got ${std}`);
  return (shape, opts) => build('normal', shape, opts, (rng) => rng.normal(mean, std));
}

const limitUniform = (name: string, scale: (fi: number, fo: number) => number): Initializer => (shape, opts) =>
  build(name, shape, opts, (rng, fi, fo) => {
    const l = Math.sqrt(scale(fi, fo));
    return rng.uniform(-l, l);
  });
const stdNormal = (name: string, variance: (fi: number, fo: number) => number): Initializer => (shape, opts) =>
  build(name, shape, opts, (rng, fi, fo) => rng.normal(0, Math.sqrt(variance(fi, fo))));

/** LeCun uniform: U(−√(3/fanIn), √(3/fanIn)), variance 1/fanIn. */
export const lecunUniform = limitUniform('lecunUniform', (fi) => 3 / fi);
/** LeCun normal: N(0, 1/fanIn) (std √(1/fanIn); not truncated, as PyTorch). */
export const lecunNormal = stdNormal('lecunNormal', (fi) => 1 / fi);
/** Glorot/Xavier uniform: U(−√(6/(fanIn+fanOut)), +). */
export const glorotUniform = limitUniform('glorotUniform', (fi, fo) => 6 / (fi + fo));
/** Glorot/Xavier normal: N(0, 2/(fanIn+fanOut)). */
export const glorotNormal = stdNormal('glorotNormal', (fi, fo) => 2 / (fi + fo));
/** He/Kaiming uniform (ReLU gain): U(−√(6/fanIn), √(6/fanIn)). */
export const heUniform = limitUniform('heUniform', (fi) => 6 / fi);
/** He/Kaiming normal (ReLU gain): N(0, 2/fanIn), i.e. std √(2/fanIn) as the lectures write it. */
export const heNormal = stdNormal('heNormal', (fi) => 2 / fi);
/** PyTorch's default for nn.Linear: U(−1/√fanIn, 1/√fanIn) (kaiming_uniform with a = √5). */
export const torchLinearDefault = limitUniform('torchLinearDefault', (fi) => 1 / fi);
