import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine, dataParallel } from '../src/index.js';
import { bundleOf } from '../src/main/worker-bundle.js';
import { batch, mlp, paramBytes } from './helpers.js';

/** Three steps on a pool; the parameters' bytes and the module each thread runs. */
async function train(): Promise<{ bytes: Buffer; entries: string[] }> {
  const model = mlp(5);
  const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-2 } }, placement: dataParallel({ replicas: 2, threads: 2 }), seed: 3 });
  try {
    for (let s = 0; s < 3; s++) await engine.step(batch(20 + s, 32, 20, 5));
    return { bytes: paramBytes(model), entries: (await engine.workerInfo()).map((w) => w.entry) };
  } finally {
    await engine.close();
  }
}

describe('the pool threads from the TypeScript sources', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('run the worker entry bundled by esbuild into the package cache, with the bits of the sources loaded through tsx', async () => {
    const bundled = await train();
    expect(bundled.entries).toHaveLength(2);
    for (const e of bundled.entries) {
      expect(e).toMatch(/\/node_modules\/\.cache\/actorgrad\/worker-[0-9a-f]{16}\.mjs$/);
      expect(existsSync(fileURLToPath(e))).toBe(true);
    }
    vi.stubEnv('ACTORGRAD_WORKER_TSX', '1');
    const throughTsx = await train();
    expect(throughTsx.entries.every((e) => e.endsWith('/src/worker/control.ts'))).toBe(true);
    expect(throughTsx.bytes.equals(bundled.bytes)).toBe(true);
    expect(bundled.bytes.equals(paramBytes(mlp(5)))).toBe(false);
  });
});

describe('the bundle cache', () => {
  it('takes the last bundle while no input changed, and builds again when one did or the index is damaged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'actorgrad-bundle-'));
    try {
      const cache = join(dir, 'cache');
      writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
      writeFileSync(join(dir, 'entry.ts'), "import { word } from './dep.ts';\nexport const said: string = word;\n");
      writeFileSync(join(dir, 'dep.ts'), "export const word = 'first';\n");
      const entry = pathToFileURL(join(dir, 'entry.ts'));
      const first = bundleOf(entry, cache);
      expect(first.built).toBe(true);
      expect(readFileSync(fileURLToPath(first.url), 'utf8')).toContain('first');
      expect(bundleOf(entry, cache)).toEqual({ url: first.url, built: false });
      // A dependency edited: a new bundle with its text.
      writeFileSync(join(dir, 'dep.ts'), "export const word = 'second';\n");
      utimesSync(join(dir, 'dep.ts'), new Date(), new Date(Date.now() + 5000));
      const second = bundleOf(entry, cache);
      expect(second.built).toBe(true);
      expect(second.url).not.toBe(first.url);
      expect(readFileSync(fileURLToPath(second.url), 'utf8')).toContain('second');
      expect(bundleOf(entry, cache).built).toBe(false);
      // A damaged index, or a bundle removed: built again, same text, same name.
      const index = join(cache, readdirSync(cache).find((f) => f.startsWith('index-'))!);
      writeFileSync(index, '{"tool":');
      expect(bundleOf(entry, cache)).toEqual({ url: second.url, built: true });
      rmSync(fileURLToPath(second.url));
      expect(bundleOf(entry, cache)).toEqual({ url: second.url, built: true });
      expect(existsSync(fileURLToPath(second.url))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
