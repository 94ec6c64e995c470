// Run with `node --trace-deopt`: calls fusedAdam as an optimiser step does — one chunk after
// another, chunks of different names — a few hundred times, so that V8 optimises it (on-stack
// first: its loops are long). fused-adam.test.ts counts the deoptimisations V8 reports.
import { fusedAdam } from '../../src/actors/fused-adam.js';

const cfg = { name: 'adam', options: { lr: 1e-3 } };
const N = 20_000;
const chunks = ['0.weight', '0.bias', '2.weight'].map((key) => ({
  key,
  param: new Float32Array(N).fill(0.5),
  grad: new Float32Array(N).map((_, i) => Math.sin(i)),
  state: [{ count: 0, mu: { [key]: new Float32Array(N) }, nu: { [key]: new Float32Array(N) }, nuMax: null }, { count: 0 }] as unknown,
}));
for (let step = 0; step < 150; step++) {
  for (const c of chunks) {
    const out = fusedAdam(cfg, 1e-3, 1, c.key, c.param, c.grad, c.state);
    if (!out) throw new Error('fusedAdam declined the Adam state');
    c.state = out.next;
  }
}
process.stdout.write(`param[1] ${chunks[0]!.param[1]}\n`);
