/**
 * Per-step overhead of a tiny network: XOR 2-4-1 (sigmoid hidden layer), full batch of 4,
 * binary cross-entropy on the logits, SGD lr 0.5 — the work of the anchors' XOR
 * (`/work/shared/bench/torch_mlp.py`, `tfjs_mlp.mjs`) — through core (autograd, nn, F) and optim's
 * `Optimizer`, as a user writes it: `zeroGrad(); loss.backward(); step()`. `--momentum` adds
 * momentum 0.9 (the issue's "SGD with momentum"); `--steps N`, `--trials N`.
 *
 * Two ways, interleaved trial by trial: `eager` (every op checked, allocated and recorded for
 * autograd as it runs) and `compiled` (the same loss-and-backward function through core's
 * `compile`, which captures its kernels once and replays them; the optimiser step stays outside).
 * Both start from the same weights and give the same bits.
 *
 * `pnpm bench:xor` in `packages/runtime` (= `tsx --conditions=@actorgrad/source bench/xor.ts`).
 * Prints one JSON line: per way, steps/s per trial, their median, µs per step and the final loss.
 */
import { F, Rng, type Tensor, compile, data, nn } from '@actorgrad/core';
import { Optimizer, sgd } from '@actorgrad/optim';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const STEPS = flag('steps', 5000);
const TRIALS = flag('trials', 5);
const momentum = process.argv.includes('--momentum') ? 0.9 : 0;

const { x, y } = data.xor();

/** A fresh XOR network and optimiser, and its training step (eager, or through `compile`). */
function setup(compiled: boolean): () => number {
  const rng = new Rng(0);
  const net = new nn.Sequential(new nn.Linear(2, 4, { rng }), nn.Sigmoid(), new nn.Linear(4, 1, { rng }));
  const opt = new Optimizer(net.parameters(), sgd({ lr: 0.5, momentum }));
  const lossOf = (xb: Tensor, yb: Tensor): Tensor => {
    const loss = F.bceWithLogits(net.forward(xb), yb);
    loss.backward();
    return loss;
  };
  const run = compiled ? compile(lossOf) : lossOf;
  return () => {
    opt.zeroGrad();
    const loss = run(x, y);
    opt.step();
    return loss.item();
  };
}

const ways = { eager: setup(false), compiled: setup(true) };
const rates = { eager: [] as number[], compiled: [] as number[] };
const last = { eager: Number.NaN, compiled: Number.NaN };
for (const step of Object.values(ways)) for (let i = 0; i < 500; i++) step();
for (let t = 0; t < TRIALS; t++) {
  for (const way of ['eager', 'compiled'] as const) {
    const step = ways[way];
    const t0 = performance.now();
    let loss = Number.NaN;
    for (let i = 0; i < STEPS; i++) loss = step();
    rates[way].push(STEPS / ((performance.now() - t0) / 1000));
    last[way] = loss;
  }
}
const summary = (r: number[], loss: number) => {
  const median = [...r].sort((a, b) => a - b)[Math.floor(r.length / 2)]!;
  return { steps_per_s: r.map(Math.round), median: Math.round(median), us_per_step: Number((1e6 / median).toFixed(1)), final_loss: loss };
};
console.log(
  JSON.stringify({
    xor: { momentum, eager: summary(rates.eager, last.eager), compiled: summary(rates.compiled, last.compiled) },
  }),
);
