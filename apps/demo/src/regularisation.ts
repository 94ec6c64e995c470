/**
 * `pnpm demo regularisation` — lecture 003's weight decay example: y = 0.05 + Σᵢ 0.01·xᵢ + ε,
 * ε ~ N(0, 0.01²), d = 200 features, 20 training and 100 test samples (x ~ N(0, 1)); linear
 * regression trained by minibatch SGD (batch 5, lr 0.003, 100 epochs) on L(w, b) + λ/2·‖w‖², which
 * is `sgd({ weightDecay: λ })` on the weights (the lecture's w ← (1 − ηλ)w − η·∇L). Train and test
 * loss against λ: without decay the model fits the 20 samples and fails on the test set; decay
 * trades training loss for test loss. Then dropout on vs off in a 200-256-1 ReLU network on the same
 * data. The lecture gives the set-up, not numbers; the test asserts the properties.
 *
 * @module
 */
import { join } from 'node:path';
import { F, Rng, type Tensor, data, nn, noGrad, tensor } from '@actorgrad/core';
import { Optimizer, sgd } from '@actorgrad/optim';
import { type Live, type LiveRun, noLive } from './live.js';
import { OUT, table, writeFigure } from './plot.js';

const D = 200;

export function decayData(seed = 0) {
  const rng = new Rng(seed);
  const make = (n: number) => {
    const x = Array.from({ length: n }, () => Array.from({ length: D }, () => rng.normal()));
    const y = x.map((row) => [0.05 + row.reduce((s, v) => s + 0.01 * v, 0) + 0.01 * rng.normal()]);
    return { x: tensor(x), y: tensor(y) };
  };
  return { train: make(20), test: make(100) };
}

const mse = (model: nn.Module, d: { x: Tensor; y: Tensor }) => noGrad(() => F.mse(model.forward(d.x), d.y).item());

/** Minibatch SGD (batch 5) on the squared loss; weight decay λ on the weights only (not the biases). */
function train(model: nn.Module, d: { x: Tensor; y: Tensor }, { lambda = 0, epochs = 100, lr = 0.003, seed = 0, live = undefined as LiveRun | undefined } = {}) {
  const params = model.namedParameters();
  const weights = params.filter(([n]) => n.endsWith('weight')).map(([, p]) => p);
  const others = params.filter(([n]) => !n.endsWith('weight')).map(([, p]) => p);
  const opts = [new Optimizer(weights, sgd({ lr, weightDecay: lambda })), new Optimizer(others, sgd({ lr }))];
  const loader = new data.DataLoader(new data.TensorDataset(d.x, d.y), { batchSize: 5, shuffle: true, seed });
  let step = 0;
  for (let e = 0; e < epochs; e++) {
    for (const b of loader) {
      for (const o of opts) o.zeroGrad();
      const l = F.mse(model.forward(b.x), b.y).mul(0.5);
      l.backward();
      for (const o of opts) o.step();
      step++;
      live?.step(step, l.item(), lr);
    }
  }
  live?.end();
  return model;
}

export const LAMBDAS = [0, 1, 3, 10, 30];

export async function runRegularisation({ out = join(OUT, 'regularisation'), log = console.log, epochs = 100, live = noLive as Live } = {}) {
  const run = (name: string, model: nn.Module, lr: number) => live.run(name, { model, optimizer: `sgd lr ${lr}, batch 5`, epochs, stepsPerEpoch: 4 });
  const { train: tr, test } = decayData();
  const decay = LAMBDAS.map((lambda) => {
    const linear = new nn.Linear(D, 1, { rng: new Rng(1) });
    const model = train(linear, tr, { lambda, epochs, live: run(`weight decay λ ${lambda}`, linear, 0.003) });
    const w = (model as nn.Linear).weight;
    return { lambda, train: mse(model, tr), test: mse(model, test), norm: Math.sqrt(Array.from(w.data).reduce((s, v) => s + v * v, 0)) };
  });
  const mlp = (p: number) => new nn.Sequential(new nn.Linear(D, 256, { rng: new Rng(2) }), nn.ReLU(), new nn.Dropout(p, 3), new nn.Linear(256, 1, { rng: new Rng(4) }));
  const dropout = [0, 0.5].map((p) => {
    const net = mlp(p);
    const model = train(net, tr, { epochs, lr: 0.01, live: run(`MLP dropout ${p}`, net, 0.01) }).eval();
    return { p, train: mse(model, tr), test: mse(model, test) };
  });
  log(
    table([
      ...decay.map((r) => ({ what: `weight decay λ = ${r.lambda}`, lecture: '(set-up only)', ours: `train ${r.train.toExponential(2)}, test ${r.test.toExponential(2)}`, note: `‖w‖ ${r.norm.toFixed(4)}` })),
      ...dropout.map((r) => ({ what: `MLP, dropout p = ${r.p}`, lecture: '(set-up only)', ours: `train ${r.train.toExponential(2)}, test ${r.test.toExponential(2)}` })),
    ]),
  );
  const rows = decay.flatMap((r) => [
    { lambda: r.lambda, loss: r.train, set: 'train' },
    { lambda: r.lambda, loss: r.test, set: 'test' },
  ]);
  const figures = [
    await writeFigure(out, 'weight-decay', {
      title: 'Lecture 003: train and test loss against the weight decay λ',
      data: { values: rows },
      mark: { type: 'line', point: true },
      width: 420,
      height: 260,
      encoding: { x: { field: 'lambda', type: 'ordinal', title: 'λ' }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'MSE' }, color: { field: 'set', type: 'nominal', title: null } },
    }),
  ];
  for (const f of figures) log(`figure: ${f}`);
  return { decay, dropout, figures };
}
