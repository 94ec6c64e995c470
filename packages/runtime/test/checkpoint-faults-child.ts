/**
 * A training run that saves a checkpoint after each of its `saves` epochs and, in the last save,
 * stops at `pause` and waits to be killed: `DIR SAVES PAUSE`. It prints `PAUSED` when it is there,
 * and before each save writes the weights it is about to save to `DIR/save-N.bin` and the step to
 * `DIR/save-N.step`. PAUSE is a point of `saveCheckpoint`'s sequence: `optim-written` (the staged
 * optimiser file's bytes are in its temporary file), `staged`, `weights-written` (the weights'
 * bytes are in their temporary file) or `before-final-rename` (the weights are in place).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, data, nn } from '@actorgrad/core';
import { type SaveCheckpointTestHooks, saveCheckpoint } from '../src/checkpoint/checkpoint.js';
import type { AtomicWriteStage } from '@actorgrad/io';
import { Trainer, inline, modelCheckpoint } from '../src/index.js';
import { paramBytes } from './resume-setup.js';

const [dir, savesArg, pauseAt] = process.argv.slice(2) as [string, string, string];
const saves = Number(savesArg);

/** Says where it is and never returns; the process stays alive (a timer) until it is killed. */
function pause(): Promise<never> {
  process.stdout.write('PAUSED\n');
  setInterval(() => {}, 1_000);
  return new Promise<never>(() => {});
}

const at = (want: AtomicWriteStage) => ({ _hook: (stage: AtomicWriteStage) => (stage === want ? pause() : undefined) });
const hooks: Record<string, SaveCheckpointTestHooks> = {
  'optim-written': { optim: at('written') },
  staged: { staged: pause },
  'weights-written': { weights: at('written') },
  'before-final-rename': { beforeFinalRename: pause },
};
if (!(pauseAt in hooks)) throw new Error(`checkpoint-faults-child: unknown pause point ${pauseAt}; expected one of ${Object.keys(hooks).join(', ')}`);

const s = data.twoSpirals({ n: 200, noise: 0.05, seed: 3 });
const rng = new Rng(3);
const model = new nn.Sequential(new nn.Linear(2, 16, { rng }), nn.Tanh(), new nn.Linear(16, 2, { rng }));
let n = 0;
await new Trainer().fit(
  model,
  { x: s.x, y: s.y.reshape([-1]) },
  {
    loss: 'crossEntropy',
    optimizer: { name: 'adam', options: { lr: 0.02 } },
    epochs: saves,
    batchSize: 50,
    placement: inline(),
    seed: 3,
    callbacks: [modelCheckpoint({ path: join(dir, 'ck.safetensors') })],
    checkpointWriter: async (path, ctx) => {
      n += 1;
      writeFileSync(join(dir, `save-${n}.bin`), paramBytes(ctx.model));
      writeFileSync(join(dir, `save-${n}.step`), String(ctx.state.step));
      await saveCheckpoint(path, ctx, n === saves ? hooks[pauseAt] : {});
    },
  },
);
throw new Error('checkpoint-faults-child: the last save returned; it should have paused');
