import { spawnSync } from 'node:child_process';
import { type FloatArray, kernels } from '@actorgrad/core';
import * as optim from '@actorgrad/optim';
import { describe, expect, it } from 'vitest';
import type { OptimizerConfig } from '../protocol.js';
import { fusedAdam } from './fused-adam.js';
import { applyTransformation, optimizerStep, transformationOf } from './step.js';

const bytes = (a: FloatArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function data(dtype: 'float32' | 'float64', n: number, seed: number): FloatArray {
  const out = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648 - 0.5) * (i % 7 === 0 ? 1e-3 : 3);
  }
  return out;
}

/** optim's transformation alone, never the fused path. */
const generalOptimizerStep: typeof optimizerStep = (cfg, lr, gradScale, keys, params, grads, state) => applyTransformation(transformationOf(cfg, lr), gradScale, keys, params, grads, state);

/** Runs `steps` optimiser steps through a step function on its own copy of the parameter. */
function run(step: typeof optimizerStep, cfg: OptimizerConfig, dtype: 'float32' | 'float64', scales: number[]) {
  const n = 1000;
  const p = data(dtype, n, 1);
  let state = transformationOf(cfg, 0.01).init({ w: p });
  for (let k = 0; k < scales.length; k++) {
    const g = data(dtype, n, 100 + k);
    state = step(cfg, 0.01 * (k + 1), scales[k]!, ['w'], [p], [g], state).next;
  }
  return { p, state };
}

describe('fused Adam', () => {
  const cases: [string, OptimizerConfig][] = [
    ['defaults', { name: 'adam', options: {} }],
    ['betas and eps', { name: 'adam', options: { betas: [0.8, 0.99], eps: 1e-6 } }],
    ['weightDecay 0', { name: 'adam', options: { weightDecay: 0 } }],
  ];
  for (const [dtype, kernel] of [['float32', 'wasm'], ['float64', 'wasm'], ['float32', 'js'], ['float64', 'js']] as const) {
    for (const [label, cfg] of cases) {
      it(`gives optim's bits (${dtype}, ${label}, with and without a gradient scale; core's ${kernel} kernels)`, () => {
        const scales = [1, 0.37, 1, 2.5e-3, 1, 1];
        const prev = kernels.useGemmKernel(kernel);
        const fused = (() => {
          try {
            return run(optimizerStep, cfg, dtype, scales);
          } finally {
            kernels.useGemmKernel(prev);
          }
        })();
        const general = run(generalOptimizerStep, cfg, dtype, scales);
        expect(bytes(fused.p).equals(bytes(general.p))).toBe(true);
        const [fa, fr] = fused.state as [{ count: number; mu: { w: FloatArray }; nu: { w: FloatArray }; nuMax: null }, { count: number }];
        const [ga, gr] = general.state as typeof fused.state & [typeof fa, typeof fr];
        expect(fa.count).toBe(6);
        expect([fa.count, fa.nuMax, fr.count]).toEqual([ga.count, ga.nuMax, gr.count]);
        expect(bytes(fa.mu.w).equals(bytes(ga.mu.w))).toBe(true);
        expect(bytes(fa.nu.w).equals(bytes(ga.nu.w))).toBe(true);
        expect(fa.mu.w.constructor).toBe(ga.mu.w.constructor);
      });
    }
  }

  it('moves the parameter (the comparison above is not between two no-ops)', () => {
    const before = data('float32', 1000, 1);
    const { p } = run(optimizerStep, { name: 'adam', options: {} }, 'float32', [1, 1]);
    expect(bytes(p).equals(bytes(before))).toBe(false);
  });

  it('declines what it does not compute: weight decay, AMSGrad, other optimisers, other states, mixed dtypes', () => {
    const p = new Float32Array([1, 2]);
    const g = new Float32Array([0.5, -0.5]);
    const state = (cfg: OptimizerConfig) => transformationOf(cfg, 0.1).init({ w: p });
    const adam: OptimizerConfig = { name: 'adam', options: {} };
    for (const cfg of [
      { name: 'adam', options: { weightDecay: 0.1 } },
      { name: 'adam', options: { amsgrad: true } },
      { name: 'adamw', options: {} },
      { name: 'sgd', options: { momentum: 0.9 } },
    ] satisfies OptimizerConfig[]) {
      expect(fusedAdam(cfg, 0.1, 1, 'w', p, g, state(cfg))).toBeNull();
    }
    expect(fusedAdam(adam, 0.1, 1, 'v', p, g, state(adam))).toBeNull(); // another key
    expect(fusedAdam(adam, 0.1, 1, 'w', p, new Float64Array([0.5, -0.5]), state(adam))).toBeNull();
    expect(fusedAdam(adam, 0.1, 1, 'w', p, g, { count: 0 })).toBeNull();
    expect(p).toEqual(new Float32Array([1, 2]));
  });

  it('returns the old moments as dead and new arrays as the next state', () => {
    const p = new Float32Array([1, 2]);
    const cfg: OptimizerConfig = { name: 'adam', options: {} };
    const s0 = transformationOf(cfg, 0.1).init({ w: p }) as [{ mu: { w: FloatArray }; nu: { w: FloatArray } }, unknown];
    const out = fusedAdam(cfg, 0.1, 1, 'w', p, new Float32Array([0.5, -0.5]), s0)!;
    expect(out.dead).toEqual([s0[0].mu.w, s0[0].nu.w]);
    expect(out.dead[0]).toBe(s0[0].mu.w);
    expect(out.next[0].mu.w).not.toBe(s0[0].mu.w);
    expect(optim.arraysIn(out.next).size).toBe(2);
  });

  it('validates the configuration with optim messages before the fused path', () => {
    const p = new Float32Array([1]);
    const cfg: OptimizerConfig = { name: 'adam', options: { betas: [1.5, 0.9] } };
    expect(() => optimizerStep(cfg, 0.1, 1, ['w'], [p], [new Float32Array([1])], [{}, {}])).toThrow(/betas/);
  });

  it('stays optimised over hundreds of calls: V8 does not deoptimise it again and again', () => {
    // With the loop inside fusedAdam, V8's on-stack-replaced code deoptimised at the end of a call
    // over and over (this child: 16–451 times in three runs; none since the loops are functions).
    const child = new URL('../../test/support/fused-adam-deopts-child.ts', import.meta.url).pathname;
    const out = spawnSync(process.execPath, ['--trace-deopt', '--conditions=@actorgrad/source', '--import', 'tsx', child], { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^param\[1\] /m); // the child ran its steps
    const deopts = out.stdout.split('\n').filter((l) => l.includes('bailout') && /<JSFunction (fusedAdam|adamF32|adamF64) /.test(l));
    expect(deopts.length, deopts.slice(0, 3).join('\n')).toBeLessThanOrEqual(3);
  }, 70_000);
});
