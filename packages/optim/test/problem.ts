import { type ArrayTree, type Tensor, tensor, valueAndGrad } from '@actorgrad/core';

/**
 * The fixture problem of make_torch_fixtures.py in float64: `h = tanh(X W1 + b1)`, `ŷ = h W2 + b2`,
 * `L = mean((ŷ − Y)²)`; W is [in, out], row-major. {@link lossAndGrad} differentiates it with
 * core's autograd; {@link analyticLossAndGrad} is the hand-written backward pass, kept as a
 * cross-check.
 */
export interface MlpProblem {
  X: number[][];
  Y: number[][];
}

export interface LossAndGrad {
  loss: number;
  grads: ArrayTree;
}

/** `mean((tanh(X·W1 + b1)·W2 + b2 − Y)²)` with core's differentiable tensor ops. */
export function mlpLoss(X: Tensor, Y: Tensor, W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor): Tensor {
  return X.matmul(W1).add(b1).tanh().matmul(W2).add(b2).sub(Y).square().mean();
}

const dataTensors = new WeakMap<MlpProblem, [Tensor, Tensor]>();

/** X and Y of `prob` as float64 tensors (built once per problem). */
export function problemTensors(prob: MlpProblem): [Tensor, Tensor] {
  let xy = dataTensors.get(prob);
  if (!xy) {
    xy = [tensor(prob.X, { dtype: 'float64' }), tensor(prob.Y, { dtype: 'float64' })];
    dataTensors.set(prob, xy);
  }
  return xy;
}

const mlpValueAndGrad = valueAndGrad(mlpLoss, [2, 3, 4, 5]);

/** Loss and gradients of the fixture problem at `p` (W1, b1, W2, b2, flat), by core's autograd in float64. */
export function lossAndGrad(prob: MlpProblem, p: ArrayTree): LossAndGrad {
  const [X, Y] = problemTensors(prob);
  const nin = X.shape[1]!;
  const nh = p.b1!.length;
  const no = p.b2!.length;
  const as64 = (v: ArrayLike<number>, shape: number[]) => tensor(v, { dtype: 'float64', shape });
  const [loss, [gW1, gb1, gW2, gb2]] = mlpValueAndGrad(
    X,
    Y,
    as64(p.W1!, [nin, nh]),
    as64(p.b1!, [nh]),
    as64(p.W2!, [nh, no]),
    as64(p.b2!, [no]),
  );
  const copy = (g: Tensor | undefined) => Float64Array.from(g!.data);
  return { loss: loss.item(), grads: { W1: copy(gW1), b1: copy(gb1), W2: copy(gW2), b2: copy(gb2) } };
}

/**
 * The same loss and gradients by a hand-written backward pass (the cross-check of {@link lossAndGrad}):
 * `δ = 2(ŷ − Y)/(n·o)`, `∇W2 = hᵀδ`, `∇b2 = Σᵢ δ`, `ζ = (δ W2ᵀ) ⊙ (1 − h²)`, `∇W1 = Xᵀζ`, `∇b1 = Σᵢ ζ`.
 */
export function analyticLossAndGrad(prob: MlpProblem, p: ArrayTree): LossAndGrad {
  const { X, Y } = prob;
  const n = X.length;
  const nin = X[0]!.length;
  const nh = p.b1!.length;
  const no = p.b2!.length;
  const W1 = p.W1!;
  const b1 = p.b1!;
  const W2 = p.W2!;
  const b2 = p.b2!;
  const h = new Float64Array(n * nh);
  const delta = new Float64Array(n * no);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nh; j++) {
      let z = b1[j]!;
      for (let k = 0; k < nin; k++) z += X[i]![k]! * W1[k * nh + j]!;
      h[i * nh + j] = Math.tanh(z);
    }
    for (let o = 0; o < no; o++) {
      let y = b2[o]!;
      for (let j = 0; j < nh; j++) y += h[i * nh + j]! * W2[j * no + o]!;
      const r = y - Y[i]![o]!;
      loss += r * r;
      delta[i * no + o] = (2 * r) / (n * no);
    }
  }
  const gW1 = new Float64Array(W1.length);
  const gb1 = new Float64Array(nh);
  const gW2 = new Float64Array(W2.length);
  const gb2 = new Float64Array(no);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < no; o++) {
      const d = delta[i * no + o]!;
      gb2[o]! += d;
      for (let j = 0; j < nh; j++) gW2[j * no + o]! += h[i * nh + j]! * d;
    }
    for (let j = 0; j < nh; j++) {
      let dh = 0;
      for (let o = 0; o < no; o++) dh += delta[i * no + o]! * W2[j * no + o]!;
      const hij = h[i * nh + j]!;
      const zeta = dh * (1 - hij * hij);
      gb1[j]! += zeta;
      for (let k = 0; k < nin; k++) gW1[k * nh + j]! += X[i]![k]! * zeta;
    }
  }
  return { loss: loss / (n * no), grads: { W1: gW1, b1: gb1, W2: gW2, b2: gb2 } };
}

/** Row-major flattening of a nested list into a Float64Array. */
export function flat(x: number[] | number[][]): Float64Array {
  return Float64Array.from((x as (number | number[])[]).flat() as number[]);
}

/** |a − b| <= rel·max(|b|, floor): relative, with an absolute floor for values near zero. */
export function close(a: number, b: number, rel = 1e-9, floor = 1e-12): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(b), floor);
}
