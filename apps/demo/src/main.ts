import { runXor } from './xor.js';

const examples: Record<string, () => unknown> = {
  xor: () => runXor(),
};

const name = process.argv[2] ?? 'xor';
const run = examples[name];
if (!run) {
  console.error(`demo: unknown example '${name}'; available: ${Object.keys(examples).join(', ')}`);
  process.exit(2);
}
run();
