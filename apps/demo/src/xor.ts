import { F, Rng, data, nn, noGrad } from '@actorgrad/core';
import { Optimizer, sgd } from '@actorgrad/optim';
import { type Live, noLive } from './live.js';

/**
 * The lectures' XOR network: 2 inputs → 4 sigmoid hidden units → 1 sigmoid output, trained on the
 * four points with binary cross-entropy and SGD with momentum.
 */
export function runXor({ seed = 0, epochs = 2000, log = console.log, live = noLive as Live } = {}): { loss: number; accuracy: number } {
  const rng = new Rng(seed);
  const { x, y } = data.xor();
  const net = new nn.Sequential(new nn.Linear(2, 4, { rng }), nn.Sigmoid(), new nn.Linear(4, 1, { rng }), nn.Sigmoid());
  const opt = new Optimizer(net.parameters(), sgd({ lr: 1, momentum: 0.9 }));
  const run = live.run('xor', { model: net, optimizer: 'sgd lr 1 momentum 0.9', epochs });
  let loss = Number.NaN;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    opt.zeroGrad();
    const l = F.bce(net.forward(x), y);
    l.backward();
    opt.step();
    loss = l.item();
    run.step(epoch, loss, 1);
    if (epoch % Math.max(1, Math.floor(epochs / 10)) === 0) log(`epoch ${String(epoch).padStart(5)}  loss ${loss.toFixed(6)}`);
  }
  run.end();
  const pred = noGrad(() => net.eval().forward(x));
  let correct = 0;
  for (let i = 0; i < 4; i++) correct += Number((pred.data[i]! > 0.5 ? 1 : 0) === y.data[i]);
  log(`XOR outputs: ${Array.from(pred.data, (v) => v.toFixed(3)).join(' ')}  accuracy ${correct}/4`);
  return { loss, accuracy: correct / 4 };
}
