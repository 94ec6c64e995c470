import { DEMOS, listing, parseCli, runDemo } from './demos.js';

let cli: ReturnType<typeof parseCli>;
try {
  cli = parseCli(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
if (cli.name === undefined) {
  console.log(listing());
  process.exit(0);
}
const name = cli.name;
if (cli.viz && DEMOS[name]!.viz === null) console.error(`demo ${name}: --viz is not supported (it has no training loop to stream); running without it`);
// `--viz`: the live view (its URL is the first line printed), closed when the demo ends.
const viz = cli.viz && DEMOS[name]!.viz !== null ? await (await import('@actorgrad/viz-server')).serveViz() : null;
try {
  await runDemo(name, {
    full: cli.full,
    sink: viz?.store ?? null,
    callbacks: viz ? [viz.callback({ name: name === 'mnist' ? 'mnist-adam' : name })] : [],
  });
} finally {
  await viz?.close();
}
