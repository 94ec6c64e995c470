import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RunStore, StepSeries, binValues } from '../src/index.js';

describe('viz-server close', () => {
  it('close() leaves no handle: a child that trains, streams and closes exits by itself within seconds', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@actorgrad/source', fileURLToPath(new URL('./exit-child.ts', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let closedAt = 0;
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('closed') && !closedAt) closedAt = Date.now();
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const code = await new Promise<number | null>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (c) => {
        clearTimeout(kill);
        resolve(c);
      });
    });
    expect(out).toContain('closed');
    expect(code, out).toBe(0);
    expect(Date.now() - closedAt).toBeLessThan(3000);
  });
});

describe('viz-server memory', () => {
  it('a 1-million-step series stays within its bound, the latest points exact, ids increasing', () => {
    const s = new StepSeries();
    const run = new RunStore().create('long');
    for (let i = 1; i <= 1_000_000; i++) {
      const r = { id: i, t: i, e: { type: 'step' as const, step: i, loss: i === 123_457 ? 99 : Math.sin(i), lr: 0.1, gradNorm: 1, samples: 1, samplesPerSec: 1, ms: 1 } };
      s.push(r);
    }
    expect(s.size).toBeLessThanOrEqual(8000);
    const all = s.since(0);
    const idList = all.map((r) => r.id);
    expect(idList).toEqual([...idList].sort((a, b) => a - b));
    expect(new Set(idList).size).toBe(idList.length);
    expect(idList.slice(-2000)).toEqual(Array.from({ length: 2000 }, (_, k) => 1_000_000 - 1999 + k));
    expect(idList).toContain(123_457); // the spike survives downsampling
    expect(run.since(0)).toEqual([]);
  });

  it('bins values into fixed bins, skipping non-finite ones', () => {
    expect(binValues([0, 1, 2, 3, Number.NaN, Number.POSITIVE_INFINITY], 3)).toEqual({ min: 0, max: 3, counts: [1, 1, 2] });
    expect(binValues([5, 5], 4).counts).toEqual([0, 0, 2, 0]);
    expect(() => binValues([1], 0)).toThrow(/bins must be a positive integer/);
  });
});
