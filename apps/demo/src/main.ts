import type { Callback } from '@actorgrad/runtime';
import { serveViz } from '@actorgrad/viz-server';
import { runMnist } from './mnist.js';
import { runXor } from './xor.js';

const examples: Record<string, (callbacks: Callback[]) => unknown> = {
  mnist: (callbacks) => runMnist({ callbacks }),
  xor: () => runXor(),
};

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--')) ?? 'mnist';
const run = examples[name];
if (!run) {
  console.error(`demo: unknown example '${name}'; available: ${Object.keys(examples).join(', ')}`);
  process.exit(2);
}
// `--viz`: the live view (its URL is the first line printed), closed when training ends.
const viz = args.includes('--viz') ? await serveViz() : null;
try {
  await run(viz ? [viz.callback({ name: name === 'mnist' ? 'mnist-adam' : name })] : []);
} finally {
  await viz?.close();
}
