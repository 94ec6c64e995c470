/**
 * `pnpm demo regions` — lecture 004's linear regions and the representation view:
 *
 * 1. The linear model Θ = [[0.19, 1.84], [−0.97, −0.93]] and its singular value decomposition: core
 *    computes σ = 2.16 and 0.74 (the lecture prints 2.17, rounded from a Θ with more digits); the
 *    figure shows a grid before and after Θ.
 * 2. The most linear regions of deep ReLU networks (UDL's bound (D/Dᵢ + 1)^{Dᵢ(K−1)}·Σⱼ₌₀^{Dᵢ} C(D, j)):
 *    5 layers of 10 units with one input, 471 parameters, 11⁵ = 161 051 regions (the lecture prints
 *    161,501, a transposition); 5 layers of 50 units with ten inputs, 10 801 parameters.
 * 3. What a network of that shape does at random initialisation (He): its linear regions along a
 *    line counted exactly from the activation patterns, far below the bound; and the regions of a
 *    2-10-10-1 network in the plane, drawn.
 *
 * @module
 */
import { join } from 'node:path';
import { Rng, type Tensor, data, init, nn, noGrad, tensor } from '@actorgrad/core';
import { OUT, table, writeFigure } from './plot.js';

export const THETA = [
  [0.19, 1.84],
  [-0.97, -0.93],
];

/** Singular values of a 2×2 matrix, by core's symmetric eigendecomposition of ΘᵀΘ. */
export function singularValues(m: number[][]): number[] {
  const t = tensor(m, { dtype: 'float64' });
  const ata = t.transpose().matmul(t);
  const { values } = data.eigh(Array.from(ata.data), 2);
  return Array.from(values)
    .map((v) => Math.sqrt(Math.max(0, v)))
    .sort((a, b) => b - a);
}

const binom = (n: number, k: number) => {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
};

/** UDL's maximum number of linear regions of K layers of D units on Dᵢ inputs. */
export function maxRegions(inputs: number, units: number, layers: number): number {
  let s = 0;
  for (let j = 0; j <= inputs; j++) s += binom(units, j);
  return (units / inputs + 1) ** (inputs * (layers - 1)) * s;
}

/** Parameters of inputs → K×D ReLU layers → 1. */
export const paramCount = (inputs: number, units: number, layers: number) => inputs * units + units + (layers - 1) * (units * units + units) + units + 1;

export function reluNet(inputs: number, units: number, layers: number, seed: number): nn.Linear[] {
  const rng = new Rng(seed);
  return Array.from({ length: layers }, (_, k) => new nn.Linear(k === 0 ? inputs : units, units, { rng, weightInit: init.heNormal, biasInit: init.normal(0, 0.5) }));
}

/** The activation pattern (which units are on) of each row of `x`, as strings. */
export function patterns(layers: nn.Linear[], x: Tensor): string[] {
  return noGrad(() => {
    const bits: string[] = Array.from({ length: x.shape[0]! }, () => '');
    let h = x;
    for (const lin of layers) {
      const pre = lin.forward(h);
      const d = pre.data;
      const w = pre.shape[1]!;
      for (let i = 0; i < bits.length; i++) for (let j = 0; j < w; j++) bits[i] += d[i * w + j]! > 0 ? '1' : '0';
      h = pre.relu();
    }
    return bits;
  });
}

/** Linear regions met along [lo, hi] of a one-input network, sampled at `n` points (pattern changes + 1). */
export function regionsAlongLine(layers: nn.Linear[], lo: number, hi: number, n = 20001): number {
  const p = patterns(layers, tensor(Array.from({ length: n }, (_, i) => [lo + ((hi - lo) * i) / (n - 1)])));
  let r = 1;
  for (let i = 1; i < n; i++) if (p[i] !== p[i - 1]) r++;
  return r;
}

