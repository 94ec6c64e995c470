import { noGrad } from '../autograd/mode.js';
import { bceWithLogits, crossEntropy } from '../functional/losses.js';
import { defaultRng, type Rng } from '../rng.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { kmeans, type KMeansResult } from './kmeans.js';
import { lstsq } from './lstsq.js';
import type { RBF, RBFNetwork } from './rbf.js';

/**
 * How step 1 sets the widths σᵢ from the k-means clusters (the lecture leaves the rule open):
 * - 'nearest' (default): σᵢ = RMS distance from μᵢ to its P nearest other centres (the
 *   P-nearest-neighbour heuristic of Moody & Darken, "Fast learning in networks of locally-tuned
 *   processing units", Neural Computation 1989; P = `neighbors`, default 1);
 * - 'dmax': σᵢ = d_max/√(2k) for every unit, d_max the largest distance between two centres
 *   (Haykin, "Neural Networks", 2nd ed., §5.13). Wide, strongly overlapping units: an excellent
 *   least-squares fit whose large cancelling weights leave gradient fine-tuning little to gain;
 * - 'cluster': σᵢ² = Σ_{n∈Cᵢ} ‖x_n − μᵢ‖² / (d·|Cᵢ|), the isotropic Gaussian fitted to cluster i
 *   (narrow: the units barely overlap).
 */
export type RBFWidthRule = 'nearest' | 'dmax' | 'cluster';

export interface RBFWidthOptions {
  /** Default 'nearest'. */
  rule?: RBFWidthRule;
  /** P of the 'nearest' rule (default 1, at most k − 1). */
  neighbors?: number;
  /** Multiplies every width (overlap factor; default 1). */
  scale?: number;
}

/**
 * Widths σᵢ for the centres [k, d] of the points x [N, d] with their cluster `assignments`. Never
 * 0: a zero width (one unit, a singleton cluster, coincident centres) falls back to d_max/√(2k),
 * then to the RMS distance of the points to their centre, then to 1.
 */
export function rbfWidths(x: Tensor, centers: Tensor, assignments: Int32Array, opts: RBFWidthOptions = {}): Float64Array {
  const { rule = 'nearest', neighbors = 1, scale = 1 } = opts;
  if (centers.ndim !== 2) throw new RangeError(`rbfWidths: centres must have shape [k, d], got ${fmtShape(centers.shape)}`);
  const [k, d] = centers.shape as [number, number];
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`rbfWidths: scale must be finite and > 0, got ${scale}`);
  if (!Number.isInteger(neighbors) || neighbors < 1) throw new RangeError(`rbfWidths: neighbors must be a positive integer, got ${neighbors}`);
  if (x.ndim !== 2 || x.shape[1] !== d || assignments.length !== x.shape[0]) {
    throw new RangeError(`rbfWidths: points ${fmtShape(x.shape)}, centres ${fmtShape(centers.shape)} and ${assignments.length} assignments do not match`);
  }
  const c = centers.data;
  const d2 = (i: number, j: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += (c[i * d + t]! - c[j * d + t]!) ** 2;
    return s;
  };
  let dmax = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) dmax = Math.max(dmax, Math.sqrt(d2(i, j)));
  // Per-cluster sums of squared distances and sizes.
  const ss = new Float64Array(k);
  const count = new Float64Array(k);
  assignments.forEach((i, n) => {
    if (!(i >= 0 && i < k)) throw new RangeError(`rbfWidths: assignment ${n} is ${i}, outside [0, ${k})`);
    count[i]!++;
    for (let t = 0; t < d; t++) ss[i]! += (x.data[n * d + t]! - c[i * d + t]!) ** 2;
  });
  const global = dmax / Math.sqrt(2 * k);
  const rmsAll = Math.sqrt(ss.reduce((a, b) => a + b, 0) / assignments.length);
  const sigma = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    if (rule === 'dmax') sigma[i] = global;
    else if (rule === 'cluster') sigma[i] = count[i]! > 0 ? Math.sqrt(ss[i]! / (d * count[i]!)) : 0;
    else if (rule === 'nearest') {
      const others = Array.from({ length: k }, (_, j) => (j === i ? Number.POSITIVE_INFINITY : d2(i, j))).sort((a, b) => a - b);
      const p = Math.min(neighbors, k - 1);
      sigma[i] = p > 0 ? Math.sqrt(others.slice(0, p).reduce((a, b) => a + b, 0) / p) : 0;
    } else throw new RangeError(`rbfWidths: rule must be 'nearest', 'dmax' or 'cluster', got ${JSON.stringify(rule)}`);
  }
  return sigma.map((s) => scale * (s > 0 ? s : global > 0 ? global : rmsAll > 0 ? rmsAll : 1));
}

