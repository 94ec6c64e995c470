/**
 * Steps of the benchmark MLP (784-256-128-10 ReLU, Adam, batch 128) under one placement, for a CPU
 * profile: `node --cpu-prof --import tsx --conditions=@actorgrad/source bench/profile-step.ts
 * [--data-parallel] [--steps N]` in packages/runtime. Prints the mean step time after the warm-up.
 */
import { Rng, randn, tensor } from '@actorgrad/core';
import { benchMlp } from './mlp.js';
import { createEngine, dataParallel, inline } from '../src/index.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const STEPS = arg('--steps', 600);
const model = benchMlp();
const rng = new Rng(2);
const batches = Array.from({ length: 4 }, () => ({ x: randn([128, 784], { rng }), y: tensor(Array.from({ length: 128 }, () => rng.int(10))) }));
const placement = process.argv.includes('--data-parallel') ? dataParallel({ replicas: 2, threads: 2 }) : inline();
const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-3 } }, placement });
for (let i = 0; i < 300; i++) await engine.step(batches[i % 4]!);
const t0 = performance.now();
for (let i = 0; i < STEPS; i++) await engine.step(batches[i % 4]!);
const ms = (performance.now() - t0) / STEPS;
console.log(`${STEPS} steps: ${ms.toFixed(2)} ms/step, ${(128 / ms * 1000).toFixed(0)} samples/s`);
await engine.close();
