/**
 * `pnpm demo backprop` — the lectures' worked examples of backpropagation, computed by actorgrad's
 * autograd beside the numbers the lectures print:
 *
 * 1. 002, the computational graph f(x, y, z) = (x + y)·z at (−2, 5, −4): ∂f/∂x, ∂f/∂y, ∂f/∂z.
 * 2. 002, the hand-made 2-2-1 ReLU network: the forward values o₁…o₅, the loss, four gradients,
 *    w₅ and w₁ after one SGD step (lr 10⁻³).
 * 3. 004, the chain f = β₃ + ω₃·cos(β₂ + ω₂·exp(β₁ + ω₁·sin(β₀ + ω₀·x))): ∂ℓ/∂ω₀ by autograd, by the
 *    lecture's hand-derived formula and by central differences (float64).
 * 4. 000, forward vs reverse mode on y = y₃·y₂·e^{y₁} + y₄·y₁·e^{y₂}, y₁ = w₁ᵀx, y₂ = w₂ᵀx: the
 *    gradient by `jvp` (one pass per input) and by `vjp` (one pass), against both lecture formulas.
 *
 * @module
 */
import { join } from 'node:path';
import { type Tensor, nn, jvp, tensor, vjp } from '@actorgrad/core';
import { Optimizer, sgd } from '@actorgrad/optim';
import { OUT, table, writeFigure } from './plot.js';

const f64 = { dtype: 'float64' as const };
const fmt = (v: number, digits = 4) => (Number.isInteger(v) ? String(v) : v.toFixed(digits).replace(/\.?0+$/, ''));

/** 1. f = (x + y)·z at (−2, 5, −4). */
export function graphExample() {
  const [x, y, z] = [-2, 5, -4].map((v) => tensor(v, { ...f64, requiresGrad: true })) as [Tensor, Tensor, Tensor];
  const f = x.add(y).mul(z);
  f.backward();
  return { f: f.item(), dx: x.grad!.item(), dy: y.grad!.item(), dz: z.grad!.item() };
}

/** 2. Lecture 002's hand-made network: x = (2, 1), y = 5; w₁…w₆, b₁…b₃ as printed; MSE; SGD lr 10⁻³. */
export function handMadeExample() {
  const hidden = new nn.Linear(2, 2, f64);
  const out = new nn.Linear(2, 1, f64);
  (hidden.weight.data as Float64Array).set([0, 2, -4, -1]); // [[w₁, w₂], [w₃, w₄]]
  (hidden.bias!.data as Float64Array).set([3, 1]); // b₁, b₂
  (out.weight.data as Float64Array).set([-2, 0]); // [[w₅, w₆]]
  (out.bias!.data as Float64Array).set([6]); // b₃
  const x = tensor([[2, 1]], f64);
  const y = tensor([[5]], f64);
  const o12 = hidden.forward(x);
  const o34 = o12.relu();
  const o5 = out.forward(o34);
  const loss = o5.sub(y).square().mean();
  const opt = new Optimizer([hidden.weight, hidden.bias!, out.weight, out.bias!], sgd({ lr: 1e-3 }));
  opt.zeroGrad();
  loss.backward();
  const gW5 = out.weight.grad!.data[0]!;
  const gW1 = hidden.weight.grad!.data[0]!;
  // The intermediate derivatives, by reverse mode from the values the forward pass made.
  const [, fromO5] = vjp((o: Tensor) => o.sub(y).square().mean(), tensor([[o5.item()]], f64));
  const [, fromO34] = vjp((o: Tensor) => out.forward(o).sub(y).square().mean(), tensor([Array.from(o34.data)], f64));
  const dLdo5 = fromO5(tensor(1, f64))[0]!.data[0]!;
  const dLdo3 = fromO34(tensor(1, f64))[0]!.data[0]!;
  opt.step();
  const o = [...o12.data, ...o34.data, o5.item()];
  return { o, loss: loss.item(), dLdo5, gW5, dLdo3, gW1, w5: out.weight.data[0]!, w1: hidden.weight.data[0]! };
}

