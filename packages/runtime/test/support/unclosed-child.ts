// Trains a few dataParallel steps and ends without closing the engine: the process must still exit
// (resident step loops end when no step comes; their pool tasks must not keep it alive).
import { Rng, nn, randn, tensor } from '@actorgrad/core';
import { createEngine, dataParallel } from '../../src/index.js';

const rng = new Rng(2);
const model = new nn.Sequential(new nn.Linear(20, 16, { rng }), nn.ReLU(), new nn.Linear(16, 5, { rng }));
const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-3 } }, placement: dataParallel({ replicas: 2, threads: 2 }) });
for (let i = 0; i < 3; i++) await engine.step({ x: randn([16, 20], { rng }), y: tensor(Array.from({ length: 16 }, () => rng.int(5))) });
process.stdout.write('stepped\n');
