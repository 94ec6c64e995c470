import { fmtShape, shapeEq } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { withGrad } from './mode.js';

/** Tensors reachable from `root` through recorded ops, in topological order (inputs first). */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t._node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i]!;
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order;
}

/**
 * Reverse mode: the gradients of `root` (seeded with `seed`) with respect to every tensor of its
 * graph, walking ops in reverse topological order and *accumulating* contributions. With
 * `createGraph`, the derivative computation is itself recorded, so it can be differentiated again.
 */
export function gradients(root: Tensor, seed: Tensor, createGraph: boolean): Map<Tensor, Tensor> {
  if (!shapeEq(seed.shape, root.shape)) {
    throw new RangeError(`backward: gradient of shape ${fmtShape(seed.shape)} does not match output of shape ${fmtShape(root.shape)}`);
  }
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const order = topoOrder(root);
  withGrad(createGraph, () => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      const node = t._node;
      if (!g || !node) continue;
      const gs = node.backward(g);
      node.inputs.forEach((input, j) => {
        const gi = gs[j];
        if (!gi || !input.requiresGrad) return;
        if (!shapeEq(gi.shape, input.shape)) {
          throw new Error(`internal: ${node.name} produced a gradient of shape ${fmtShape(gi.shape)} for an input of shape ${fmtShape(input.shape)}`);
        }
        const prev = grads.get(input);
        grads.set(input, prev ? prev.add(gi) : gi);
      });
    }
  });
  return grads;
}
