import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { errorOf, tempFiles } from '../test/support/data-files.js';
import { loadIdx, parseIdx } from './idx.js';

const { dir, file } = tempFiles('idx', 'idx');

/** An IDX file by hand: 0x00 0x00, type code, ndim, big-endian u32 dims, then `payload`. */
function idx(code: number, dims: number[], payload: Uint8Array | number[]): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = code;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(payload)]);
}

/** Big-endian payload of `values` written with `write` (a Buffer method) `size` bytes each. */
function be(values: number[], size: number, write: (b: Buffer, v: number, o: number) => void): Buffer {
  const b = Buffer.alloc(values.length * size);
  values.forEach((v, i) => write(b, v, i * size));
  return b;
}

// Three 2×3 "images" and their labels, MNIST style.
const pixels = [0, 255, 128, 1, 2, 3, 10, 20, 30, 40, 50, 60, 255, 254, 253, 0, 0, 0];
const labels = [7, 2, 1];
const images = idx(0x08, [3, 2, 3], pixels);
const labelFile = idx(0x08, [3], labels);

describe('loadIdx', () => {
  it('reads unsigned-byte images and labels like the MNIST files', () => {
    const x = loadIdx(file(images, 'train-images-idx3-ubyte'));
    expect(x.shape).toEqual([3, 2, 3]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(x.data)).toEqual(pixels);
    const y = loadIdx(file(labelFile, 'train-labels-idx1-ubyte'));
    expect(y.shape).toEqual([3]);
    expect(y.toArray()).toEqual(labels);
  });

  it('scales and converts on request', () => {
    const x = loadIdx(file(images), { scale: 1 / 255, dtype: 'float64' });
    expect(x.dtype).toBe('float64');
    expect(Array.from(x.data)).toEqual(pixels.map((v) => v * (1 / 255)));
    expect(Math.max(...x.data)).toBe(1);
    const x32 = loadIdx(file(images), { scale: 1 / 255 });
    expect(x32.data[2]).toBe(Math.fround(128 / 255));
  });

  it('reads gzip-compressed files', () => {
    const x = loadIdx(file(gzipSync(images), 't10k-images-idx3-ubyte.gz'));
    expect(x.shape).toEqual([3, 2, 3]);
    expect(Array.from(x.data)).toEqual(pixels);
    // A .gz name on a file already decompressed (as browsers sometimes do) still reads.
    expect(loadIdx(file(labelFile, 'labels.gz')).toArray()).toEqual(labels);
  });

  it('reads every IDX type, big-endian', () => {
    expect(loadIdx(file(idx(0x09, [4], [0x80, 0xff, 0x00, 0x7f]))).toArray()).toEqual([-128, -1, 0, 127]);
    const shorts = [-32768, -2, 0, 300, 32767, 1];
    expect(loadIdx(file(idx(0x0b, [2, 3], be(shorts, 2, (b, v, o) => b.writeInt16BE(v, o))))).toArray()).toEqual([shorts.slice(0, 3), shorts.slice(3)]);
    const ints = [-2147483648, -1, 70000, 2147483647];
    const i32 = loadIdx(file(idx(0x0c, [4], be(ints, 4, (b, v, o) => b.writeInt32BE(v, o)))), { dtype: 'float64' });
    expect(i32.toArray()).toEqual(ints);
    const floats = [1.5, -0.25, 3.4e38, Number.NEGATIVE_INFINITY];
    const f32 = loadIdx(file(idx(0x0d, [2, 2], be(floats, 4, (b, v, o) => b.writeFloatBE(v, o)))));
    expect(f32.dtype).toBe('float32');
    expect(Array.from(f32.data)).toEqual(floats.map(Math.fround));
    const doubles = [Math.PI, -1e-300, 0.1];
    const f64 = loadIdx(file(idx(0x0e, [3], be(doubles, 8, (b, v, o) => b.writeDoubleBE(v, o)))));
    expect(f64.dtype).toBe('float64');
    expect(Array.from(f64.data)).toEqual(doubles);
    expect(loadIdx(file(idx(0x0e, [3], be(doubles, 8, (b, v, o) => b.writeDoubleBE(v, o)))), { dtype: 'float32' }).dtype).toBe('float32');
  });

  it('reads empty and zero-dimensional arrays', () => {
    expect(loadIdx(file(idx(0x08, [0, 28, 28], []))).shape).toEqual([0, 28, 28]);
    const s = loadIdx(file(idx(0x08, [], [42])));
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(42);
  });

  describe('errors name the file and the problem', () => {
    it('bad magic number', () => {
      const p = file(Buffer.from('GIF89a\x00\x00\x00\x00'));
      expect(errorOf(() => loadIdx(p)).message).toBe(
        `loadIdx(${p}): bad magic number 0x47494638: not an IDX file (the first two bytes must be zero; expected 0x0000, a type code 08/09/0B/0C/0D/0E and the number of dimensions)`,
      );
      const q = file(idx(0x0a, [1], [0]));
      expect(errorOf(() => loadIdx(q)).message).toContain(`loadIdx(${q}): bad magic number 0x00000a01: not an IDX file (unknown type code 0x0A;`);
    });

    it('too short for the magic number', () => {
      const p = file(Uint8Array.of(0, 0, 8));
      expect(errorOf(() => loadIdx(p)).message).toBe(`loadIdx(${p}): too short for an IDX header: 3 bytes, the magic number alone takes 4`);
    });

    it('dimensions past the end of the file', () => {
      const p = file(idx(0x08, [3, 28, 28], []).subarray(0, 10));
      expect(errorOf(() => loadIdx(p)).message).toBe(`loadIdx(${p}): the header declares 3 dimensions (16 header bytes) but the file has only 10 bytes`);
    });

    it('truncated data', () => {
      const p = file(images.subarray(0, images.length - 5));
      expect(errorOf(() => loadIdx(p)).message).toBe(
        `loadIdx(${p}): truncated: dimensions 3×2×3 of unsigned bytes need 18 bytes of data, the file has 13 after the header`,
      );
      const q = file(gzipSync(idx(0x0c, [2], [0, 0, 0, 1, 0])));
      expect(errorOf(() => loadIdx(q)).message).toBe(`loadIdx(${q}): truncated: dimensions 2 of ints need 8 bytes of data, the file has 5 after the header`);
    });

    it('wrong dimensions (more data than they account for)', () => {
      const p = file(idx(0x08, [2, 2, 3], pixels));
      expect(errorOf(() => loadIdx(p)).message).toBe(
        `loadIdx(${p}): dimensions 2×2×3 of unsigned bytes need 12 bytes of data but the file has 18 after the header (wrong dimensions or trailing bytes)`,
      );
    });

    it('corrupt gzip data, a missing file, a bad scale', () => {
      const gz = gzipSync(images);
      const p = file(gz.subarray(0, gz.length - 12), 'cut.gz');
      expect(errorOf(() => loadIdx(p)).message).toMatch(new RegExp(`^loadIdx\\(${p.replace(/[.\\]/g, '\\$&')}\\): corrupt gzip data: `));
      const q = join(dir, 'missing-idx3-ubyte');
      expect(errorOf(() => loadIdx(q)).message).toContain(`loadIdx(${q}): cannot read the file: ENOENT`);
      expect(errorOf(() => loadIdx(file(images), { scale: Number.NaN })).message).toContain('scale must be a finite number, got NaN');
    });
  });

  it('parseIdx reads bytes in memory and names the source', () => {
    expect(parseIdx(labelFile).toArray()).toEqual(labels);
    expect(parseIdx(gzipSync(labelFile), 'labels.gz', { scale: 2 }).toArray()).toEqual([14, 4, 2]);
    expect(() => parseIdx(Uint8Array.of(1, 2, 3, 4), 'blob')).toThrow('parseIdx(blob): bad magic number 0x01020304');
  });
});