export async function runRegions({ out = join(OUT, 'regions'), log = console.log } = {}) {
  const sv = singularValues(THETA);
  const small = { params: paramCount(1, 10, 5), max: maxRegions(1, 10, 5) };
  const large = { params: paramCount(10, 50, 5), max: maxRegions(10, 50, 5) };
  const found = [0, 1, 2, 3, 4].map((seed) => regionsAlongLine(reluNet(1, 10, 5, seed), -10, 10));
  const net2d = reluNet(2, 10, 2, 7);
  const n = 80;
  const pts = Array.from({ length: n * n }, (_, k) => [-3 + (6 * (k % n)) / (n - 1), -3 + (6 * Math.floor(k / n)) / (n - 1)]);
  const pats = patterns(net2d, tensor(pts));
  const ids = new Map<string, number>();
  for (const p of pats) if (!ids.has(p)) ids.set(p, ids.size);
  log(
    table([
      { what: '004 singular values of Θ', lecture: '2.17, 0.74', ours: sv.map((v) => v.toFixed(2)).join(', '), note: `(${sv.map((v) => v.toFixed(4)).join(', ')}): the printed Θ gives 2.16` },
      { what: '004 5 layers × 10 units, 1 input: parameters', lecture: '471', ours: String(small.params) },
      { what: '004 … most linear regions', lecture: '161,501', ours: small.max.toLocaleString('en-US'), note: '11^5 = 161,051: the lecture transposes two digits' },
      { what: '004 5 layers × 50 units, 10 inputs: parameters', lecture: '10,801', ours: large.params.toLocaleString('en-US') },
      { what: '004 … most linear regions', lecture: '10^134', ours: `${large.max.toExponential(2)}`, note: "UDL's bound at these sizes; we do not reproduce the printed 10^134 from it" },
      { what: 'regions along [-10, 10], 5 random nets of 5×10', lecture: '(up to 161,051)', ours: found.join(', '), note: 'He-initialised nets use few of them' },
      { what: 'regions of a random 2-10-10-1 net in [-3, 3]²', lecture: '—', ours: String(ids.size), note: `on an ${n}×${n} grid` },
    ]),
  );
  const warp = warpGrid();
  const regionMap = pts.map(([x1, x2], k) => ({ x1, x2, region: ids.get(pats[k]!)! % 20 }));
  const figures = [
    await writeFigure(out, 'warping', {
      title: `Lecture 004: a grid before and after Θ (σ = ${sv.map((v) => v.toFixed(2)).join(', ')})`,
      data: { values: warp },
      mark: { type: 'line', strokeWidth: 1 },
      width: 240,
      height: 240,
      encoding: { column: { field: 'panel', type: 'nominal', title: null, sort: ['x', 'Θx'] }, x: { field: 'x', type: 'quantitative', scale: { domain: [-3, 3] } }, y: { field: 'y', type: 'quantitative', scale: { domain: [-3, 3] } }, detail: { field: 'line' }, order: { field: 'i' } },
    }),
    await writeFigure(out, 'regions-2d', {
      title: `The ${ids.size} linear regions of a random 2-10-10-1 ReLU network`,
      data: { values: regionMap },
      mark: { type: 'square', size: 30 },
      width: 300,
      height: 300,
      encoding: { x: { field: 'x1', type: 'quantitative' }, y: { field: 'x2', type: 'quantitative' }, color: { field: 'region', type: 'nominal', legend: null, scale: { scheme: 'category20' } } },
    }),
  ];
  for (const f of figures) log(`figure: ${f}`);
  return { sv, small, large, found, regions2d: ids.size, figures };
}

/** Lines of a grid over the unit square's neighbourhood, and the same lines mapped by Θ. */
function warpGrid() {
  const rows: { x: number; y: number; i: number; line: string; panel: string }[] = [];
  for (let g = -1; g <= 1; g += 0.25) {
    for (let i = 0; i <= 20; i++) {
      const s = -1 + i / 10;
      for (const [tag, [a, b]] of [
        ['v', [g, s]],
        ['h', [s, g]],
      ] as const) {
        rows.push({ x: a, y: b, i, line: `${tag}${g}`, panel: 'x' });
        rows.push({ x: THETA[0]![0]! * a + THETA[0]![1]! * b, y: THETA[1]![0]! * a + THETA[1]![1]! * b, i, line: `${tag}${g}`, panel: 'Θx' });
      }
    }
  }
  return rows;
}
