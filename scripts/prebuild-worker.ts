/**
 * Builds the worker bundle the pool's threads run from the sources (see
 * packages/runtime/src/main/worker-bundle.ts), if it is stale: the root `postinstall` runs it
 * (`node scripts/run-source.mjs scripts/prebuild-worker.ts`), so that the first engine after an
 * install does not spend 0.2 s of its main thread in esbuild. Never fails the install: without the
 * bundle, an engine builds it (or its threads load the sources through tsx).
 */
import { bundledWorkerEntry } from '../packages/runtime/src/main/worker-bundle.ts';

const entry = new URL('../packages/runtime/src/worker/entry.ts', import.meta.url);
const t0 = performance.now();
const url = bundledWorkerEntry(entry);
if (url) console.log(`prebuild-worker: ${url} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
else console.warn('prebuild-worker: the worker entry could not be bundled now; an engine tries again when it starts');
