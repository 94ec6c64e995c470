import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, allocShared, tensor } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { errorOf, tempFiles } from '../test/support/data-files.js';
import { encodeNpy, loadNpy, parseNpy, saveNpy } from './npy.js';

const { dir, file } = tempFiles('npy', 'npy');

interface NpyOpts {
  version?: 1 | 2 | 3;
  /** 64 as numpy writes today, 16 as numpy did before 1.9 (then without growth room). */
  align?: 64 | 16;
  fortran?: boolean;
}

/**
 * A `.npy` file built the way numpy's `np.save` builds it (`numpy/lib/format.py`), written out
 * independently of `encodeNpy`: magic `\x93NUMPY`, version bytes, little-endian header length,
 * the header dict with keys in sorted order and `repr` values, 21 − len(repr(growth axis)) spaces of
 * growth room (numpy ≥ 1.24; none with the old 16-byte alignment), spaces up to the alignment
 * (never zero: an aligned header gets a whole block), a newline, then the data.
 */
function npy(descr: string, shape: number[], payload: Uint8Array, opts: NpyOpts = {}): Uint8Array {
  const { version = 1, align = 64, fortran = false } = opts;
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeRepr}, }`;
  if (align === 64 && shape.length > 0) header += ' '.repeat(21 - String(shape[fortran ? shape.length - 1 : 0]).length);
  const lenSize = version === 1 ? 2 : 4;
  const hlen = Buffer.byteLength(header, version === 3 ? 'utf8' : 'latin1') + 1;
  const pad = align - ((6 + 2 + lenSize + hlen) % align);
  const prefix = Buffer.alloc(8 + lenSize);
  prefix.write('\x93NUMPY', 'latin1');
  prefix[6] = version;
  prefix[7] = 0;
  if (lenSize === 2) prefix.writeUInt16LE(hlen + pad, 8);
  else prefix.writeUInt32LE(hlen + pad, 8);
  return Buffer.concat([prefix, Buffer.from(`${header}${' '.repeat(pad)}\n`, version === 3 ? 'utf8' : 'latin1'), payload]);
}

type Writer = (b: Buffer, v: number, o: number) => void;
const W: Record<string, [number, Writer]> = {
  '<f4': [4, (b, v, o) => b.writeFloatLE(v, o)],
  '>f4': [4, (b, v, o) => b.writeFloatBE(v, o)],
  '<f8': [8, (b, v, o) => b.writeDoubleLE(v, o)],
  '>f8': [8, (b, v, o) => b.writeDoubleBE(v, o)],
  '<i4': [4, (b, v, o) => b.writeInt32LE(v, o)],
  '>i4': [4, (b, v, o) => b.writeInt32BE(v, o)],
  '<i2': [2, (b, v, o) => b.writeInt16LE(v, o)],
  '<u2': [2, (b, v, o) => b.writeUInt16LE(v, o)],
  '<u4': [4, (b, v, o) => b.writeUInt32LE(v, o)],
  '<i8': [8, (b, v, o) => b.writeBigInt64LE(BigInt(v), o)],
  '>u8': [8, (b, v, o) => b.writeBigUInt64BE(BigInt(v), o)],
  '|u1': [1, (b, v, o) => b.writeUInt8(v, o)],
  '|i1': [1, (b, v, o) => b.writeInt8(v, o)],
  '|b1': [1, (b, v, o) => b.writeUInt8(v, o)],
  '<f2': [2, (b, v, o) => b.writeUInt16LE(v, o)], // values are raw half-precision bits
};

/** The data bytes of `values` as `descr`. */
function payload(descr: string, values: number[]): Buffer {
  const [size, write] = W[descr]!;
  const b = Buffer.alloc(values.length * size);
  values.forEach((v, i) => write(b, v, i * size));
  return b;
}

const range = (n: number, f = (i: number) => i) => Array.from({ length: n }, (_, i) => f(i));

describe('the npy() test helper', () => {
  it('produces the header numpy 2 writes (checked against np.save output sizes)', () => {
    // np.save(f, np.zeros((2, 3), '<f4')) writes a 128-byte header whose length field is 118 ('v\0').
    const b = Buffer.from(npy('<f4', [2, 3], payload('<f4', range(6))));
    expect(b.length).toBe(128 + 24);
    expect(b.subarray(0, 10)).toEqual(Buffer.from('\x93NUMPY\x01\x00v\x00', 'latin1'));
    const header = b.subarray(10, 128).toString('latin1');
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    expect(header.endsWith(' \n')).toBe(true);
    // A header that would end exactly on a 64-byte boundary gets 64 more spaces, as in numpy:
    // np.save of shape (2, 100, 1, …, 1) (14 dims) has a header length of 182.
    const aligned = Buffer.from(npy('<f4', [2, 100, ...range(12, () => 1)], Buffer.alloc(800)));
    expect(aligned.readUInt16LE(8)).toBe(182);
  });
});

describe('loadNpy', () => {
  it('reads <f4 [3, 4]', () => {
    const values = range(12, (i) => i * 0.5 - 2);
    const t = loadNpy(file(npy('<f4', [3, 4], payload('<f4', values))));
    expect(t.shape).toEqual([3, 4]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.data)).toEqual(values);
  });

  it('reads <f8 as float64, exactly', () => {
    const values = [Math.PI, -1e-300, 0.1, 1 / 3, Number.MAX_VALUE];
    const t = loadNpy(file(npy('<f8', [5], payload('<f8', values))));
    expect(t.shape).toEqual([5]);
    expect(t.dtype).toBe('float64');
    expect(Array.from(t.data)).toEqual(values);
  });

  it('reads <i4 as float32', () => {
    const values = [-2147483648, -1, 0, 1, 65536, 16777216];
    const t = loadNpy(file(npy('<i4', [2, 3], payload('<i4', values))));
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([values.slice(0, 3), values.slice(3)]);
  });

  it('reads a 0-d array as a tensor of shape []', () => {
    const t = loadNpy(file(npy('<f8', [], payload('<f8', [2.75]))));
    expect(t.shape).toEqual([]);
    expect(t.item()).toBe(2.75);
    const f = loadNpy(file(npy('<f4', [], payload('<f4', [-1.5]))));
    expect(f.dtype).toBe('float32');
    expect(f.item()).toBe(-1.5);
  });

  it('reads a 3-D array in C order', () => {
    const values = range(24, (i) => i * i);
    const t = loadNpy(file(npy('<f4', [2, 3, 4], payload('<f4', values))));
    expect(t.shape).toEqual([2, 3, 4]);
    expect(t.toArray()).toEqual([0, 1].map((a) => [0, 1, 2].map((b) => [0, 1, 2, 3].map((c) => values[a * 12 + b * 4 + c]))));
  });

  it('reads empty arrays', () => {
    const t = loadNpy(file(npy('<f4', [0, 3], Buffer.alloc(0))));
    expect(t.shape).toEqual([0, 3]);
    expect(t.size).toBe(0);
  });

  it('accepts the old 16-byte alignment and format versions 2.0 and 3.0', () => {
    const values = [1, 2, 3, 4];
    for (const opts of [{ align: 16 }, { version: 2 }, { version: 3 }, { version: 2, align: 16 }] as NpyOpts[]) {
      const bytes = npy('<f4', [2, 2], payload('<f4', values), opts);
      expect(loadNpy(file(bytes)).toArray(), JSON.stringify(opts)).toEqual([[1, 2], [3, 4]]);
    }
    expect(npy('<f4', [2, 2], Buffer.alloc(0), { align: 16 }).length % 16).toBe(0);
  });

  it('reads big-endian data', () => {
    expect(loadNpy(file(npy('>f4', [3], payload('>f4', [1.5, -2, 1e10])))).toArray()).toEqual([1.5, -2, Math.fround(1e10)]);
    expect(loadNpy(file(npy('>i4', [2], payload('>i4', [-7, 123456])))).toArray()).toEqual([-7, 123456]);
    const f8 = loadNpy(file(npy('>f8', [2], payload('>f8', [0.1, -0.2]))));
    expect(f8.dtype).toBe('float64');
    expect(f8.toArray()).toEqual([0.1, -0.2]);
    expect(loadNpy(file(npy('>u8', [1], payload('>u8', [2 ** 40 + 3])))).toArray()).toEqual([2 ** 40]); // float32 rounding
  });

  it('reads fortran_order True data into the same array in C order', () => {
    // [[1, 2, 3], [4, 5, 6]] is stored column by column: 1 4 2 5 3 6.
    const t = loadNpy(file(npy('<f4', [2, 3], payload('<f4', [1, 4, 2, 5, 3, 6]), { fortran: true })));
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    // 3-D: element (a, b, c) = 100a + 10b + c sits at a + 2b + 6c in F order.
    const shape = [2, 3, 4];
    const f = new Array<number>(24);
    for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 4; c++) f[a + 2 * b + 6 * c] = 100 * a + 10 * b + c;
    const t3 = loadNpy(file(npy('<i4', shape, payload('<i4', f), { fortran: true })));
    expect(t3.shape).toEqual(shape);
    expect(Array.from(t3.data)).toEqual(range(24, (i) => 100 * Math.floor(i / 12) + 10 * (Math.floor(i / 4) % 3) + (i % 4)));
  });

  it('reads the other integer, bool and half types', () => {
    expect(loadNpy(file(npy('|u1', [2, 2], payload('|u1', [0, 255, 128, 7])))).toArray()).toEqual([[0, 255], [128, 7]]);
    expect(loadNpy(file(npy('|i1', [2], payload('|i1', [-128, 127])))).toArray()).toEqual([-128, 127]);
    expect(loadNpy(file(npy('<i2', [2], payload('<i2', [-300, 300])))).toArray()).toEqual([-300, 300]);
    expect(loadNpy(file(npy('<u2', [1], payload('<u2', [65535])))).toArray()).toEqual([65535]);
    expect(loadNpy(file(npy('<u4', [1], payload('<u4', [4294967295]))), { dtype: 'float64' }).toArray()).toEqual([4294967295]);
    expect(loadNpy(file(npy('<i8', [3], payload('<i8', [1, -2, 2 ** 40])))).toArray()).toEqual([1, -2, 2 ** 40]);
    expect(loadNpy(file(npy('|b1', [3], payload('|b1', [1, 0, 1])))).toArray()).toEqual([1, 0, 1]);
    // float16 bits: 1.5 = 0x3e00, -0.25 = 0xb400, 65504 = 0x7bff, smallest subnormal 0x0001, inf 0x7c00.
    const half = loadNpy(file(npy('<f2', [5], payload('<f2', [0x3e00, 0xb400, 0x7bff, 0x0001, 0x7c00]))), { dtype: 'float64' });
    expect(half.toArray()).toEqual([1.5, -0.25, 65504, 2 ** -24, Infinity]);
  });

  it('converts to the dtype asked for', () => {
    const f4 = loadNpy(file(npy('<f4', [2], payload('<f4', [0.5, 0.25]))), { dtype: 'float64' });
    expect(f4.dtype).toBe('float64');
    expect(f4.toArray()).toEqual([0.5, 0.25]);
    const f8 = loadNpy(file(npy('<f8', [1], payload('<f8', [0.1]))), { dtype: 'float32' });
    expect(f8.dtype).toBe('float32');
    expect(f8.data[0]).toBe(Math.fround(0.1));
  });

  describe('errors name the file and the problem', () => {
    const good = npy('<f4', [3, 4], payload('<f4', range(12)));

    it('bad magic', () => {
      const p = file(Buffer.from('PK\x03\x04 this is a zip, not an npy file', 'latin1'));
      expect(errorOf(() => loadNpy(p)).message).toBe(`loadNpy(${p}): bad magic string "PK\\x03\\x04 t": not an NPY file (expected "\\x93NUMPY")`);
      const q = file(Buffer.from('\x93NUMPZ\x01\x00', 'latin1'));
      expect(errorOf(() => loadNpy(q)).message).toContain(`loadNpy(${q}): bad magic string`);
      const r = file(Buffer.alloc(0));
      expect(errorOf(() => loadNpy(r)).message).toBe(`loadNpy(${r}): bad magic string "": not an NPY file (expected "\\x93NUMPY")`);
    });

    it('too short, and an unknown version', () => {
      const p = file(good.subarray(0, 8));
      expect(errorOf(() => loadNpy(p)).message).toBe(`loadNpy(${p}): too short for an NPY header: 8 bytes`);
      const v = Buffer.from(good);
      v[6] = 4;
      const q = file(v);
      expect(errorOf(() => loadNpy(q)).message).toBe(`loadNpy(${q}): unsupported NPY format version 4.0 (known: 1.0, 2.0, 3.0)`);
    });

    it('header length past the end of the file', () => {
      const p = file(good.subarray(0, 100));
      expect(errorOf(() => loadNpy(p)).message).toBe(
        `loadNpy(${p}): header length 118 runs past the end of the file (100 bytes, the header would end at byte 128)`,
      );
      const v = Buffer.from(npy('<f4', [1], payload('<f4', [1]), { version: 2 }));
      v.writeUInt32LE(0x7fffffff, 8);
      const q = file(v);
      expect(errorOf(() => loadNpy(q)).message).toContain(`loadNpy(${q}): header length 2147483647 runs past the end of the file`);
    });

    it('truncated data', () => {
      const p = file(good.subarray(0, good.length - 6));
      expect(errorOf(() => loadNpy(p)).message).toBe(
        `loadNpy(${p}): truncated: shape (3, 4) of '<f4' needs 48 bytes of data, the file has 42 after the header`,
      );
    });

    it('more data than the shape accounts for', () => {
      const p = file(npy('<f8', [2], payload('<f8', [1, 2, 3])));
      expect(errorOf(() => loadNpy(p)).message).toBe(
        `loadNpy(${p}): shape (2,) of '<f8' needs 16 bytes of data but the file has 24 after the header (wrong shape or trailing bytes)`,
      );
    });

    it('unsupported dtypes', () => {
      for (const descr of ['<c8', '<U5', '|O', '|S3', '<M8[ns]', '|u2']) {
        const p = file(npy(descr, [1], Buffer.alloc(8)));
        expect(errorOf(() => loadNpy(p)).message).toBe(
          `loadNpy(${p}): unsupported dtype '${descr}' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)`,
        );
      }
      const header = "{'descr': [('x', '<f4'), ('y', '<i4')], 'fortran_order': False, 'shape': (1,), }";
      const s = file(rawNpy(header, Buffer.alloc(8)));
      expect(errorOf(() => loadNpy(s)).message).toBe(`loadNpy(${s}): unsupported dtype: structured arrays (descr is a list of fields) are not supported`);
    });

    it('malformed headers', () => {
      const cases: [string, string][] = [
        ["{'descr': '<f4', 'fortran_order': False, }", "the keys must be 'descr', 'fortran_order' and 'shape', got 'descr', 'fortran_order'"],
        ["{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "the keys must be 'descr', 'fortran_order' and 'shape', got 'descr', 'extra', 'fortran_order', 'shape'"],
        ["{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", "'fortran_order' must be True or False"],
        ["{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "'shape' must be a tuple of non-negative integers"],
        ["{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", "'shape' must be a tuple of non-negative integers"],
        ["{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ", "expected ',' or '}' at offset"],
        ["{'descr': '<f4' 'fortran_order': False}", "expected ',' or '}' at offset 16"],
        ['[1, 2]', 'expected a dict'],
        ['', 'unexpected end of the header'],
      ];
      for (const [header, problem] of cases) {
        const p = file(rawNpy(header, Buffer.alloc(4)));
        const msg = errorOf(() => loadNpy(p)).message;
        expect(msg.startsWith(`loadNpy(${p}): malformed header `), msg).toBe(true);
        expect(msg).toContain(problem);
      }
    });

    it('a missing file', () => {
      const p = join(dir, 'missing.npy');
      expect(errorOf(() => loadNpy(p)).message).toContain(`loadNpy(${p}): cannot read the file: ENOENT`);
    });
  });

  it('parseNpy reads bytes in memory and names the source', () => {
    expect(parseNpy(npy('<f4', [2], payload('<f4', [1, 2]))).toArray()).toEqual([1, 2]);
    expect(() => parseNpy(Uint8Array.of(1, 2, 3), 'blob')).toThrow('parseNpy(blob): bad magic string');
  });
});

/** An npy 1.0 file with `header` verbatim (padded to 64 bytes) and `data`. */
function rawNpy(header: string, data: Uint8Array): Uint8Array {
  const hlen = header.length + 1;
  const pad = 64 - ((10 + hlen) % 64);
  const prefix = Buffer.from('\x93NUMPY\x01\x00\x00\x00', 'latin1');
  prefix.writeUInt16LE(hlen + pad, 8);
  return Buffer.concat([prefix, Buffer.from(`${header}${' '.repeat(pad)}\n`, 'latin1'), data]);
}

function bits(t: Tensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

describe('saveNpy', () => {
  it('writes the bytes numpy writes', () => {
    const cases: [Tensor, string][] = [
      [tensor(range(12), { shape: [3, 4] }), '<f4'],
      [tensor(range(24), { shape: [2, 3, 4], dtype: 'float64' }), '<f8'],
      [tensor(7.5), '<f4'],
      [tensor([1, 2, 3]), '<f4'],
      [tensor(range(200), { shape: [2, 100, ...range(12, () => 1)] }), '<f4'],
      [tensor(range(12345 * 2), { shape: [12345, 2] }), '<f4'],
    ];
    for (const [i, [t, descr]] of cases.entries()) {
      const expected = npy(descr, t.shape, payload(descr, Array.from(t.data)));
      const p = join(dir, `save${i}.npy`);
      saveNpy(p, t);
      const written = readFileSync(p);
      expect(Buffer.compare(written, Buffer.from(expected)), `shape ${t.shape}`).toBe(0);
      expect(Buffer.from(encodeNpy(t)).equals(written)).toBe(true);
      // The data start on a 64-byte boundary after a newline.
      const dataStart = 10 + written.readUInt16LE(8);
      expect(dataStart % 64).toBe(0);
      expect(written[dataStart - 1]).toBe(0x0a);
    }
  });

  it('round-trips bit for bit, NaN, -0, infinities and subnormals included', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const d = allocShared(dtype, 8);
      d.set([Number.NaN, -0, Infinity, -Infinity, dtype === 'float32' ? 1e-45 : 5e-324, 1 / 3, -1e30, 0]);
      const t = new Tensor(d, [2, 2, 2]);
      const p = join(dir, `rt-${dtype}.npy`);
      saveNpy(p, t);
      const back = loadNpy(p);
      expect(back.dtype).toBe(dtype);
      expect(back.shape).toEqual([2, 2, 2]);
      expect(bits(back).equals(bits(t))).toBe(true);
    }
    const scalar = join(dir, 'rt-scalar.npy');
    saveNpy(scalar, tensor(-3.25, { dtype: 'float64' }));
    expect(loadNpy(scalar).item()).toBe(-3.25);
  });

  it('writes a view at an offset of a shared buffer correctly', () => {
    const big = tensor(range(10), { shape: [10] });
    const view = new Tensor(big.data.subarray(4, 8), [2, 2]);
    const p = join(dir, 'view.npy');
    saveNpy(p, view);
    expect(loadNpy(p).toArray()).toEqual([[4, 5], [6, 7]]);
  });

  it('names the file when it cannot write', () => {
    const p = join(dir, 'no-such-dir', 'x.npy');
    expect(errorOf(() => saveNpy(p, tensor([1]))).message).toContain(`saveNpy(${p}): cannot write the file: ENOENT`);
    expect(errorOf(() => saveNpy(p, [1] as never)).message).toBe(`saveNpy(${p}): expected a Tensor, got object`);
  });
});