/** 3. The 004 chain at φ = (β₀…β₃, ω₀…ω₃), one sample (x, y). */
const PHI = { b0: 0.3, b1: -0.2, b2: 0.1, b3: 0.5, w0: 1.2, w1: 0.8, w2: -0.6, w3: 1.5 };
const SAMPLE = { x: 0.7, y: 0.4 };

function chainLoss(w0: Tensor | number): Tensor {
  const { b0, b1, b2, b3, w1, w2, w3 } = PHI;
  const f0 = tensor(SAMPLE.x, f64).mul(w0).add(b0);
  const f = f0.sin().mul(w1).add(b1).exp().mul(w2).add(b2).cos().mul(w3).add(b3);
  return f.sub(SAMPLE.y).square();
}

/** The lecture's hand-derived ∂ℓ/∂ω₀ (004, "Calculating expressions by hand"). */
function chainFormula(w0: number): number {
  const { b0, b1, b2, b3, w1, w2, w3 } = PHI;
  const { x, y } = SAMPLE;
  const inner = b1 + w1 * Math.sin(b0 + w0 * x);
  const f = b3 + w3 * Math.cos(b2 + w2 * Math.exp(inner));
  return -2 * (f - y) * w1 * w2 * w3 * x * Math.cos(b0 + w0 * x) * Math.exp(inner) * Math.sin(b2 + w2 * Math.exp(inner));
}

export function chainExample(w0 = PHI.w0) {
  const w = tensor(w0, { ...f64, requiresGrad: true });
  chainLoss(w).backward();
  const h = 1e-6;
  const fd = (chainLoss(w0 + h).item() - chainLoss(w0 - h).item()) / (2 * h);
  return { autograd: w.grad!.item(), formula: chainFormula(w0), finiteDifference: fd, loss: chainLoss(w0).item() };
}

