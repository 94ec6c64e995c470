/**
 * Per-step overhead of a tiny network: XOR 2-4-1 (sigmoid hidden layer), full batch of 4,
 * binary cross-entropy on the logits, SGD lr 0.5 — the work of the anchors' XOR
 * (`/work/shared/bench/torch_mlp.py`, `tfjs_mlp.mjs`) — through core (autograd, nn, F) and optim's
 * `Optimizer`, as a user writes it: `zeroGrad(); loss.backward(); step()`. `--momentum` adds
 * momentum 0.9 (the issue's "SGD with momentum"); `--steps N`, `--trials N`.
 *
 * `pnpm bench:xor` in `packages/runtime` (= `tsx --conditions=@actorgrad/source bench/xor.ts`).
 * Prints one JSON line: steps/s per trial, their median, µs per step and the final loss.
 */
import { F, Rng, data, nn } from '@actorgrad/core';
import { Optimizer, sgd } from '@actorgrad/optim';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const STEPS = flag('steps', 5000);
const TRIALS = flag('trials', 5);
const momentum = process.argv.includes('--momentum') ? 0.9 : 0;

const { x, y } = data.xor();
const rng = new Rng(0);
const net = new nn.Sequential(new nn.Linear(2, 4, { rng }), nn.Sigmoid(), new nn.Linear(4, 1, { rng }));
const opt = new Optimizer(net.parameters(), sgd({ lr: 0.5, momentum }));

function step(): number {
  opt.zeroGrad();
  const loss = F.bceWithLogits(net.forward(x), y);
  loss.backward();
  opt.step();
  return loss.item();
}

for (let i = 0; i < 500; i++) step();
const rates: number[] = [];
let loss = Number.NaN;
for (let t = 0; t < TRIALS; t++) {
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) loss = step();
  rates.push(STEPS / ((performance.now() - t0) / 1000));
}
const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)]!;
console.log(
  JSON.stringify({
    xor: { steps_per_s: rates.map(Math.round), median: Math.round(median), us_per_step: Number((1e6 / median).toFixed(1)), momentum, final_loss: loss },
  }),
);
