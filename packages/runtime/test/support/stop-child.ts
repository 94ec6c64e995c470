/** Trains with `stopOnSignals` and sends itself SIGINT after `stopAt` steps: `stop-child.ts DIR STOP_AT`. */
import { join } from 'node:path';
import { Trainer, lambdaCallback, modelCheckpoint } from '../../src/index.js';
import { stopCallbacks, stopData, stopModel, stopOptions } from './stop-setup.js';

const [dir, stopAt] = process.argv.slice(2);
const ctrlC = lambdaCallback('ctrl-c', {
  async onBatchEnd(_step, _logs, ctx) {
    if (ctx.step !== Number(stopAt)) return;
    process.kill(process.pid, 'SIGINT');
    // The signal arrives through the event loop: wait for it, as a step in flight would.
    while (!ctx.stopTraining) await new Promise((r) => setTimeout(r, 1));
  },
});
const h = await new Trainer().fit(stopModel(), stopData().train, {
  ...stopOptions(),
  stopOnSignals: true,
  callbacks: [...stopCallbacks(), ctrlC, modelCheckpoint({ path: join(dir!, 'ck-{epoch}.safetensors') })],
});
console.log(`stopReason: ${h.stopReason}, steps: ${h.steps}`);
