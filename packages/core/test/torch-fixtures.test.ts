/**
 * Acceptance 3: every case of the PyTorch fixtures (copied from ../shared/fixtures/torch into
 * test/fixtures) is matched — values and gradients within 1e-9 relative in float64 and within 1e-4
 * relative in float32. Tolerances (see support/compare.ts):
 *   float64: |a − e| ≤ max(1e-9·|e|, 1e-300)   (the 1e-300 floor only matters for exact zeros)
 *   float32: |a − e| ≤ max(1e-4·|e|, 1e-6)     (absolute floor 1e-6 for references near 0)
 * Inputs are the fixture's float64 numbers, rounded to float32 for the float32 runs; the float32
 * results are compared with the float64 references.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DType, F, grad, type NestedArray, type Tensor, tensor } from '../src/index.js';
import { expectClose, F32, F64, type Tol } from './support/compare.js';

const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;

interface ElementwiseCase {
  name: string;
  x: number[];
  y: number[];
  dy_dx: number[];
}
interface VectorCase {
  name: string;
  axis?: number;
  z: number[][];
  y: number[][];
  upstream: number[][];
  dz: number[][];
}
interface LossCase {
  name: string;
  input: NestedArray;
  target: NestedArray;
  loss: number;
  d_input: NestedArray;
}
interface Mlp {
  x: number[][];
  labels: number[];
  W1: number[][];
  b1: number[];
  W2: number[][];
  b2: number[];
  logits: number[][];
  loss: number;
  dW1: number[][];
  db1: number[];
  dW2: number[][];
  db2: number[];
}
interface ScalarGraphs {
  sin_exp_cos: { params: number[]; x: number[]; y: number[]; loss: number; grad: number[] };
  gabor: { phi: number[]; x: number[]; y: number[]; loss: number; grad: number[] };
  x_plus_y_times_z: { x: number; y: number; z: number; f: number; df_dx: number; df_dy: number; df_dz: number };
}

const activations = load<{ elementwise: ElementwiseCase[]; vector: VectorCase[] }>('activations.json');
const losses = load<{ cases: LossCase[] }>('losses.json');
const mlp = load<Mlp>('mlp.json');
const graphs = load<ScalarGraphs>('scalar_graphs.json');

const DTYPES: [DType, Tol][] = [
  ['float64', F64],
  ['float32', F32],
];

/** Fixture names → the F function PyTorch's reference corresponds to. */
const ELEMENTWISE: Record<string, (x: Tensor) => Tensor> = {
  identity: (x) => F.identity(x),
  sigmoid: (x) => F.sigmoid(x),
  tanh: (x) => F.tanh(x),
  relu: (x) => F.relu(x),
  'leaky_relu_0.01': (x) => F.leakyRelu(x, 0.01),
  'prelu_0.25': (x) => F.prelu(x, 0.25),
  'elu_1.0': (x) => F.elu(x, 1),
  selu: (x) => F.selu(x),
  gelu_erf: (x) => F.gelu(x),
  gelu_tanh: (x) => F.gelu(x, 'tanh'),
  silu: (x) => F.silu(x),
  softplus: (x) => F.softplus(x),
  gaussian: (x) => F.gaussian(x),
  lecun_tanh: (x) => F.lecunTanh(x),
  'soboleva_a1_b0.5_c1_d1': (x) => F.sobolevaTanh(x, 1, 0.5, 1, 1),
  binary_step: (x) => F.binaryStep(x),
};

const VECTOR: Record<string, (z: Tensor) => Tensor> = {
  softmax: (z) => F.softmax(z, -1),
  log_softmax: (z) => F.logSoftmax(z, -1),
  maxout_pieces_2: (z) => F.maxout(z, 2),
};

const t = (v: NestedArray, dtype: DType) => tensor(v, { dtype });

/** A loss of (input, target-as-given-in-the-fixture). */
const LOSSES: Record<string, (input: Tensor, target: NestedArray, dtype: DType) => Tensor> = {
  mse_mean: (a, b, d) => F.mse(a, t(b, d)),
  mse_sum: (a, b, d) => F.mse(a, t(b, d), 'sum'),
  mae_mean: (a, b, d) => F.mae(a, t(b, d)),
  huber_delta1: (a, b, d) => F.huber(a, t(b, d), 1),
  bce_mean: (a, b, d) => F.bce(a, t(b, d)),
  bce_with_logits_mean: (a, b, d) => F.bceWithLogits(a, t(b, d)),
  cross_entropy_labels_mean: (a, b) => F.crossEntropy(a, b as number[]),
  cross_entropy_probs_mean: (a, b, d) => F.crossEntropy(a, t(b, d)),
  nll_of_log_softmax_labels_mean: (a, b) => F.nll(F.logSoftmax(a, -1), b as number[]),
};

describe('fixture coverage', () => {
  it('every fixture case has a mapping (none is silently skipped)', () => {
    expect(activations.elementwise.map((c) => c.name).sort()).toEqual(Object.keys(ELEMENTWISE).sort());
    expect(activations.vector.map((c) => c.name).sort()).toEqual(Object.keys(VECTOR).sort());
    expect(losses.cases.map((c) => c.name).sort()).toEqual(Object.keys(LOSSES).sort());
  });
});

