import { assertNotCapturing } from '../autograd/capture.js';
import { fmtShape, shapeEq } from '../shape.js';
import { Tensor } from '../tensor.js';

/** A JSON description of a module, enough to rebuild it (weights travel separately). */
export interface ModuleSpec {
  type: string;
  args?: Record<string, unknown>;
  children?: ModuleSpec[];
}

/**
 * The base of every layer: a tree of named parameters and sub-modules, a train/eval mode and a
 * state dict with PyTorch's dotted names (`0.weight`, `0.bias`, …).
 */
export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Computes the output for input `x`. */
  abstract forward(x: Tensor): Tensor;

  /** A JSON spec from which `moduleFromSpec` rebuilds this module's architecture. */
  abstract spec(): ModuleSpec;

  /** Same as `forward`. */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  protected registerParameter(name: string, t: Tensor): Tensor {
    if (name.includes('.')) throw new RangeError(`registerParameter: name '${name}' must not contain '.'`);
    t.requiresGrad = true;
    this.params.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new TypeError(`registerModule: '${name}' is not a Module`);
    this.children.set(name, m);
    return m;
  }

  /** [dotted name, parameter] pairs, depth first, in registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.params) out.push([prefix + n, p]);
    for (const [n, c] of this.children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** The parameter tree: dotted name → parameter tensor. */
  parameters(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  /** The direct sub-modules, by name. */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  parameterCount(): number {
    return this.namedParameters().reduce((n, [, p]) => n + p.size, 0);
  }

  /** Switches training mode (dropout active) on or off, recursively. */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.children.values()) c.train(mode);
    return this;
  }

  /** Switches to evaluation mode. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const [, p] of this.namedParameters()) p.grad = null;
  }

  /** Copies of the parameters, by dotted name. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters().map(([n, p]) => [n, p.clone()]));
  }

  /**
   * Copies values into the parameters in place. With `strict` (default), missing or unexpected
   * keys are errors; shapes must always match. Nothing is written unless everything checks out.
   */
  loadStateDict(dict: Record<string, Tensor>, { strict = true } = {}): void {
    const own = this.parameters();
    const missing = Object.keys(own).filter((k) => !(k in dict));
    const unexpected = Object.keys(dict).filter((k) => !(k in own));
    if (strict && (missing.length || unexpected.length)) {
      throw new Error(`loadStateDict: missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`);
    }
    for (const [k, v] of Object.entries(dict)) {
      const p = own[k];
      if (!p) continue;
      if (!(v instanceof Tensor) || !shapeEq(p.shape, v.shape)) {
        throw new RangeError(`loadStateDict: '${k}' expects shape ${fmtShape(p.shape)}, got ${v instanceof Tensor ? fmtShape(v.shape) : typeof v}`);
      }
    }
    assertNotCapturing('loadStateDict');
    for (const [k, v] of Object.entries(dict)) own[k]?.data.set(v.data);
  }
}

type Factory = (spec: ModuleSpec) => Module;
const registry = new Map<string, Factory>();

/** Registers how to rebuild a module type from its spec. */
export function registerModuleType(type: string, factory: Factory): void {
  registry.set(type, factory);
}

/** Rebuilds a module (freshly initialised) from a spec. */
export function moduleFromSpec(spec: ModuleSpec): Module {
  const f = registry.get(spec?.type);
  if (!f) throw new RangeError(`moduleFromSpec: unknown module type ${JSON.stringify(spec?.type)}; known: ${[...registry.keys()].join(', ')}`);
  return f(spec);
}
