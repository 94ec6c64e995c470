import { runMnist } from './mnist.js';
import { runXor } from './xor.js';

const examples: Record<string, () => unknown> = {
  mnist: () => runMnist(),
  xor: () => runXor(),
};

const name = process.argv[2] ?? 'mnist';
const run = examples[name];
if (!run) {
  console.error(`demo: unknown example '${name}'; available: ${Object.keys(examples).join(', ')}`);
  process.exit(2);
}
await run();
