import { type FloatArray, type ModuleSpec, kernels } from '@actorgrad/core';

/**
 * Direct kernels for the common activations, so their actors do not rebuild an autograd graph per
 * message. Each follows core's definition (and derivative convention) exactly, bit for bit, NaN
 * included: relu'(0) = 0, relu(NaN) = NaN with gradient g; leakyRelu'(0) = α, leakyRelu(NaN) = NaN
 * with gradient αg; tanh' = 1 − y². Other activations use the generic path.
 */
interface Kernel {
  forward(x: FloatArray, y: FloatArray): void;
  backward(x: FloatArray, g: FloatArray, gx: FloatArray): void;
}

function kernelFor(spec: ModuleSpec): Kernel | null {
  if (spec.type !== 'Activation') return null;
  const kind = spec.args?.kind;
  switch (kind) {
    case 'identity':
      return { forward: (x, y) => y.set(x), backward: (_x, g, gx) => gx.set(g) };
    case 'relu':
      // core's kernels: `x <= 0` (not `x > 0`), so NaN stays NaN with gradient g, as core and torch.
      return { forward: kernels.reluForward, backward: kernels.reluBackward };
    case 'leakyRelu': {
      const alpha = Number(spec.args?.alpha ?? 0.01);
      // Core multiplies by α as a tensor of x's dtype, so in float32 α is rounded first.
      const slope = (x: FloatArray) => (x instanceof Float32Array ? Math.fround(alpha) : alpha);
      return {
        forward: (x, y) => {
          const a = slope(x);
          for (let i = 0; i < x.length; i++) y[i] = x[i]! > 0 ? x[i]! : x[i]! * a;
        },
        backward: (x, g, gx) => {
          const a = slope(x);
          for (let i = 0; i < x.length; i++) gx[i] = x[i]! > 0 ? g[i]! : g[i]! * a;
        },
      };
    }
    case 'tanh':
      return {
        forward: (x, y) => {
          for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]!);
        },
        backward: (x, g, gx) => {
          // Core computes g·(1 − y·y) one op at a time, each rounded to the dtype: so do we in float32.
          const r = gx instanceof Float32Array ? Math.fround : (v: number) => v;
          for (let i = 0; i < x.length; i++) {
            gx[i] = Math.tanh(x[i]!); // stored first, so y is rounded to the activations' dtype as in forward
            const t = gx[i]!;
            gx[i] = g[i]! * r(1 - r(t * t));
          }
        },
      };
    default:
      return null;
  }
}

const cache = new Map<string, Kernel | null>();

/** The direct kernel of an activation spec, or null when the generic path must be used. */
export function activationKernel(spec: ModuleSpec): Kernel | null {
  const key = JSON.stringify(spec);
  if (!cache.has(key)) cache.set(key, kernelFor(spec));
  return cache.get(key)!;
}
