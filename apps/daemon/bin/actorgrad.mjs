#!/usr/bin/env node
// `actorgrad`: runs the CLI from its TypeScript sources with tsx and the `@actorgrad/source`
// condition (the daemon is an app of the repository, not a published package, and is not built).
// The job processes and `--detach` inherit these flags through process.execArgv.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--conditions=@actorgrad/source', cli, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
