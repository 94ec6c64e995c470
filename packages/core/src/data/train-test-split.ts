import { Rng } from '../rng.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { describe } from './matrix.js';
import { takeRows } from './take-rows.js';

export interface TrainTestSplitOptions {
  /** A fraction in (0, 1) of the rows (n_test = ⌈testSize·N⌉, as scikit-learn) or a whole count ≥ 1. */
  testSize: number;
  /** Shuffle before splitting (default true); without it the last n_test rows are the test set. */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /**
   * Keep the class proportions of `y` in both parts (default false). A class is a distinct row of
   * `y`: a label in `[N]` or `[N, 1]`, or a one-hot row in `[N, C]`.
   */
  stratify?: boolean;
}

export interface TrainTestSplit {
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
}

/**
 * Splits the rows of `x` and `y` into disjoint training and test sets (copies), like scikit-learn's
 * `train_test_split`. Stratified, class c gets ⌊n_test·N_c/N⌋ test rows plus one more for the
 * classes with the largest remainders until n_test is reached (largest-remainder apportionment).
 */
export function trainTestSplit(x: Tensor, y: Tensor, options: TrainTestSplitOptions): TrainTestSplit {
  for (const [name, t] of [['x', x], ['y', y]] as const) {
    if (!(t instanceof Tensor)) throw new TypeError(`trainTestSplit: ${name} must be a Tensor, got ${describe(t)}`);
    if (t.ndim === 0) throw new RangeError(`trainTestSplit: ${name} needs a row axis, got shape ${fmtShape(t.shape)}`);
  }
  const n = x.shape[0]!;
  if (y.shape[0] !== n) {
    throw new RangeError(`trainTestSplit: x and y must have the same number of rows, got x ${fmtShape(x.shape)} and y ${fmtShape(y.shape)}`);
  }
  const { testSize, shuffle = true, seed = 0, stratify = false } = options ?? ({} as TrainTestSplitOptions);
  const nTest = testCount(testSize, n);
  const rng = new Rng(seed);
  const [train, test] = stratify ? stratifiedIndices(y, nTest, shuffle, rng) : plainIndices(n, nTest, shuffle, rng);
  return {
    xTrain: takeRows(x, train, 'trainTestSplit'),
    yTrain: takeRows(y, train, 'trainTestSplit'),
    xTest: takeRows(x, test, 'trainTestSplit'),
    yTest: takeRows(y, test, 'trainTestSplit'),
  };
}

function testCount(testSize: number, n: number): number {
  let k: number;
  if (typeof testSize === 'number' && testSize > 0 && testSize < 1) k = Math.ceil(testSize * n);
  else if (Number.isInteger(testSize) && testSize >= 1) k = testSize;
  else throw new RangeError(`trainTestSplit: testSize must be a fraction in (0, 1) or a whole count >= 1, got ${testSize}`);
  if (k >= n) {
    throw new RangeError(`trainTestSplit: testSize ${testSize} leaves no training rows: ${k} test rows of ${n}; expected fewer than ${n}`);
  }
  return k;
}

function plainIndices(n: number, nTest: number, shuffle: boolean, rng: Rng): [Int32Array, Int32Array] {
  if (shuffle) {
    const order = rng.permutation(n);
    return [order.slice(nTest), order.slice(0, nTest)];
  }
  // Unshuffled, the test set is the tail, as scikit-learn does.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return [order.slice(0, n - nTest), order.slice(n - nTest)];
}

function stratifiedIndices(y: Tensor, nTest: number, shuffle: boolean, rng: Rng): [Int32Array, Int32Array] {
  const n = y.shape[0]!;
  const groups = classGroups(y);
  // Largest-remainder apportionment of nTest over the classes.
  const quotas = groups.map((g) => (nTest * g.length) / n);
  const counts = quotas.map(Math.floor);
  let left = nTest - counts.reduce((a, b) => a + b, 0);
  const byRemainder = quotas.map((q, c) => [q - Math.floor(q), c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = 0; left > 0; r++, left--) counts[byRemainder[r]![1]]++;
  const train: number[] = [];
  const test: number[] = [];
  groups.forEach((g, c) => {
    const members = shuffle ? shuffled(g, rng) : g;
    const cut = members.length - counts[c]!;
    for (let i = 0; i < members.length; i++) (i < cut ? train : test).push(members[i]!);
  });
  if (shuffle) return [shuffled(train, rng), shuffled(test, rng)].map((a) => Int32Array.from(a)) as [Int32Array, Int32Array];
  return [Int32Array.from(train).sort(), Int32Array.from(test).sort()];
}

/** Row indices grouped by class (a class is a distinct row of y), classes in order of first appearance. */
function classGroups(y: Tensor): number[][] {
  const n = y.shape[0]!;
  const row = n === 0 ? 0 : y.size / n;
  const groups = new Map<string | number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = row === 1 ? y.data[i]! : Array.from(y.data.subarray(i * row, (i + 1) * row)).join(',');
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  return [...groups.values()];
}

function shuffled(a: number[], rng: Rng): number[] {
  const p = rng.permutation(a.length);
  return Array.from(p, (j) => a[j]!);
}
