import { existsSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// core bundled for the browser with esbuild, the way an app would bundle it (by package name, so
// package.json's `exports` and `sideEffects` apply), and run in headless Chromium from Debian
// (`apt-get install -y chromium`; playwright never downloads a browser here).
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const coreDir = fileURLToPath(new URL('..', import.meta.url));

// `nn.moduleFromSpec` needs the layer files' registrations, which are side effects too.
const ENTRY = `
import { grad, kernels, nn, sharedMemory, tensor } from '@actorgrad/core';
try {
  const g = grad((t) => t.mul(t).sum())(tensor([1, 2, 3]));
  const layer = nn.moduleFromSpec({ type: 'Linear', args: { inFeatures: 2, outFeatures: 3 } });
  const c = new Float32Array(64);
  kernels.gemm(8, 8, 8, new Float32Array(64).fill(1.5), 0, new Float32Array(64).fill(2), 0, c, 0);
  globalThis.__result = { wasm: kernels.wasmKernelsEnabled(), gemm: c[63], grad: Array.from(g.data), layer: layer.constructor.name, sharedMemory, isolated: globalThis.crossOriginIsolated, buffer: g.data.buffer.constructor.name };
} catch (e) {
  globalThis.__result = { error: String(e) };
}
`;

async function bundle(conditions: string[]): Promise<string> {
  const out = await build({
    stdin: { contents: ENTRY, resolveDir: coreDir, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** A static server on 127.0.0.1: `/isolated/` with COOP/COEP (cross-origin isolated), `/plain/` without. */
function serve(bundles: Record<string, string>): Promise<Server> {
  const server = createServer((req, res) => {
    const [, mode, file] = (req.url ?? '').split('/');
    const headers: Record<string, string> =
      mode === 'isolated' ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    if (file?.endsWith('.html')) {
      const name = file.replace(/\.html$/, '');
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
      res.end(`<!doctype html><script type="module" src="/${mode}/${name}.js"></script>`);
    } else if (file?.endsWith('.js') && bundles[file.replace(/\.js$/, '')]) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' });
      res.end(bundles[file.replace(/\.js$/, '')]);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('core in a browser (esbuild bundle, headless Chromium)', () => {
  let server: Server;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    if (!existsSync(new URL('../dist/index.js', import.meta.url))) throw new Error('packages/core/dist is missing: build first (turbo runs build before test)');
    // From the TypeScript sources (the repository's condition) and from dist (what npm users get).
    server = await serve({ source: await bundle(['@actorgrad/source']), dist: await bundle([]) });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  async function run(path: string): Promise<Record<string, unknown>> {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}${path}`);
      await page.waitForFunction('globalThis.__result !== undefined', undefined, { timeout: 20_000 });
      return (await page.evaluate('globalThis.__result')) as Record<string, unknown>;
    } finally {
      await page.close();
    }
  }

  for (const variant of ['source', 'dist']) {
    it(`computes grad of sum(t²) on SharedArrayBuffer when cross-origin isolated (${variant})`, async () => {
      expect(await run(`/isolated/${variant}.html`)).toEqual({
        wasm: true,
        gemm: 24,
        grad: [2, 4, 6],
        layer: 'Linear',
        sharedMemory: true,
        isolated: true,
        buffer: 'SharedArrayBuffer',
      });
    });

    it(`falls back to ArrayBuffer without COOP/COEP and still computes grad (${variant})`, async () => {
      expect(await run(`/plain/${variant}.html`)).toEqual({
        wasm: true,
        gemm: 24,
        grad: [2, 4, 6],
        layer: 'Linear',
        sharedMemory: false,
        isolated: false,
        buffer: 'ArrayBuffer',
      });
    });
  }
});
