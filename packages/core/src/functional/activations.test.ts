/**
 * NaN propagation of every activation, checked against PyTorch's rules (read from its kernels:
 * `clamp_min`, `threshold_backward`, `leaky_relu_backward`, `max.dim`, `argmax`): a NaN input gives
 * a NaN output at the same place, never a finite value, and a NaN upstream gradient reaches x.
 */
import { describe, expect, it } from 'vitest';
import { F, maximum, minimum, type Tensor, tensor } from '../index.js';

const ELEMENTWISE: [string, (x: Tensor) => Tensor][] = [
  ['binaryStep', F.binaryStep],
  ['sigmoid', F.sigmoid],
  ['tanh', F.tanh],
  ['sobolevaTanh', (x) => F.sobolevaTanh(x)],
  ['lecunTanh', F.lecunTanh],
  ['relu', F.relu],
  ['relu (method)', (x) => x.relu()],
  ['leakyRelu', (x) => F.leakyRelu(x)],
  ['prelu', (x) => F.prelu(x, 0.25)],
  ['elu', (x) => F.elu(x)],
  ['selu', F.selu],
  ['gelu', (x) => F.gelu(x)],
  ['gelu tanh', (x) => F.gelu(x, 'tanh')],
  ['silu', F.silu],
  ['gaussian', F.gaussian],
  ['softplus', (x) => F.softplus(x)],
  ['softplus β=2', (x) => F.softplus(x, 2)],
  ['clip', (x) => x.clip(-1, 1)],
  ['maximum(x, 0)', (x) => maximum(x, 0)],
  ['maximum(0, x)', (x) => maximum(tensor([0, 0, 0, 0], { dtype: x.dtype }), x)],
  ['minimum(x, 0)', (x) => minimum(x, 0)],
];

const withNaN = (at: number, dtype: 'float32' | 'float64' = 'float64') => {
  const v = [0.5, -1, 2, -3];
  v[at] = Number.NaN;
  return tensor(v, { dtype, requiresGrad: true });
};

describe('NaN in, NaN out', () => {
  it.each(ELEMENTWISE)('%s', (_name, f) => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const at of [0, 1, 3]) {
        const y = f(withNaN(at, dtype));
        const got = Array.from(y.data, (v) => Number.isNaN(v));
        expect(got).toEqual([0, 1, 2, 3].map((i) => i === at));
      }
    }
  });

  it.each([
    ['softmax', (x: Tensor) => F.softmax(x)],
    ['logSoftmax', (x: Tensor) => F.logSoftmax(x)],
    ['logSumExp', (x: Tensor) => F.logSumExp(x, -1, true)],
    ['maxout', (x: Tensor) => F.maxout(x, 4)],
  ])('%s: a NaN anywhere in the row gives NaN', (_name, f) => {
    for (const at of [0, 1, 3]) expect(Array.from(f(withNaN(at)).data).every(Number.isNaN)).toBe(true);
  });

  it('maxout keeps the other groups finite and routes the gradient to the NaN (as torch max.dim)', () => {
    const x = withNaN(1);
    const y = F.maxout(x, 2);
    expect(Array.from(y.data).map(String)).toEqual(['NaN', '2']);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 1, 0]);
  });

  it('argmax and argmin pick the first NaN (as torch)', () => {
    const x = tensor([[1, Number.NaN, 5, Number.NaN], [Number.NaN, 9, 0, 1]]);
    expect(Array.from(x.argmax(-1).data)).toEqual([1, 0]);
    expect(Array.from(x.argmin(-1).data)).toEqual([1, 0]);
  });
});

describe('gradients at NaN', () => {
  const gradOf = (f: (x: Tensor) => Tensor, upstream: number) => {
    const x = withNaN(1);
    f(x).backward(tensor([1, upstream, 1, 1], { dtype: 'float64' }));
    return Array.from(x.grad!.data);
  };

  it.each([
    // torch: threshold_backward passes g where NaN <= 0 is false
    ['relu', F.relu, 1],
    ['relu (method)', (x: Tensor) => x.relu(), 1],
    // torch: leaky_relu_backward gives g·α where NaN > 0 is false
    ['leakyRelu', (x: Tensor) => F.leakyRelu(x), 0.01],
    ['prelu', (x: Tensor) => F.prelu(x, 0.25), 0.25],
    // torch.maximum's backward masks only the losing side; at a NaN nobody loses
    ['maximum(x, 0)', (x: Tensor) => maximum(x, 0), 1],
    ['minimum(x, 0)', (x: Tensor) => minimum(x, 0), 1],
  ] as const)('%s: finite upstream gives the documented local slope', (_name, f, slope) => {
    expect(gradOf(f, 1)[1]).toBeCloseTo(slope, 12);
  });

  it.each(ELEMENTWISE.filter(([n]) => n !== 'binaryStep'))('%s: a NaN upstream gradient reaches x', (_name, f) => {
    expect(gradOf(f, Number.NaN)[1]).toBeNaN();
  });

  it('finite values are unchanged: relu, maximum and minimum at 0, −0, ±∞', () => {
    const x = tensor([0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -2, 3], { dtype: 'float64', requiresGrad: true });
    const y = F.relu(x);
    expect(Array.from(y.data)).toEqual([0, 0, Number.POSITIVE_INFINITY, 0, 0, 3]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 1, 0, 0, 1]);
    expect(Array.from(maximum(x, 0).data)).toEqual([0, -0, Number.POSITIVE_INFINITY, 0, 0, 3]);
    expect(Array.from(minimum(x, 0).data)).toEqual([0, -0, 0, Number.NEGATIVE_INFINITY, -2, 0]);
  });
});
