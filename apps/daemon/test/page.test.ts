/**
 * The daemon's page in headless Chromium (Debian's, through playwright-core; nothing downloads a
 * browser): every job of the store is listed with its state, finished ones with curves read back
 * from the store. The screenshot (test-results/daemon-page.png) is the README's.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type DaemonProcess, api, isDone, startDaemon, tempHome, waitJob } from './harness.js';
import { longSpec, smallSpec } from './specs.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const OUT = fileURLToPath(new URL('../test-results/', import.meta.url));

const { home, cleanup } = tempHome();
let d: DaemonProcess | null = null;
afterAll(async () => {
  if (d && d.child.exitCode === null) await d.kill();
  cleanup();
});

describe("the daemon's page", () => {
  it('lists two finished jobs (read back from the store after a restart) and a running one, with drawn curves', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    d = await startDaemon(home);
    const sgd = { name: 'sgd', options: { lr: 0.1, momentum: 0.9 } };
    for (const spec of [smallSpec('spirals-a'), { ...smallSpec('spirals-b'), optimizer: sgd }]) {
      const { body } = await api<{ id: string }>(d, 'POST', '/api/jobs', { spec });
      expect((await waitJob(d, body.id, isDone)).state).toBe('finished');
    }
    // A restart: the finished jobs' curves now come from the store.
    expect(await d.terminate()).toBe(0);
    d = await startDaemon(home);
    const { body } = await api<{ id: string }>(d, 'POST', '/api/jobs', { spec: longSpec('spirals-long') });
    await waitJob<{ state: string; step: number }>(d, body.id, (j) => j.state === 'running' && j.step > 200);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(d.url);
      await page.waitForFunction(() => document.querySelectorAll('#run-list li .state').length === 3, null, { timeout: 20_000 });
      await page.waitForFunction(() => document.querySelectorAll('#chart-loss canvas').length > 0, null, { timeout: 20_000 });
      await new Promise((r) => setTimeout(r, 1500));
      const states = await page.$$eval('#run-list li', (lis) => lis.map((li) => li.textContent ?? ''));
      expect(states).toEqual(['spirals-a finished', 'spirals-b finished', 'spirals-long running']);
      const drawn = await page.evaluate(() => {
        const c = document.querySelector('#chart-loss canvas') as HTMLCanvasElement;
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 0 && (px[i]! < 250 || px[i + 1]! < 250 || px[i + 2]! < 250)) n++;
        return n;
      });
      expect(drawn).toBeGreaterThan(500);
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: `${OUT}daemon-page.png`, fullPage: true });
    } finally {
      await browser.close();
    }
    await api(d, 'POST', `/api/jobs/${body.id}/stop`);
  }, 300_000);

  it("draws a sweep: its trials' learning rates against the loss, and the table, best first", async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    const s = tempHome();
    const sd = await startDaemon(s.home, ['--concurrency', '2']);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const lrs = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3];
      const sweep = { name: 'lr-sweep', base: smallSpec('x'), params: { 'optimizer.options.lr': lrs, batchSize: [16, 64] }, metric: { name: 'loss' }, budget: { maxConcurrent: 2 } };
      const { status, body } = await api<{ id: string }>(sd, 'POST', '/api/sweeps', { sweep });
      expect(status).toBe(201);
      for (;;) {
        const v = (await api<{ trials: { state: string }[] }>(sd, 'GET', `/api/sweeps/${body.id}`)).body;
        if (v.trials.length === 12 && v.trials.every(isDone)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${new URL(sd.url).origin}/sweeps/${body.id}`);
      await page.waitForFunction(() => document.body.dataset.trials === '12' && document.querySelectorAll('#plots canvas').length === 2, null, { timeout: 20_000 });
      await new Promise((r) => setTimeout(r, 500));
      const rows = await page.$$eval('#trials tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));
      expect(rows).toHaveLength(12);
      const losses = rows.map((r) => Number(r[6]));
      expect(losses).toEqual([...losses].sort((a, b) => a - b));
      expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['finished']));
      // Every trial is a point in each scatter: the drawn points (uPlot's own index range) and the marker pixels.
      const drawn = await page.evaluate(() =>
        Array.from(document.querySelectorAll('#plots canvas')).map((c) => {
          const px = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
          let n = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i]! === 0x2e && px[i + 1]! === 0x7d && px[i + 2]! === 0x32) n++;
          return n;
        }),
      );
      const shown = await page.evaluate(() => (window as unknown as { plotsShown: () => number[] }).plotsShown());
      expect(shown).toEqual([12, 12]);
      for (const n of drawn) expect(n).toBeGreaterThan(7 * 20); // At least 7 distinct positions of ~9 px markers in each.
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: `${OUT}sweep-page.png`, fullPage: true });
    } finally {
      await browser.close();
      await sd.terminate();
      s.cleanup();
    }
  }, 300_000);
});
