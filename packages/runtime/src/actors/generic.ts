import { type FloatArray, type ModuleSpec, Rng, Tensor, type TensorHandle, nn, noGrad } from '@actorgrad/core';
import { mixSeed } from './scratch.js';

/** Modules rebuilt from their spec, one per actor and thread (their own weights are replaced per message). */
const modules = new Map<string, nn.Module>();

function moduleFor(actor: string, spec: ModuleSpec, params: Tensor[]): nn.Module {
  let m = modules.get(actor);
  if (!m) {
    m = nn.moduleFromSpec(spec);
    modules.set(actor, m);
  }
  const own = m.namedParameters();
  if (own.length !== params.length) {
    throw new Error(`${spec.type} expects ${own.length} parameters, the message carries ${params.length}`);
  }
  // The shared parameters are the truth; copy them in (generic layers are small: activations, PReLU, RBF…).
  own.forEach(([, p], i) => p.data.set(params[i]!.data));
  return m;
}

/** The dropout mask of (seed, step, layer, shard): independent of which thread runs the message. */
function dropoutMask(p: number, n: number, seed: number, step: number, layer: number, shard: number): Float64Array {
  const rng = new Rng(mixSeed(seed, step, layer, shard));
  const scale = 1 / (1 - p);
  const m = new Float64Array(n);
  for (let i = 0; i < n; i++) m[i] = rng.next() >= p ? scale : 0;
  return m;
}

export interface GenericCtx {
  actor: string;
  spec: ModuleSpec;
  layerIndex: number;
  step: number;
  shard: number;
  seed: number;
}

/** Forward of any core module: y = module(x), computed without recording a graph. */
export function genericForward(ctx: GenericCtx, x: Tensor, params: Tensor[], training: boolean, out: FloatArray): void {
  if (ctx.spec.type === 'Dropout') {
    const p = Number(ctx.spec.args?.p ?? 0.5);
    if (!training || p === 0) out.set(x.data);
    else {
      const m = dropoutMask(p, x.size, ctx.seed, ctx.step, ctx.layerIndex, ctx.shard);
      for (let i = 0; i < x.size; i++) out[i] = x.data[i]! * m[i]!;
    }
    return;
  }
  const m = moduleFor(ctx.actor, ctx.spec, params);
  m.train(training);
  out.set(noGrad(() => m.forward(x)).data);
}

/**
 * Backward of any core module by recomputation: rebuild the forward from the saved input with
 * autograd on, then pull the output gradient back to the input and the parameters.
 */
export function genericBackward(ctx: GenericCtx, x: Tensor, params: Tensor[], gOut: Tensor, gIn: FloatArray | null, gParams: FloatArray[]): void {
  if (ctx.spec.type === 'Dropout') {
    const p = Number(ctx.spec.args?.p ?? 0.5);
    const m = p === 0 ? null : dropoutMask(p, x.size, ctx.seed, ctx.step, ctx.layerIndex, ctx.shard);
    if (gIn) for (let i = 0; i < x.size; i++) gIn[i] = m ? gOut.data[i]! * m[i]! : gOut.data[i]!;
    return;
  }
  const m = moduleFor(ctx.actor, ctx.spec, params);
  m.train(true);
  const xin = new Tensor(x.data, x.shape, gIn !== null);
  m.zeroGrad();
  const y = m.forward(xin);
  if (!y.requiresGrad) {
    gIn?.fill(0);
    return;
  }
  y.backward(gOut);
  if (gIn) {
    if (xin.grad) gIn.set(xin.grad.data);
    else gIn.fill(0);
  }
  m.namedParameters().forEach(([, p], i) => {
    if (p.grad) gParams[i]!.set(p.grad.data);
    else gParams[i]!.fill(0);
  });
  m.zeroGrad();
}

export function view(h: TensorHandle): Tensor {
  return Tensor.fromHandle(h);
}