/** 4. Forward vs reverse mode on lecture 000's y(x). */
export function modesExample(n = 5) {
  const w1 = tensor(Array.from({ length: n }, (_, i) => 0.1 * (i + 1)), f64);
  const w2 = tensor(Array.from({ length: n }, (_, i) => 0.2 - 0.05 * i), f64);
  const [y3, y4] = [1.5, -0.5];
  const xs = Array.from({ length: n }, (_, i) => 0.3 * Math.cos(i));
  const f = (x: Tensor) => {
    const y1 = x.mul(w1).sum();
    const y2 = x.mul(w2).sum();
    return y2.mul(y1.exp()).mul(y3).add(y1.mul(y2.exp()).mul(y4));
  };
  const x = tensor(xs, f64);
  const forward = Array.from({ length: n }, (_, i) => jvp(f, [x], [tensor(xs.map((_, j) => Number(i === j)), f64)])[1].item());
  const [, back] = vjp(f, x);
  const reverse = Array.from(back(tensor(1, f64))[0]!.data);
  const y1 = xs.reduce((s, v, i) => s + v * w1.data[i]!, 0);
  const y2 = xs.reduce((s, v, i) => s + v * w2.data[i]!, 0);
  const lectureForward = xs.map((_, i) => y3 * Math.exp(y1) * (w2.data[i]! + y2 * w1.data[i]!) + y4 * Math.exp(y2) * (w1.data[i]! + y1 * w2.data[i]!));
  const lectureReverse = xs.map((_, i) => (y4 * y1 * Math.exp(y2) + y3 * Math.exp(y1)) * w2.data[i]! + (y3 * y2 * Math.exp(y1) + y4 * Math.exp(y2)) * w1.data[i]!);
  return { n, forward, reverse, lectureForward, lectureReverse, passes: { forward: n, reverse: 1 } };
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

/** Runs the four examples, prints the table, writes the figures; returns everything for the test. */
export async function runBackprop({ out = join(OUT, 'backprop'), log = console.log } = {}) {
  const g = graphExample();
  const h = handMadeExample();
  const c = chainExample();
  const m = modesExample();
  log(
    table([
      { what: '002 f=(x+y)z: f, ∂f/∂x, ∂f/∂y, ∂f/∂z', lecture: '-12, -4, -4, 3', ours: [g.f, g.dx, g.dy, g.dz].map((v) => fmt(v)).join(', ') },
      { what: '002 network: o1…o5', lecture: '5, -8, 5, 0, -4', ours: h.o.map((v) => fmt(v)).join(', ') },
      { what: '002 network: loss', lecture: '81', ours: fmt(h.loss) },
      { what: '002 ∂L/∂o5, ∂L/∂w5, ∂L/∂o3, ∂L/∂w1', lecture: '-18, -90, 36, 72', ours: [h.dLdo5, h.gW5, h.dLdo3, h.gW1].map((v) => fmt(v)).join(', ') },
      {
        what: '002 w5 after one step (lr 1e-3)',
        lecture: '-2.09',
        ours: fmt(h.w5),
        note: "the lecture's own rule gives -2 - 1e-3·(-90) = -1.91; its -2.09 drops the gradient's sign",
      },
      { what: '002 w1 after one step', lecture: '-0.072', ours: fmt(h.w1) },
      { what: '004 ∂ℓ/∂ω0 (autograd | formula | finite diff.)', lecture: '(formula only)', ours: `${c.autograd.toPrecision(12)} | ${c.formula.toPrecision(12)} | ${c.finiteDifference.toPrecision(9)}` },
      {
        what: `000 ∂y/∂x, ${m.n} inputs: forward vs reverse mode`,
        lecture: 'equal; reverse needs 1 pass',
        ours: `max |fwd − rev| ${maxDiff(m.forward, m.reverse).toExponential(1)}; passes ${m.passes.forward} vs ${m.passes.reverse}`,
        note: `vs the lecture's formulas: ${maxDiff(m.forward, m.lectureForward).toExponential(1)}, ${maxDiff(m.reverse, m.lectureReverse).toExponential(1)}`,
      },
    ]),
  );
  const figures = await figuresOf(out, h);
  for (const f of figures) log(`figure: ${f}`);
  return { graph: g, handMade: h, chain: c, modes: m, figures };
}

async function figuresOf(out: string, h: ReturnType<typeof handMadeExample>): Promise<string[]> {
  const grads = [
    { name: '∂L/∂o5', lecture: -18, actorgrad: h.dLdo5 },
    { name: '∂L/∂w5', lecture: -90, actorgrad: h.gW5 },
    { name: '∂L/∂o3', lecture: 36, actorgrad: h.dLdo3 },
    { name: '∂L/∂w1', lecture: 72, actorgrad: h.gW1 },
  ].flatMap((r) => [
    { name: r.name, source: 'lecture 002', value: r.lecture },
    { name: r.name, source: 'actorgrad', value: r.actorgrad },
  ]);
  const curve = Array.from({ length: 121 }, (_, i) => -3 + (6 * i) / 120).flatMap((w0) => {
    const c = chainExample(w0);
    return [
      { w0, value: c.loss, series: 'loss ℓ' },
      { w0, value: c.autograd, series: '∂ℓ/∂ω0 (autograd)' },
      ...(formulaPoint(w0) ? [{ w0, value: c.formula, series: "∂ℓ/∂ω0 (lecture's formula)" }] : []),
    ];
  });
  return [
    await writeFigure(out, 'network-gradients', {
      title: "Lecture 002's hand-made network: the gradients, lecture vs actorgrad",
      data: { values: grads },
      mark: 'bar',
      encoding: { x: { field: 'name', type: 'nominal', title: null }, xOffset: { field: 'source' }, y: { field: 'value', type: 'quantitative' }, color: { field: 'source', type: 'nominal' } },
      width: 360,
      height: 240,
    }),
    await writeFigure(out, 'chain-derivative', {
      title: 'Lecture 004: ℓ(ω0) = (f[x, φ] − y)² and its derivative',
      data: { values: curve },
      mark: { type: 'line', point: false },
      encoding: { x: { field: 'w0', type: 'quantitative', title: 'ω0' }, y: { field: 'value', type: 'quantitative' }, color: { field: 'series', type: 'nominal' }, strokeDash: { field: 'series', type: 'nominal' } },
      width: 480,
      height: 280,
    }),
  ];
}

/** Every tenth point of the curve carries the formula's value too (drawn dashed over autograd's). */
function formulaPoint(w0: number): boolean {
  return Math.abs(Math.round((w0 + 3) * 20) % 10) === 0;
}
