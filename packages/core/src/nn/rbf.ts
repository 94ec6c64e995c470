import { ones } from '../creation.js';
import { checkDType, type DType } from '../dtype.js';
import { softmax } from '../functional/activations.js';
import * as init from '../init/initializers.js';
import { concat } from '../ops/concat.js';
import { defaultRng, type Rng } from '../rng.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { Linear } from './linear.js';
import { Module, type ModuleSpec, registerModuleType } from './module.js';

export interface RBFOptions {
  dtype?: DType;
  rng?: Rng;
  /** Prepend the constant feature 1 to φ(x), so the next layer needs no bias (default true). */
  includeBias?: boolean;
  /** Initial centres (default U(−1, 1); place them from data with `placeRBFCenters`). */
  centersInit?: init.Initializer;
  /** Initial widths σᵢ (default 1). */
  widthsInit?: init.Initializer;
}

/**
 * A layer of Gaussian radial basis units, as in the lecture "Radial Basis Function Nets":
 * φ(x) = [1, exp(−‖x − μ₀‖²/2σ₀²), …, exp(−‖x − μ_{k−1}‖²/2σ_{k−1}²)] for x [N, d] → [N, 1 + k]
 * (without the leading 1 when `includeBias` is false).
 *
 * Parameters: `centers` [k, d] holds the μᵢ and `widths` [k] the σᵢ themselves (not log σ). Only σ²
 * enters φ, so the sign of σᵢ is immaterial; σᵢ = 0 makes unit i degenerate (the learning helpers
 * never produce it). φ is built from differentiable tensor ops, so ∂/∂x, ∂/∂μ and ∂/∂σ all flow.
 */
export class RBF extends Module {
  readonly centers: Tensor;
  readonly widths: Tensor;
  readonly includeBias: boolean;

  constructor(
    readonly inFeatures: number,
    readonly numUnits: number,
    opts: RBFOptions = {},
  ) {
    super();
    for (const [k, v] of [['inFeatures', inFeatures], ['numUnits', numUnits]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`RBF: ${k} must be a positive integer, got ${v}`);
    }
    const dtype = checkDType(opts.dtype ?? 'float32', 'RBF: dtype');
    const rng = opts.rng ?? defaultRng();
    this.includeBias = opts.includeBias ?? true;
    this.centers = this.registerParameter('centers', (opts.centersInit ?? init.uniform(-1, 1))([numUnits, inFeatures], { rng, dtype }));
    this.widths = this.registerParameter('widths', (opts.widthsInit ?? init.ones)([numUnits], { rng, dtype }));
  }

  /** The number of output features: numUnits, plus 1 with the bias feature. */
  get outFeatures(): number {
    return this.numUnits + (this.includeBias ? 1 : 0);
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== this.inFeatures) {
      const got = x instanceof Tensor ? `shape ${fmtShape(x.shape)}` : typeof x;
      throw new RangeError(`RBF(${this.inFeatures}, ${this.numUnits}): expected input of shape [N, ${this.inFeatures}], got ${got}`);
    }
    return rbfFeatures(x, this.centers, this.widths, { includeBias: this.includeBias });
  }

  spec(): ModuleSpec {
    return { type: 'RBF', args: { inFeatures: this.inFeatures, numUnits: this.numUnits, includeBias: this.includeBias, dtype: this.centers.dtype } };
  }
}

/**
 * How ‖x − μ‖² is formed: 'direct' subtracts ([N, k, d] intermediate; exact), 'expanded' uses
 * ‖x‖² − 2x·μ + ‖μ‖² (one matmul, clipped at 0 against cancellation), 'auto' (default) picks
 * 'direct' up to N·k·d = 2²² elements.
 */
export type RBFDistanceMethod = 'auto' | 'direct' | 'expanded';

/** Squared distances ‖x_n − μᵢ‖² [N, k] of points x [N, d] to centres μ [k, d] (differentiable). */
export function squaredDistances(x: Tensor, centers: Tensor, method: RBFDistanceMethod = 'auto'): Tensor {
  if (x.ndim !== 2 || centers.ndim !== 2 || x.shape[1] !== centers.shape[1]) {
    throw new RangeError(`squaredDistances: expected points [N, d] and centres [k, d], got ${fmtShape(x.shape)} and ${fmtShape(centers.shape)}`);
  }
  const [n, d] = x.shape as [number, number];
  const direct = method === 'direct' || (method === 'auto' && n * centers.shape[0]! * d <= 1 << 22);
  if (direct) return x.expandDims(1).sub(centers.expandDims(0)).square().sum(2);
  if (method !== 'auto' && method !== 'expanded') throw new RangeError(`squaredDistances: unknown method ${JSON.stringify(method)}`);
  const xx = x.square().sum(1, true);
  const mm = centers.square().sum(1).expandDims(0);
  return xx.sub(x.matmul(centers.T).mul(2)).add(mm).clip(0, null);
}

