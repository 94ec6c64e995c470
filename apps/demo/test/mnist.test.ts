import { kernels } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { runMnist } from '../src/mnist.js';

describe('demo mnist (the README main job)', () => {
  it('784-256-128-10 ReLU, Adam 1e-3, batch 128, 10 epochs on 8000 digits: ≥ 93.5% on the 2000 held out', async () => {
    const lines: string[] = [];
    const r = await runMnist({ quiet: true, log: (l) => lines.push(l) });
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.935);
    expect(lines.some((l) => /^placement: dataParallel \(2 replicas/.test(l))).toBe(true);
    // …and which kernel the threads run (this thread's choice, which the pool threads take)
    const { kernel, fma } = kernels.kernelChoice();
    const expected = kernel === 'js' ? 'kernels: JavaScript' : `kernels: WebAssembly SIMD, ${kernel}${kernel === 'fast' ? (fma ? ' with fused multiply-add' : ', multiply then add') : ''}`;
    expect(lines.find((l) => l.startsWith('placement: '))).toContain(`; ${expected}`);
    expect(lines.at(-1)).toMatch(/^test accuracy \d+\.\d\d% .* on 2000 held-out digits/);
  }, 600_000);
});