describe.each(DTYPES)('activations.json (%s)', (dtype, tol) => {
  it.each(activations.elementwise.map((c) => [c.name, c] as const))('elementwise %s: y and d(sum y)/dx', (name, c) => {
    const f = ELEMENTWISE[name]!;
    const x = tensor(c.x, { dtype });
    const y = f(x);
    expect(y.dtype).toBe(dtype);
    expectClose(y, c.y, tol, `${name} y`);
    const g = grad((u: Tensor) => f(u).sum())(x);
    expect(g.dtype).toBe(dtype);
    expectClose(g, c.dy_dx, tol, `${name} dy/dx`);
  });

  it.each(activations.vector.map((c) => [c.name, c] as const))('vector %s: y and dz with the upstream gradient', (name, c) => {
    const f = VECTOR[name]!;
    const z = tensor(c.z, { dtype });
    const u = tensor(c.upstream, { dtype });
    expectClose(f(z), c.y, tol, `${name} y`);
    const g = grad((v: Tensor) => f(v).mul(u).sum())(z);
    expectClose(g, c.dz, tol, `${name} dz`);
    // The same gradient through backward() with the upstream gradient as the seed.
    const leaf = tensor(c.z, { dtype, requiresGrad: true });
    f(leaf).backward(u);
    expectClose(leaf.grad!, c.dz, tol, `${name} dz via backward(upstream)`);
  });
});

describe.each(DTYPES)('losses.json (%s)', (dtype, tol) => {
  it.each(losses.cases.map((c) => [c.name, c] as const))('%s: loss and d loss / d input', (name, c) => {
    const f = LOSSES[name]!;
    const input = tensor(c.input, { dtype });
    const loss = f(input, c.target, dtype);
    expect(loss.shape).toEqual([]);
    expect(loss.dtype).toBe(dtype);
    expectClose(loss, c.loss, tol, `${name} loss`);
    const g = grad((a: Tensor) => f(a, c.target, dtype))(input);
    expectClose(g, c.d_input, tol, `${name} d_input`);
  });
});

describe.each(DTYPES)('mlp.json (%s)', (dtype, tol) => {
  const x = tensor(mlp.x, { dtype });
  const params = [mlp.W1, mlp.b1, mlp.W2, mlp.b2].map((p) => tensor(p, { dtype }));
  const logits = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) => x.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
  const loss = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) => F.crossEntropy(logits(w1, b1, w2, b2), mlp.labels);

  it('logits = tanh(x@W1 + b1)@W2 + b2 and the cross-entropy loss', () => {
    const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
    expectClose(logits(w1, b1, w2, b2), mlp.logits, tol, 'logits');
    expectClose(loss(w1, b1, w2, b2), mlp.loss, tol, 'loss');
  });

  it('gradients dW1, db1, dW2, db2 (grad with argnums)', () => {
    const gs = grad(loss, [0, 1, 2, 3])(...params);
    expectClose(gs[0]!, mlp.dW1, tol, 'dW1');
    expectClose(gs[1]!, mlp.db1, tol, 'db1');
    expectClose(gs[2]!, mlp.dW2, tol, 'dW2');
    expectClose(gs[3]!, mlp.db2, tol, 'db2');
  });

  it('gradients via backward() on leaves', () => {
    const leaves = [mlp.W1, mlp.b1, mlp.W2, mlp.b2].map((p) => tensor(p, { dtype, requiresGrad: true })) as [Tensor, Tensor, Tensor, Tensor];
    loss(...leaves).backward();
    [mlp.dW1, mlp.db1, mlp.dW2, mlp.db2].forEach((ref, i) => expectClose(leaves[i]!.grad!, ref, tol, `grad ${i}`));
  });
});

describe.each(DTYPES)('scalar_graphs.json (%s)', (dtype, tol) => {
  it('sin_exp_cos: f = b3 + w3·cos(b2 + w2·exp(b1 + w1·sin(b0 + w0·x))), L = Σ(f − y)²', () => {
    const c = graphs.sin_exp_cos;
    const x = tensor(c.x, { dtype });
    const y = tensor(c.y, { dtype });
    const L = (p: Tensor) => {
      const q = (i: number) => p.narrow(0, i, 1);
      const f = q(6).add(q(7).mul(q(4).add(q(5).mul(q(2).add(q(3).mul(q(0).add(q(1).mul(x)).sin())).exp())).cos()));
      return f.sub(y).pow(2).sum();
    };
    const p = tensor(c.params, { dtype });
    expectClose(L(p), c.loss, tol, 'loss');
    expectClose(grad(L)(p), c.grad, tol, 'grad');
  });

  it('gabor: z = φ0 + 0.06·φ1·x, f = sin(z)·exp(−z²/8), L = Σ(f − y)²', () => {
    const c = graphs.gabor;
    const x = tensor(c.x, { dtype });
    const y = tensor(c.y, { dtype });
    const L = (phi: Tensor) => {
      const z = phi.narrow(0, 0, 1).add(phi.narrow(0, 1, 1).mul(0.06).mul(x));
      const f = z.sin().mul(z.mul(z).neg().div(8).exp());
      return f.sub(y).square().sum();
    };
    const phi = tensor(c.phi, { dtype });
    expectClose(L(phi), c.loss, tol, 'loss');
    expectClose(grad(L)(phi), c.grad, tol, 'grad');
  });

  it('x_plus_y_times_z: f = (x + y)·z at (−2, 5, −4)', () => {
    const c = graphs.x_plus_y_times_z;
    const [x, y, z] = [c.x, c.y, c.z].map((v) => tensor(v, { dtype }));
    const f = (a: Tensor, b: Tensor, d: Tensor) => a.add(b).mul(d);
    expectClose(f(x!, y!, z!), c.f, tol, 'f');
    const gs = grad(f, [0, 1, 2])(x!, y!, z!);
    expectClose(gs[0]!, c.df_dx, tol, 'df/dx');
    expectClose(gs[1]!, c.df_dy, tol, 'df/dy');
    expectClose(gs[2]!, c.df_dz, tol, 'df/dz');
  });
});
