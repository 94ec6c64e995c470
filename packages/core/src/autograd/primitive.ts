import { allocShared } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { currentForwardLevel, isGradEnabled, withoutForward } from './mode.js';

/**
 * A primitive op: its forward computation and its two derivative rules side by side. The rules are
 * written with differentiable ops, so derivatives of derivatives work.
 */
export interface Primitive<A = void> {
  name: string;
  /** Computes the result from the inputs' data; records nothing. */
  forward(inputs: Tensor[], attrs: A): Tensor;
  /** Reverse rule: the gradient w.r.t. each input given the gradient `g` of the output. */
  vjp?(g: Tensor, inputs: Tensor[], out: Tensor, attrs: A): (Tensor | null)[];
  /** Forward rule: the output tangent given the inputs' tangents (null = zero). */
  jvp?(tangents: (Tensor | null)[], inputs: Tensor[], out: Tensor, attrs: A): Tensor | null;
}

/** Runs a primitive and records it for reverse mode and forward mode as needed. */
export function apply<A>(p: Primitive<A>, inputs: Tensor[], attrs: A): Tensor {
  const out = p.forward(inputs, attrs);
  if (p.vjp && isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    const vjp = p.vjp;
    out.requiresGrad = true;
    out._node = { name: p.name, inputs, backward: (g) => vjp(g, inputs, out, attrs) };
  }
  const level = currentForwardLevel();
  if (level !== 0 && p.jvp && inputs.some((t) => t._tangent !== null && t._tangentLevel === level)) {
    const tangents = inputs.map((t) => (t._tangentLevel === level ? t._tangent : null));
    // Tangent arithmetic itself carries no tangent, but stays recorded for reverse mode.
    const jvp = p.jvp;
    const t = withoutForward(() => jvp(tangents, inputs, out, attrs));
    if (t) {
      out._tangent = t;
      out._tangentLevel = level;
    }
  }
  return out;
}


/**
 * The derivative rules of a piecewise-constant op (`sign`, the comparisons, `argmax`/`argmin`):
 * an exact zero gradient for every input that requires one, and no tangent (a zero tangent).
 * Recording the op (rather than leaving it out of the graph) is what makes `.backward()` through
 * it give zero gradients, as PyTorch's `torch.sign(x).sum().backward()` does, instead of finding
 * no input that requires grad.
 */
export const ZERO_DERIVATIVE = {
  vjp: (_g: Tensor, inputs: Tensor[]): (Tensor | null)[] =>
    inputs.map((x) => (x.requiresGrad ? new Tensor(allocShared(x.dtype, x.size), x.shape) : null)),
  jvp: (): Tensor | null => null,
};