export interface PlaceCentersOptions {
  rng?: Rng;
  /** Lloyd iterations (default 100), tolerance (1e-4) and restarts (1): see `kmeans`. */
  maxIter?: number;
  tol?: number;
  nInit?: number;
  widths?: RBFWidthOptions;
}

/**
 * Step 1 of the lecture's learning: centres μᵢ by k-means (k-means++ seeding, then Lloyd) on the
 * inputs x [N, d] and widths σᵢ by `rbfWidths`, written into the layer's parameters in place.
 */
export function placeRBFCenters(layer: RBF, x: Tensor, opts: PlaceCentersOptions = {}): KMeansResult & { widths: Float64Array } {
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== layer.inFeatures) {
    throw new RangeError(`placeRBFCenters: RBF(${layer.inFeatures}, ${layer.numUnits}) expects points of shape [N, ${layer.inFeatures}], got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
  }
  const km = kmeans(x, layer.numUnits, { rng: opts.rng ?? defaultRng(), maxIter: opts.maxIter, tol: opts.tol, nInit: opts.nInit });
  const widths = rbfWidths(x, km.centers, km.assignments, opts.widths);
  layer.centers.data.set(km.centers.data);
  layer.widths.data.set(widths);
  return { ...km, widths };
}

function checkData(net: RBFNetwork, x: Tensor, y: Tensor, op: string): Tensor {
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new TypeError(`${op}: x and y must be Tensors`);
  const n = x.shape[0];
  if (y.ndim === 1 && net.outFeatures === 1 && y.shape[0] === n) y = y.reshape([n, 1]);
  if (y.ndim !== 2 || y.shape[0] !== n || y.shape[1] !== net.outFeatures) {
    throw new RangeError(`${op}: targets must have shape [${n}, ${net.outFeatures}] for inputs ${fmtShape(x.shape)}, got ${fmtShape(y.shape)}`);
  }
  return y;
}

export interface OutputWeightOptions {
  /** Ridge penalty λ of the least squares (default 0). */
  ridge?: number;
  /** For sigmoid/softmax outputs, targets are clipped to [eps, 1 − eps] before g⁻¹ (default 0.01). */
  eps?: number;
}

/**
 * Step 2: the output weights w by linear least squares on φ(x) (float64, Householder QR). With
 * g = identity this is the exact minimiser of the MSE; with sigmoid (softmax) the pre-activations
 * are fitted to logit(y) (log y), y clipped to [eps, 1 − eps] — a start for gradient fine-tuning.
 */
export function solveRBFOutputWeights(net: RBFNetwork, x: Tensor, y: Tensor, { ridge = 0, eps = 0.01 }: OutputWeightOptions = {}): Tensor {
  y = checkData(net, x, y, 'solveRBFOutputWeights');
  const phi = noGrad(() => net.rbf.forward(x));
  let target = y.detach();
  if (net.transfer !== 'identity') {
    target = noGrad(() => {
      const p = y.clip(eps, 1 - eps);
      return net.transfer === 'sigmoid' ? p.div(p.neg().add(1)).log() : p.log();
    });
  }
  const w = lstsq(phi, target, { ridge }); // [1 + k, out]
  net.linear.weight.data.set(w.T.data);
  return w;
}

/** The training objective: MSE for identity, BCE for sigmoid, cross-entropy for softmax outputs. */
export function rbfLoss(net: RBFNetwork, x: Tensor, y: Tensor): Tensor {
  y = checkData(net, x, y, 'rbfLoss');
  if (net.transfer === 'sigmoid') return bceWithLogits(net.logits(x), y);
  if (net.transfer === 'softmax') return crossEntropy(net.logits(x), y);
  const d = net.forward(x).sub(y);
  return d.mul(d).mean();
}

/** Mean squared error of g(wᵀφ(x)) against y, without recording gradients. */
export function rbfMSE(net: RBFNetwork, x: Tensor, y: Tensor): number {
  y = checkData(net, x, y, 'rbfMSE');
  return noGrad(() => {
    const d = net.forward(x).sub(y);
    return d.mul(d).mean().item();
  });
}

export interface TwoStepOptions extends PlaceCentersOptions, OutputWeightOptions {}

export interface RBFStageReport {
  stage: 'centers' | 'weights' | 'fine-tune';
  /** Training MSE of the network output after the stage. */
  mse: number;
  /** The training objective (`rbfLoss`) after the stage. */
  loss: number;
}

/**
 * The lecture's two-step learning: ① centres by k-means++ / k-means and widths by `rbfWidths`,
 * ② output weights by least squares on φ(x). Returns the training MSE and loss after each stage
 * (after ① the output weights are still the previous ones, so that report shows the starting error).
 */
export function fitRBFTwoStep(net: RBFNetwork, x: Tensor, y: Tensor, opts: TwoStepOptions = {}): RBFStageReport[] {
  y = checkData(net, x, y, 'fitRBFTwoStep');
  placeRBFCenters(net.rbf, x, opts);
  const afterCenters = report(net, x, y, 'centers');
  solveRBFOutputWeights(net, x, y, opts);
  return [afterCenters, report(net, x, y, 'weights')];
}

function report(net: RBFNetwork, x: Tensor, y: Tensor, stage: RBFStageReport['stage']): RBFStageReport {
  return { stage, mse: rbfMSE(net, x, y), loss: noGrad(() => rbfLoss(net, x, y).item()) };
}

export interface ThreeStepOptions extends TwoStepOptions {
  /** Full-batch gradient steps of stage ③ (default 2000). */
  steps?: number;
  /** Adam's learning rate (default 1e-3). */
  lr?: number;
  /** Adam's β₁, β₂, ε (defaults 0.9, 0.999, 1e-8). */
  betas?: [number, number];
  adamEps?: number;
  /** Called at every step t = 1…steps with the loss before that step's update. */
  onStep?: (step: number, loss: number) => void;
}

/**
 * The lecture's three-step learning: the two steps, then ③ fine-tune every parameter (centres,
 * widths, output weights) by full-batch Adam on `rbfLoss`, with gradients from core's autograd.
 * The parameters with the lowest loss seen are kept, so ③ never ends worse than it started.
 * Reference: Kingma & Ba, "Adam: a method for stochastic optimization" (2015).
 */
export function fitRBFThreeStep(net: RBFNetwork, x: Tensor, y: Tensor, opts: ThreeStepOptions = {}): RBFStageReport[] {
  const { steps = 2000, lr = 1e-3, betas = [0.9, 0.999], adamEps = 1e-8 } = opts;
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`fitRBFThreeStep: steps must be a non-negative integer, got ${steps}`);
  if (!(lr > 0)) throw new RangeError(`fitRBFThreeStep: lr must be > 0, got ${lr}`);
  y = checkData(net, x, y, 'fitRBFThreeStep');
  const stages = fitRBFTwoStep(net, x, y, opts);
  const params = Object.values(net.parameters());
  const m = params.map((p) => new Float64Array(p.size));
  const v = params.map((p) => new Float64Array(p.size));
  let best = stages[1]!.loss;
  let bestData = params.map((p) => Float64Array.from(p.data));
  const [b1, b2] = betas;
  for (let t = 1; t <= steps; t++) {
    net.zeroGrad();
    const loss = rbfLoss(net, x, y);
    loss.backward();
    const l = loss.item();
    opts.onStep?.(t, l);
    if (l < best) {
      best = l;
      bestData = params.map((p) => Float64Array.from(p.data));
    }
    params.forEach((p, i) => {
      const g = p.grad!.data;
      const [mi, vi] = [m[i]!, v[i]!];
      for (let j = 0; j < p.size; j++) {
        mi[j] = b1 * mi[j]! + (1 - b1) * g[j]!;
        vi[j] = b2 * vi[j]! + (1 - b2) * g[j]! ** 2;
        p.data[j]! -= (lr * (mi[j]! / (1 - b1 ** t))) / (Math.sqrt(vi[j]! / (1 - b2 ** t)) + adamEps);
      }
    });
  }
  const final = noGrad(() => rbfLoss(net, x, y).item());
  if (!(final <= best)) params.forEach((p, i) => p.data.set(bestData[i]!));
  net.zeroGrad();
  return [...stages, report(net, x, y, 'fine-tune')];
}
