import { fmtShape, shapeEq } from '../shape.js';
import { Tensor } from '../tensor.js';
import { beginCapture, endCapture, type ReplayStep } from './capture.js';

/** What a compiled function may return: a tensor, an array of tensors, or nothing. */
export type CompiledResult = Tensor | Tensor[] | undefined;

/** Options of `compile`. */
export interface CompileOptions {
  /**
   * How many captures (one per distinct list of argument shapes and dtypes) are kept; the least
   * recently used one is dropped beyond it. Default 8.
   */
  maxCaptures?: number;
}

/** A function made by `compile`. */
export interface CompiledFunction<A extends Tensor[], R extends CompiledResult> {
  /** Runs the function: captured on the first call with these argument shapes, replayed after. */
  (...args: A): R;
  /** The number of captures held now (one per argument signature seen, at most `maxCaptures`). */
  readonly captures: number;
}

interface Capture {
  /** The function's own copies of the arguments; each call copies the arguments into them. */
  inputs: Tensor[];
  steps: ReplayStep[];
  result: CompiledResult;
  /** Just captured: the capture itself computed this call's result. */
  fresh: boolean;
}

/** Whether `args` have the shapes and dtypes `c` was captured with (and none requires grad). */
function fits(c: Capture, args: Tensor[]): boolean {
  const inputs = c.inputs;
  if (args.length !== inputs.length) return false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const s = inputs[i]!;
    if (!(a instanceof Tensor) || a.requiresGrad || a.dtype !== s.dtype || !shapeEq(a.shape, s.shape)) return false;
  }
  return true;
}

function signature(args: Tensor[], name: string): string {
  let key = '';
  args.forEach((a, i) => {
    if (!(a instanceof Tensor)) throw new TypeError(`${name}: argument ${i} must be a Tensor, got ${a === null ? 'null' : typeof a}`);
    if (a.requiresGrad) {
      throw new TypeError(`${name}: argument ${i} (${a}) requires grad; pass parameters through the function's closure (e.g. a module's parameters), not as arguments`);
    }
    key += `${a.dtype}${fmtShape(a.shape)};`;
  });
  return key;
}

function checkResult(result: unknown, name: string): CompiledResult {
  if (result === undefined || result instanceof Tensor) return result;
  if (Array.isArray(result) && result.every((r) => r instanceof Tensor)) return result;
  throw new TypeError(`${name}: the function must return a Tensor, an array of Tensors or nothing`);
}

/** The caller's copy of a result: later calls overwrite the capture's own tensors. */
function copyResult(result: CompiledResult): CompiledResult {
  if (result === undefined) return undefined;
  if (result instanceof Tensor) return result.clone();
  return result.map((t) => t.clone());
}

function capture(fn: (...args: Tensor[]) => unknown, args: Tensor[], name: string): Capture {
  const inputs = args.map((a) => a.clone());
  beginCapture();
  let result: unknown;
  let steps: ReplayStep[] = [];
  try {
    result = fn(...inputs);
  } finally {
    // Always leave capture mode, also when fn throws (then the steps are dropped).
    steps = endCapture();
  }
  return { inputs, steps, result: checkResult(result, name), fresh: true };
}

/**
 * Captures the tensor work of `fn` once per argument signature and replays it on later calls —
 * what CUDA graphs (`torch.cuda.graph`) do for PyTorch and `tf.function` for TensorFlow: the first
 * call with given argument shapes and dtypes runs `fn` normally while recording every kernel it
 * launches, bound to the memory of its operands; every later call copies the arguments into that
 * memory and runs the recorded kernels again, without shape checks, allocation or autograd
 * bookkeeping. A training step of a tiny network is mostly that overhead, so this is where it goes.
 *
 * ```ts
 * const lossStep = compile((x, y) => {
 *   const loss = F.bceWithLogits(net.forward(x), y);
 *   loss.backward(); // accumulates into each parameter's .grad, also on replay
 *   return loss;
 * });
 * for (...) { opt.zeroGrad(); const loss = lossStep(x, y); opt.step(); }
 * ```
 *
 * What is replayed: tensor ops; `backward()` (its gradients are accumulated into the leaves'
 * `.grad`, in place, so `zeroGrad` between steps works as in eager code); dropout masks (drawn
 * afresh from the layer's generator, as eagerly); class labels given as a tensor argument.
 * Parameters are read where they live, so an optimiser that updates them in place (`Optimizer`
 * does) is seen by the next call. What is not: JavaScript between the ops. Values read from a
 * tensor (`item()`, `toArray()`) or random numbers drawn inside `fn` throw while capturing; writes
 * to `.data` and JavaScript numbers or arrays `fn` closes over are fixed at capture time — so is
 * a module's `train()`/`eval()` mode: compile one function per mode.
 * Arguments must be tensors that do not require grad. Results are fresh copies (not part of any
 * graph). A call gives the same bits as the eager function for the kernels chosen.
 */
export function compile<A extends Tensor[], R extends CompiledResult>(fn: (...args: A) => R, options?: CompileOptions): CompiledFunction<A, R>;
/** A function that returns nothing (its effects are the point, e.g. gradients left in `.grad`). */
export function compile<A extends Tensor[]>(fn: (...args: A) => void, options?: CompileOptions): CompiledFunction<A, undefined>;
export function compile<A extends Tensor[], R extends CompiledResult>(fn: (...args: A) => R, options: CompileOptions = {}): CompiledFunction<A, R> {
  const name = `compile(${fn.name || 'anonymous'})`;
  const max = options.maxCaptures ?? 8;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`compile: maxCaptures must be an integer >= 1, got ${max}`);
  const captures = new Map<string, Capture>();
  let last: Capture | undefined;
  /** The capture for these arguments: the last one used if they fit it, else by signature. */
  const captureFor = (args: Tensor[]): Capture => {
    const key = signature(args, name);
    let c = captures.get(key);
    if (c === undefined) {
      c = capture(fn as (...args: Tensor[]) => unknown, args, name);
      if (captures.size >= max) captures.delete(captures.keys().next().value!);
    } else captures.delete(key); // re-inserted below: the Map's order is recency of use
    captures.set(key, c);
    return c;
  };
  const compiled = (...args: A): R => {
    const c = last !== undefined && fits(last, args) ? last : captureFor(args);
    last = c;
    if (c.fresh) c.fresh = false;
    else {
      for (let i = 0; i < args.length; i++) c.inputs[i]!.data.set(args[i]!.data);
      const steps = c.steps;
      for (let i = 0; i < steps.length; i++) steps[i]!();
    }
    return copyResult(c.result) as R;
  };
  Object.defineProperty(compiled, 'captures', { get: () => captures.size });
  return compiled as CompiledFunction<A, R>;
}
