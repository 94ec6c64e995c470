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

/**
 * Why the probe says the host was busy, or null when it was quiet: the threads' medians within 5 %
 * of each other (a neighbour on one vCPU makes one thread's 1.5× the other's) and at most 10 % slow
 * slices on each. Relative, so it does not depend on how fast this host's CPU is.
 */
export function busyReason(probe: ThreadProbe[]): string | null {
  const p50s = probe.map((t) => t.p50);
  const spread = Math.max(...p50s) / Math.min(...p50s);
  if (spread > 1.05) return `one probe thread ${spread.toFixed(2)}× slower than the other`;
  const slow = probe.findIndex((t) => t.slow > 0.1);
  if (slow >= 0) return `${(probe[slow]!.slow * 100).toFixed(0)} % slow slices on probe thread ${slow}`;
  return null;
}
