import { type FloatArray, type ModuleSpec, nn, tensor } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { activationKernel } from './activation.js';

/** Inputs with the kinks, signed zeros, infinities and NaN. */
const X = [0, -0, 1e-30, -1e-30, 0.5, -0.5, 3, -3, 40, -40, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
const G = X.map((_, i) => (i % 3) - 1.25);

const same = (a: FloatArray, b: FloatArray) => Array.from(a).every((v, i) => Object.is(v, b[i]));

describe('activation kernels are bit-identical to core, NaN included', () => {
  const specs: ModuleSpec[] = [
    { type: 'Activation', args: { kind: 'identity' } },
    { type: 'Activation', args: { kind: 'relu' } },
    { type: 'Activation', args: { kind: 'leakyRelu', alpha: 0.01 } },
    { type: 'Activation', args: { kind: 'leakyRelu', alpha: 0.2 } },
    { type: 'Activation', args: { kind: 'tanh' } },
  ];
  for (const spec of specs) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${JSON.stringify(spec.args)} ${dtype}`, () => {
        const k = activationKernel(spec)!;
        const x = tensor(X, { dtype, requiresGrad: true });
        const g = tensor(G, { dtype });
        const y = nn.moduleFromSpec(spec).forward(x);
        y.backward(g);
        const yk = dtype === 'float32' ? new Float32Array(X.length) : new Float64Array(X.length);
        const gk = dtype === 'float32' ? new Float32Array(X.length) : new Float64Array(X.length);
        k.forward(x.data, yk);
        k.backward(x.data, g.data, gk);
        expect(same(yk, y.data), `forward ${Array.from(yk)} vs ${Array.from(y.data)}`).toBe(true);
        expect(same(gk, x.grad!.data), `backward ${Array.from(gk)} vs ${Array.from(x.grad!.data)}`).toBe(true);
        if (spec.args?.kind !== 'identity') expect(yk[X.length - 1]).toBeNaN();
      });
    }
  }
});
