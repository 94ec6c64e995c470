import type { Evaluation, SecondOrderMethod } from './types.js';

/** A parameter as the closure API sees it; core's `Tensor` satisfies this structurally. */
export interface ParamLike {
  data: Float32Array | Float64Array;
  grad: { data: Float32Array | Float64Array } | null;
}

/** What a closure may return: a number or a scalar tensor (anything with `item()`). */
export type LossLike = number | { item(): number };

/** Concatenate the parameters into one Float64Array. */
export function gatherFlatParams(params: readonly ParamLike[]): Float64Array {
  const out = new Float64Array(params.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of params) {
    out.set(p.data, offset);
    offset += p.data.length;
  }
  return out;
}

/** Concatenate the gradients into one Float64Array; a missing gradient counts as zeros (torch's `_gather_flat_grad`). */
export function gatherFlatGrad(params: readonly ParamLike[]): Float64Array {
  const out = new Float64Array(params.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of params) {
    if (p.grad) {
      if (p.grad.data.length !== p.data.length) {
        throw new RangeError(`gatherFlatGrad: a grad has ${p.grad.data.length} elements, its parameter ${p.data.length}`);
      }
      out.set(p.grad.data, offset);
    }
    offset += p.data.length;
  }
  return out;
}

/** Write a flat vector back into the parameters (rounding to float32 where they are float32). */
export function scatterFlatParams(params: readonly ParamLike[], x: Float64Array): void {
  let offset = 0;
  for (const p of params) {
    p.data.set(x.subarray(offset, offset + p.data.length));
    offset += p.data.length;
  }
}

/**
 * The stateful closure API of the second-order methods, like `torch.optim.LBFGS`:
 * `new ClosureOptimizer(model.parameters(), lbfgs({ lineSearchFn: 'strong_wolfe' }))`, then
 * `opt.step(() => { zeroGrads(); const loss = lossFn(); loss.backward(); return loss; })`.
 * Each `step` flattens the parameters into one Float64Array, runs the method (up to its `maxIter`
 * iterations; the closure is called once per evaluation, after the parameters were set to the point
 * being evaluated), writes the final point back and returns the loss at the start of the step.
 * The method's state (`this.state`, plain data) persists across steps. After a step the
 * parameters' `grad` holds the gradient of the last evaluation, not necessarily of the final point.
 */
export class ClosureOptimizer<S> {
  readonly params: readonly ParamLike[];
  readonly method: SecondOrderMethod<S>;
  state: S;

  constructor(params: Iterable<ParamLike>, method: SecondOrderMethod<S>) {
    this.params = [...params];
    this.method = method;
    this.state = method.init(this.params.reduce((n, p) => n + p.data.length, 0));
  }

  /** Run the method from the current parameters; returns the loss the closure gave at the start. */
  step(closure: () => LossLike): number {
    const evaluateAt = (x: Float64Array): Evaluation => {
      scatterFlatParams(this.params, x);
      const value = closure();
      const loss = typeof value === 'number' ? value : value.item();
      return { loss, grad: gatherFlatGrad(this.params) };
    };
    const x0 = gatherFlatParams(this.params);
    const start = evaluateAt(x0);
    const r = this.method.run(evaluateAt, x0, start, this.state);
    scatterFlatParams(this.params, r.x);
    this.state = r.state;
    return start.loss;
  }
}
