/**
 * How busy is the host? Two threads each time a fixed ≈ 10 ms arithmetic loop for `ms`; on a quiet
 * host both medians are equal and few slices are slow. A dataParallel step needs both cores, inline
 * one, so a busy neighbour costs dataParallel far more: read the ratios with this in mind.
 */
import { Worker } from 'node:worker_threads';

const LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const a = new Float64Array(1 << 16).map(Math.random);
const ts = [];
const end = performance.now() + workerData;
while (performance.now() < end) {
  const t0 = performance.now();
  let s = 0;
  for (let r = 0; r < 100; r++) for (let i = 0; i < a.length; i++) s += a[i] * a[(i * 7) & 65535];
  ts.push(performance.now() - t0);
  if (s === 42) console.log(s);
}
parentPort.postMessage(ts);
`;

export interface ThreadProbe {
  p50: number;
  p90: number;
  /** Share of slices over 1.3 × the median. */
  slow: number;
}

export async function probeHost(ms = 1500, threads = 2): Promise<ThreadProbe[]> {
  const runs = await Promise.all(
    Array.from({ length: threads }, () => new Promise<number[]>((resolve, reject) => {
      const w = new Worker(LOOP, { eval: true, workerData: ms });
      w.once('message', resolve);
      w.once('error', reject);
    })),
  );
  return runs.map((ts) => {
    ts.sort((a, b) => a - b);
    const q = (p: number) => ts[Math.floor(p * (ts.length - 1))]!;
    return { p50: q(0.5), p90: q(0.9), slow: ts.filter((t) => t > 1.3 * q(0.5)).length / ts.length };
  });
}

export const describeProbe = (probe: ThreadProbe[]): string =>
  probe.map((t, i) => `thread ${i}: p50 ${t.p50.toFixed(1)} ms, p90 ${t.p90.toFixed(1)} ms, ${(t.slow * 100).toFixed(0)} % slow`).join('; ');
