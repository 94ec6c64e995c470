import { allocShared } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { isCapturing, type ReplayStep, recordStep } from './capture.js';
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
  /**
   * For `compile`: a function that computes `out` again, in place, from the inputs' current values;
   * everything that depends only on shapes is worked out once, here. Without it a replay runs
   * `forward` and copies its result into `out`.
   */
  plan?(inputs: Tensor[], attrs: A, out: Tensor): ReplayStep;
}

/** The replay step of one application of `p` (nothing for a result that shares an input's memory). */
function replayStep<A>(p: Primitive<A>, inputs: Tensor[], attrs: A, out: Tensor): ReplayStep | null {
  for (const x of inputs) if (x.data === out.data) return null;
  if (p.plan) return p.plan(inputs, attrs, out);
  const forward = p.forward;
  return () => {
    out.data.set(forward(inputs, attrs).data);
  };
}

/** Runs a primitive and records it for reverse mode and forward mode as needed. */
export function apply<A>(p: Primitive<A>, inputs: Tensor[], attrs: A): Tensor {
  const out = p.forward(inputs, attrs);
  if (isCapturing()) {
    const step = replayStep(p, inputs, attrs, out);
    if (step) recordStep(step);
  }
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
