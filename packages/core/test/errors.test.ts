/**
 * Acceptance 9: bad input fails with a clear error naming the op and the offending values; and
 * tensor handles share memory — through `fromHandle`, `structuredClone` and a real worker thread.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  arange,
  concat,
  div,
  F,
  full,
  grad,
  gradcheck,
  jvp,
  linspace,
  maximum,
  minimum,
  ones,
  pow,
  rand,
  randn,
  Rng,
  stack,
  sub,
  type Tensor,
  Tensor as TensorClass,
  tensor,
  where,
  zeros,
} from '../src/index.js';

const z = (shape: number[]) => zeros(shape);

describe('shape mismatches name the op and both shapes', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['add [2,3] + [4]', () => z([2, 3]).add(z([4])), /add.*\[2, 3\].*\[4\]/],
    ['sub [4] − [2,3]', () => sub(z([4]), z([2, 3])), /sub.*\[4\].*\[2, 3\]/],
    ['mul [2,3] · [3,2]', () => z([2, 3]).mul(z([3, 2])), /mul.*\[2, 3\].*\[3, 2\]/],
    ['div [5] / [2]', () => div(z([5]), z([2])), /div.*\[5\].*\[2\]/],
    ['pow [2,3] ^ [2]', () => pow(z([2, 3]), z([2])), /pow.*\[2, 3\].*\[2\]/],
    ['maximum [3] vs [4]', () => maximum(z([3]), z([4])), /maximum.*\[3\].*\[4\]/],
    ['minimum [3] vs [4]', () => minimum(z([3]), z([4])), /minimum.*\[3\].*\[4\]/],
    ['where [2,3] vs [4]', () => where(z([2, 3]), z([4]), 0), /where.*\[2, 3\].*\[4\]/],
    ['matmul [2,3] @ [4,5]', () => z([2, 3]).matmul(z([4, 5])), /matmul.*\[2, 3\].*\[4, 5\]/],
    ['matmul batches [2,3,4] @ [3,4,5]', () => z([2, 3, 4]).matmul(z([3, 4, 5])), /matmul.*\[2, 3, 4\].*\[3, 4, 5\]/],
    ['matmul vectors [3] @ [4]', () => z([3]).matmul(z([4])), /matmul.*\[3\].*\[4\]/],
    ['mse [2,3] vs [3,2]', () => F.mse(z([2, 3]), z([3, 2])), /mse.*\[2, 3\].*\[3, 2\]/],
    ['mae [2,3] vs [3]', () => F.mae(z([2, 3]), z([3])), /mae.*\[2, 3\].*\[3\]/],
    ['huber [2] vs [3]', () => F.huber(z([2]), z([3])), /huber.*\[2\].*\[3\]/],
    ['bce [2] vs [2,1]', () => F.bce(z([2]), z([2, 1])), /bce.*\[2\].*\[2, 1\]/],
    ['bceWithLogits [2,3] vs [3]', () => F.bceWithLogits(z([2, 3]), z([3])), /bceWithLogits.*\[2, 3\].*\[3\]/],
    ['crossEntropy probabilities [2,4] vs [2,3]', () => F.crossEntropy(z([2, 4]), z([2, 3])), /crossEntropy.*\[2, 4\].*\[2, 3\]/],
    ['tdError q [2,3] vs qNext [2,4]', () => F.tdError(z([2, 3]), [0, 1], z([2]), z([2, 4]), 0.9), /tdError.*\[2, 3\].*\[2, 4\]/],
    ['concat [2,3] and [2,4] along 0', () => concat([z([2, 3]), z([2, 4])], 0), /concat.*\[2, 3\].*\[2, 4\]/],
    ['stack [2,3] and [3,2]', () => stack([z([2, 3]), z([3, 2])]), /stack.*\[2, 3\].*\[3, 2\]/],
    ['expand [2,3] to [3,3]', () => z([2, 3]).expand([3, 3]), /expand.*\[2, 3\].*\[3, 3\]/],
    ['reshape [2,3] to [4,2]', () => z([2, 3]).reshape([4, 2]), /reshape.*\[2, 3\].*\[4, 2\]/],
    ['backward seed [3] for output [2]', () => z([2]).requiresGrad_().mul(2).backward(z([3])), /backward.*\[3\].*\[2\]/],
    ['jvp tangent [3] for primal [2]', () => jvp((x) => x, [z([2])], [z([3])]), /jvp.*\[3\].*\[2\]/],
  ];
  it.each(cases)('%s', (_n, fn, re) => {
    expect(fn).toThrow(re);
  });
});

describe('unknown dtypes name the dtype and the allowed ones', () => {
  const bad = 'int8' as unknown as 'float32';
  const re = /unknown dtype "int8".*float32, float64/;
  const cases: [string, () => unknown][] = [
    ['tensor', () => tensor([1], { dtype: bad })],
    ['zeros', () => zeros([2], { dtype: bad })],
    ['ones', () => ones([2], { dtype: bad })],
    ['full', () => full([2], 3, { dtype: bad })],
    ['arange', () => arange(3, undefined, 1, { dtype: bad })],
    ['linspace', () => linspace(0, 1, 3, { dtype: bad })],
    ['randn', () => randn([2], { dtype: bad, rng: new Rng(1) })],
    ['rand', () => rand([2], { dtype: bad, rng: new Rng(1) })],
    ['cast', () => z([2]).cast(bad)],
  ];
  it.each(cases)('%s', (name, fn) => {
    expect(fn).toThrow(re);
    expect(fn).toThrow(new RegExp(`^${name}`));
  });
});

describe('backward() and grad on non-scalars', () => {
  it('backward() on a non-scalar without a gradient names the shape', () => {
    const x = randn([2, 3], { rng: new Rng(1), requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/backward.*gradient.*non-scalar.*\[2, 3\]/);
    // With a gradient of the right shape it works.
    x.mul(2).backward(ones([2, 3]));
    expect(Array.from(x.grad!.data)).toEqual([2, 2, 2, 2, 2, 2]);
  });
  it('backward() on a tensor that does not require grad says so', () => {
    expect(() => z([1]).backward()).toThrow(/backward.*does not require grad/);
  });
  it('grad(f) of a non-scalar f names the shape', () => {
    expect(() => grad((x: Tensor) => x.mul(2))(z([2, 2]))).toThrow(/grad.*scalar.*\[2, 2\]/);
  });
});

describe('class labels', () => {
  const logits = () => z([2, 4]);
  it('out of range in crossEntropy names the label and the range', () => {
    expect(() => F.crossEntropy(logits(), [1, 4])).toThrow(/crossEntropy.*label 4.*\[0, 4\)/);
    expect(() => F.crossEntropy(logits(), [-1, 0])).toThrow(/crossEntropy.*label -1.*\[0, 4\)/);
    expect(() => F.crossEntropy(logits(), tensor([0, 7]))).toThrow(/crossEntropy.*label 7.*\[0, 4\)/);
    expect(() => F.crossEntropy(logits(), Int32Array.from([9, 0]))).toThrow(/crossEntropy.*label 9/);
  });
  it('non-integer and non-finite labels are rejected, not truncated', () => {
    expect(() => F.crossEntropy(logits(), [1, 1.5])).toThrow(/crossEntropy.*label 1\.5.*integer/);
    expect(() => F.crossEntropy(logits(), [Number.NaN, 1])).toThrow(/crossEntropy.*label NaN/);
    expect(() => F.crossEntropy(logits(), [Number.POSITIVE_INFINITY, 1])).toThrow(/crossEntropy.*label Infinity/);
    expect(() => F.nll(logits(), tensor([0.5, 1]))).toThrow(/nll.*label 0\.5/);
  });
  it('a wrong number of labels names both counts', () => {
    expect(() => F.crossEntropy(logits(), [1])).toThrow(/crossEntropy.*1 labels.*batch of 2/);
    expect(() => F.nll(logits(), [1, 2, 3])).toThrow(/nll.*3 labels.*batch of 2/);
  });
  it('tdError actions out of range', () => {
    expect(() => F.tdError(z([2, 3]), [0, 3], z([2]), z([2, 3]), 0.9)).toThrow(/tdError.*label 3.*\[0, 3\)/);
  });
  it('gather indices out of range or fractional', () => {
    expect(() => z([2, 3]).gather(1, tensor([[3], [0]]))).toThrow(/gather.*index 3.*length 3/);
    expect(() => z([2, 3]).gather(1, [0.5, 1] as unknown as number[])).toThrow(/gather.*0\.5.*not an integer/);
  });
});

describe('non-finite or out-of-domain values where they are forbidden', () => {
  it('bce: probabilities outside [0, 1] or NaN', () => {
    const y = tensor([0, 1]);
    expect(() => F.bce(tensor([0.5, Number.NaN]), y)).toThrow(/bce.*\[0, 1\].*NaN/);
    expect(() => F.bce(tensor([0.5, 1.5]), y)).toThrow(/bce.*\[0, 1\].*1\.5/);
    expect(() => F.bce(tensor([-0.1, 0.5]), y)).toThrow(/bce.*\[0, 1\].*-0\.1/);
    expect(() => F.bce(tensor([0, 1]), y)).not.toThrow();
  });
  it('gradcheck needs float64', () => {
    expect(() => gradcheck((x) => x.exp(), [tensor([1, 2])])).toThrow(/gradcheck.*input 0.*float32.*float64/);
  });
  it('clip bounds must not be NaN, and min ≤ max', () => {
    expect(() => z([2]).clip(Number.NaN, 1)).toThrow(/clip.*NaN/);
    expect(() => z([2]).clip(0, Number.NaN)).toThrow(/clip.*NaN/);
    expect(() => z([2]).clip(1, 0)).toThrow(/clip.*min 1.*max 0/);
  });
  it('hyper-parameters: huber δ, tdError γ, arange step, linspace steps, Rng seed', () => {
    expect(() => F.huber(z([2]), z([2]), Number.NaN)).toThrow(/huber.*delta.*NaN/);
    expect(() => F.huber(z([2]), z([2]), 0)).toThrow(/huber.*delta.*0/);
    expect(() => F.tdError(z([2, 3]), [0, 1], z([2]), z([2, 3]), Number.NaN)).toThrow(/tdError.*gamma.*NaN/);
    expect(() => F.tdError(z([2, 3]), [0, 1], z([2]), z([2, 3]), 1.5)).toThrow(/tdError.*gamma.*1\.5/);
    expect(() => arange(0, 1, Number.POSITIVE_INFINITY)).toThrow(/arange.*step.*Infinity/);
    expect(() => arange(0, 1, 0)).toThrow(/arange.*step.*0/);
    expect(() => linspace(0, 1, Number.NaN)).toThrow(/linspace.*steps.*NaN/);
    expect(() => new Rng(Number.NaN)).toThrow(/Rng.*seed.*NaN/);
  });
  it('axes out of range name the axis and the rank', () => {
    expect(() => z([2, 3]).sum(2)).toThrow(/sum.*axis 2.*rank 2/);
    expect(() => F.softmax(z([2, 3]), 3)).toThrow(/softmax.*axis 3.*rank 2/);
    expect(() => F.logSoftmax(z([2, 3]), -3)).toThrow(/logSoftmax.*axis -3.*rank 2/);
    expect(() => F.maxout(z([2, 3]), 2)).toThrow(/maxout.*\[2, 3\].*groups of 2/);
  });
});

describe('tensor handles share memory', () => {
  it('Tensor.fromHandle(t.handle()) is a second view of the same memory', () => {
    const t = tensor([1, 2, 3, 4], { shape: [2, 2] });
    const h = t.handle();
    expect(h.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(h).toEqual({ buffer: t.data.buffer, byteOffset: t.data.byteOffset, shape: [2, 2], dtype: 'float32' });
    const u = TensorClass.fromHandle(h);
    expect(u.shape).toEqual([2, 2]);
    expect(u.dtype).toBe('float32');
    u.data[3] = 40;
    expect(t.data[3]).toBe(40);
    t.data[0] = -1;
    expect(u.toArray()).toEqual([
      [-1, 2],
      [3, 40],
    ]);
  });
  it('a handle with a byte offset views part of a larger buffer (float64)', () => {
    const big = zeros([10], { dtype: 'float64' });
    const { buffer, byteOffset } = big.handle(); // a small tensor may itself sit at an offset of a slab
    const part = TensorClass.fromHandle({ buffer, byteOffset: byteOffset + 2 * 8, shape: [2, 2], dtype: 'float64' });
    part.data.set([1, 2, 3, 4]);
    expect(Array.from(big.data)).toEqual([0, 0, 1, 2, 3, 4, 0, 0, 0, 0]);
    expect(part.handle().byteOffset).toBe(byteOffset + 16);
  });
  it('handles survive structuredClone and still share the memory', () => {
    const t = tensor([1, 2, 3]);
    const h2 = structuredClone(t.handle());
    expect(h2.buffer).toBeInstanceOf(SharedArrayBuffer);
    const u = TensorClass.fromHandle(h2);
    u.data[1] = 20;
    expect(t.data[1]).toBe(20);
    t.data[2] = 30;
    expect(u.data[2]).toBe(30);
  });
  it('a worker thread writes through a posted handle and the main thread sees it', async () => {
    const t = tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
    // The worker rebuilds a Float32Array view from the handle (no copy) and writes 10·x + 1 into it.
    const source = `
      const { parentPort } = require('node:worker_threads');
      parentPort.once('message', (h) => {
        const n = h.shape.reduce((a, b) => a * b, 1);
        const view = new Float32Array(h.buffer, h.byteOffset, n);
        let seen = 0;
        for (let i = 0; i < n; i++) { seen += view[i]; view[i] = 10 * view[i] + 1; }
        parentPort.postMessage({ seen, shared: h.buffer instanceof SharedArrayBuffer });
      });`;
    const worker = new Worker(source, { eval: true });
    try {
      const reply = await new Promise<{ seen: number; shared: boolean }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage(t.handle());
      });
      expect(reply).toEqual({ seen: 21, shared: true });
      expect(t.toArray()).toEqual([
        [11, 21, 31],
        [41, 51, 61],
      ]);
    } finally {
      await worker.terminate();
    }
  });
});

describe('handles with a bad dtype', () => {
  it('Tensor.fromHandle refuses an unknown dtype instead of guessing float32', async () => {
    const { Tensor, zeros } = await import('../src/index.js');
    const h = zeros([2]).handle();
    expect(() => Tensor.fromHandle({ ...h, dtype: 'int8' as never })).toThrow(/viewOf: unknown dtype "int8"; expected one of float32, float64/);
  });
});
