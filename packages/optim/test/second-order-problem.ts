/**
 * The optimisers fixture's problem, written out by hand in float64 for the closure-API tests:
 * `loss = mean((tanh(X·W1 + b1)·W2 + b2 − Y)²)`, W stored [in, out] row-major, parameters flattened
 * in the order W1, b1, W2, b2 (as torch's `_gather_flat_grad` does).
 */
import { readFileSync } from 'node:fs';

export interface TinyNetFixture {
  X: number[][];
  Y: number[][];
  init: { W1: number[][]; b1: number[]; W2: number[][]; b2: number[] };
  lbfgs: {
    hyper: { lr: number; max_iter: number; history_size: number; line_search_fn: string };
    outer_steps: number;
    loss_returned_by_each_step: number[];
    final_loss: number;
  };
}

export const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/optimizers.json', import.meta.url), 'utf8'),
) as TinyNetFixture;

/** A parameter with a gradient slot, shaped like core's Tensor (`data`, `grad.data`). */
export interface Param {
  data: Float64Array;
  grad: { data: Float64Array } | null;
}

/** Fresh parameters [W1, b1, W2, b2] from the fixture's initial values. */
export function initialParams(): Param[] {
  const { W1, b1, W2, b2 } = fixture.init;
  return [W1.flat(), b1, W2.flat(), b2].map((v) => ({ data: Float64Array.from(v), grad: null }));
}

/**
 * Loss and gradients of the tiny net: with `h = tanh(X·W1 + b1)`, `out = h·W2 + b2`,
 * `r = out − Y`, `L = Σr² / (N·O)`: `∂L/∂out = 2r/(N·O)`, `∂W2 = hᵀ·∂out`, `∂b2 = Σ_rows ∂out`,
 * `∂z = (∂out·W2ᵀ) ⊙ (1 − h²)`, `∂W1 = Xᵀ·∂z`, `∂b1 = Σ_rows ∂z`.
 */
export function tinyNet(w1: Float64Array, b1: Float64Array, w2: Float64Array, b2: Float64Array) {
  const X = fixture.X;
  const Y = fixture.Y;
  const [N, I, H, O] = [X.length, X[0].length, b1.length, b2.length];
  const gw1 = new Float64Array(I * H);
  const gb1 = new Float64Array(H);
  const gw2 = new Float64Array(H * O);
  const gb2 = new Float64Array(O);
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const h = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      let z = b1[j];
      for (let i = 0; i < I; i++) z += X[n][i] * w1[i * H + j];
      h[j] = Math.tanh(z);
    }
    const dz = new Float64Array(H);
    for (let k = 0; k < O; k++) {
      let out = b2[k];
      for (let j = 0; j < H; j++) out += h[j] * w2[j * O + k];
      const r = out - Y[n][k];
      loss += r * r;
      const dout = (2 * r) / (N * O);
      gb2[k] += dout;
      for (let j = 0; j < H; j++) {
        gw2[j * O + k] += h[j] * dout;
        dz[j] += dout * w2[j * O + k];
      }
    }
    for (let j = 0; j < H; j++) {
      const d = dz[j] * (1 - h[j] * h[j]);
      gb1[j] += d;
      for (let i = 0; i < I; i++) gw1[i * H + j] += X[n][i] * d;
    }
  }
  return { loss: loss / (N * O), grads: [gw1, gb1, gw2, gb2] };
}

/** The torch-style closure: zero grads, compute the loss, "backward" (write grads), return the loss. */
export function makeClosure(params: Param[]): () => number {
  return () => {
    for (const p of params) p.grad = null; // zero_grad(set_to_none)
    const { loss, grads } = tinyNet(params[0].data, params[1].data, params[2].data, params[3].data);
    params.forEach((p, i) => {
      p.grad = { data: grads[i] };
    });
    return loss;
  };
}