/**
 * Gaussian RBF features φ(x) = [1, exp(−‖x − μᵢ‖²/2σᵢ²)…] [N, (1 +) k] of x [N, d], centres μ [k, d]
 * and widths σ [k], composed of differentiable ops (gradients reach x, μ and σ).
 */
export function rbfFeatures(x: Tensor, centers: Tensor, widths: Tensor, opts: { includeBias?: boolean; method?: RBFDistanceMethod } = {}): Tensor {
  if (widths.ndim !== 1 || widths.shape[0] !== centers.shape[0]) {
    throw new RangeError(`rbfFeatures: widths must have shape [${centers.shape[0]}] to match centres ${fmtShape(centers.shape)}, got ${fmtShape(widths.shape)}`);
  }
  const phi = squaredDistances(x, centers, opts.method).div(widths.square().mul(2)).neg().exp();
  if (opts.includeBias === false) return phi;
  return concat([ones([phi.shape[0]!, 1], { dtype: phi.dtype }), phi], 1);
}

registerModuleType('RBF', (s) => {
  const a = s.args as { inFeatures: number; numUnits: number; includeBias: boolean; dtype: DType };
  return new RBF(a.inFeatures, a.numUnits, { includeBias: a.includeBias, dtype: a.dtype });
});

/** The output transfer function g: identity (regression), sigmoid (binary), softmax (multi-class). */
export type RBFTransfer = 'identity' | 'sigmoid' | 'softmax';

export interface RBFNetworkOptions extends RBFOptions {
  /** Output transfer function g (default 'identity'). */
  transfer?: RBFTransfer;
}

/**
 * The lecture's RBF network y = g(wᵀφ(x)): an `RBF` layer (child `rbf`) then a bias-free
 * `Linear(1 + k → out)` (child `linear`, weight [out, 1 + k]; the constant feature of φ plays the
 * bias) and the transfer g. Parameter names: `rbf.centers`, `rbf.widths`, `linear.weight`.
 * Use `logits(x)` for wᵀφ(x) before g (for `F.bceWithLogits` / `F.crossEntropy`).
 */
export class RBFNetwork extends Module {
  readonly rbf: RBF;
  readonly linear: Linear;
  readonly transfer: RBFTransfer;

  constructor(
    readonly inFeatures: number,
    readonly numUnits: number,
    readonly outFeatures: number,
    opts: RBFNetworkOptions = {},
  ) {
    super();
    this.transfer = opts.transfer ?? 'identity';
    if (!['identity', 'sigmoid', 'softmax'].includes(this.transfer)) {
      throw new RangeError(`RBFNetwork: transfer must be 'identity', 'sigmoid' or 'softmax', got ${JSON.stringify(this.transfer)}`);
    }
    const rng = opts.rng ?? defaultRng();
    this.rbf = this.registerModule('rbf', new RBF(inFeatures, numUnits, { ...opts, rng }));
    this.linear = this.registerModule('linear', new Linear(this.rbf.outFeatures, outFeatures, { bias: false, dtype: opts.dtype, rng }));
  }

  /** wᵀφ(x), before the transfer function: [N, out]. */
  logits(x: Tensor): Tensor {
    return this.linear.forward(this.rbf.forward(x));
  }

  forward(x: Tensor): Tensor {
    const z = this.logits(x);
    if (this.transfer === 'sigmoid') return z.sigmoid();
    if (this.transfer === 'softmax') return softmax(z, -1);
    return z;
  }

  spec(): ModuleSpec {
    const args = { inFeatures: this.inFeatures, numUnits: this.numUnits, outFeatures: this.outFeatures };
    return { type: 'RBFNetwork', args: { ...args, includeBias: this.rbf.includeBias, transfer: this.transfer, dtype: this.rbf.centers.dtype } };
  }
}

registerModuleType('RBFNetwork', (s) => {
  const a = s.args as { inFeatures: number; numUnits: number; outFeatures: number; includeBias: boolean; transfer: RBFTransfer; dtype: DType };
  return new RBFNetwork(a.inFeatures, a.numUnits, a.outFeatures, { includeBias: a.includeBias, transfer: a.transfer, dtype: a.dtype });
});
