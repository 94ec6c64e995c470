/** One half of the resume test, run in its own process: `first DIR` or `second DIR`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Trainer, loadCheckpoint, modelCheckpoint } from '../src/index.js';
import { paramBytes, resumeData, resumeModel, resumeOptions } from './resume-setup.js';

const [mode, dir] = process.argv.slice(2);
const data = resumeData();
if (mode === 'first') {
  // Train 3 epochs, checkpointing after each.
  await new Trainer().fit(resumeModel(), data, { ...resumeOptions(3), callbacks: [modelCheckpoint({ path: join(dir!, 'ckpt-{epoch}.safetensors') })] });
} else if (mode === 'second') {
  const ck = await loadCheckpoint(join(dir!, 'ckpt-2.safetensors'));
  // Only what is not in the checkpoint: the placement (same as before) and the new epoch count.
  await new Trainer().fit(ck.model, data, { ...ck.fitOptions, epochs: 5, placement: resumeOptions(5).placement });
  writeFileSync(join(dir!, 'final.bin'), paramBytes(ck.model));
} else {
  throw new Error(`resume-child: unknown mode ${mode}`);
}
