/**
 * The optimisers fixture's problem for the closure-API tests, on core tensors in float64:
 * `loss = mean((tanh(X·W1 + b1)·W2 + b2 − Y)²)`, W stored [in, out] row-major, parameters in the
 * order W1, b1, W2, b2 (as torch's `_gather_flat_grad` flattens them); gradients by core's autograd.
 */
import { readFileSync } from 'node:fs';
import { type ArrayTree, type Tensor, tensor } from '@actorgrad/core';
import { mlpLoss, problemTensors } from './problem.js';

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

const NAMES = ['W1', 'b1', 'W2', 'b2'] as const;
const { W1, W2 } = fixture.init;
const SHAPES = [[W1.length, W1[0]!.length], [fixture.init.b1.length], [W2.length, W2[0]!.length], [fixture.init.b2.length]];

/** Fresh parameters [W1, b1, W2, b2]: float64 core tensors with `requiresGrad`, from the fixture's initial values. */
export function initialParams(): Tensor[] {
  return NAMES.map((k) => tensor(fixture.init[k], { dtype: 'float64', requiresGrad: true }));
}

/** The parameters as a tree of flat copies (W1, b1, W2, b2), for problem.ts's functions. */
export function paramTree(params: readonly { data: ArrayLike<number> }[]): ArrayTree {
  const tree: ArrayTree = {};
  NAMES.forEach((k, i) => {
    tree[k] = Float64Array.from(params[i]!.data);
  });
  return tree;
}

/** The tiny net's loss for the parameter tensors [W1, b1, W2, b2]. */
export function tinyNetLoss(params: readonly Tensor[]): Tensor {
  const [X, Y] = problemTensors(fixture);
  const [W1, b1, W2, b2] = params;
  return mlpLoss(X, Y, W1!, b1!, W2!, b2!);
}

/** The torch-style closure: zero grads (set to none), compute the loss, `backward()`, return the loss tensor. */
export function makeClosure(params: readonly Tensor[]): () => Tensor {
  return () => {
    for (const p of params) p.grad = null;
    const loss = tinyNetLoss(params);
    loss.backward();
    return loss;
  };
}

/** The tiny net's loss as a function of the flat parameter vector [W1, b1, W2, b2] (for `objectiveFromTensorFn`). */
export function tinyNetFlatLoss(x: Tensor): Tensor {
  let offset = 0;
  const params = SHAPES.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const p = x.narrow(0, offset, size).reshape(shape);
    offset += size;
    return p;
  });
  return tinyNetLoss(params);
}
