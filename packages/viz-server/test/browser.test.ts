import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Viz, serveViz } from '../src/index.js';
import { tinyFit } from './tiny-fit.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const OUT = fileURLToPath(new URL('../test-results/', import.meta.url));

/** Drawn (non-transparent, non-white) pixels of the first canvas under `selector`. */
function drawnPixels(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const c = document.querySelector(`${sel} canvas`) as HTMLCanvasElement | null;
    if (!c) return 0;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && (d[i]! < 250 || d[i + 1]! < 250 || d[i + 2]! < 250)) n++;
    return n;
  }, selector);
}

function canvasData(page: Page, selector: string): Promise<string> {
  return page.evaluate((sel) => (document.querySelector(`${sel} canvas`) as HTMLCanvasElement).toDataURL(), selector);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// Never skipped: a missing browser fails the test (.ci/run installs Debian's chromium when it is absent).
describe('viz page in headless Chromium', () => {
  let browser: Browser;
  let viz: Viz;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    viz = await serveViz({ log: null });
  });
  afterAll(async () => {
    await browser?.close();
    await viz?.close();
  });

  it('draws the loss curve as steps arrive, histograms and the actor graph; the slider changes the curve', async () => {
    const pace = { name: 'pace', onBatchEnd: () => sleep(12) };
    const fit = tinyFit([viz.callback({ name: 'browser run', histogramEvery: 8 }), pace], 40, 128);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    await page.goto(viz.url);
    await page.waitForFunction(() => document.querySelectorAll('#chart-loss canvas').length > 0, null, { timeout: 10_000 });
    await sleep(300);
    const early = await drawnPixels(page, '#chart-loss');
    const earlySteps = await page.evaluate(() => (window as never as { __viz: { runs: Map<string, { steps: { step: number[] } }> } }).__viz.runs.values().next().value!.steps.step.length);
    await sleep(2500);
    const later = await drawnPixels(page, '#chart-loss');
    const laterSteps = await page.evaluate(() => (window as never as { __viz: { runs: Map<string, { steps: { step: number[] } }> } }).__viz.runs.values().next().value!.steps.step.length);
    expect(early).toBeGreaterThan(0);
    expect(laterSteps).toBeGreaterThan(earlySteps);
    expect(later).toBeGreaterThan(early);
    await page.waitForFunction(() => document.querySelectorAll('#histograms canvas').length >= 2, null, { timeout: 10_000 });
    expect(await page.locator('#actors g.actor').count()).toBeGreaterThanOrEqual(3);
    await fit;
    await page.waitForFunction(() => document.querySelector('#focus-state')?.textContent?.startsWith('finished'), null, { timeout: 10_000 });
    expect(await page.locator('#chart-epoch-accuracy canvas').count()).toBeGreaterThan(0);
    await sleep(400);
    const smoothed = await canvasData(page, '#chart-loss');
    await page.locator('#smooth').fill('0');
    await sleep(600);
    expect(await canvasData(page, '#chart-loss')).not.toBe(smoothed);
    await page.locator('#smooth').fill('0.6');
    await sleep(600);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}viz.png`, fullPage: true });
  });
});
