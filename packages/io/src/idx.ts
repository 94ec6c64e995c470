import { gunzipSync } from 'node:zlib';
import { allocShared, checkDType, type DType, Tensor } from '@actorgrad/core';
import { type Fail, failer, plural, readFileBytes } from './errors.js';

export interface LoadIdxOptions {
  /** Element type of the tensor (default `'float64'` for IDX doubles, `'float32'` for every other type). */
  dtype?: DType;
  /** Every value is multiplied by this (default 1), e.g. `1 / 255` to bring MNIST pixels into [0, 1]. */
  scale?: number;
}

/** The IDX element types: type code → name, size in bytes and reader (all big-endian). */
interface IdxType {
  name: string;
  size: number;
  read: (v: DataView, o: number) => number;
}
const IDX_TYPES = new Map<number, IdxType>([
  [0x08, { name: 'unsigned byte', size: 1, read: (v, o) => v.getUint8(o) }],
  [0x09, { name: 'signed byte', size: 1, read: (v, o) => v.getInt8(o) }],
  [0x0b, { name: 'short', size: 2, read: (v, o) => v.getInt16(o, false) }],
  [0x0c, { name: 'int', size: 4, read: (v, o) => v.getInt32(o, false) }],
  [0x0d, { name: 'float', size: 4, read: (v, o) => v.getFloat32(o, false) }],
  [0x0e, { name: 'double', size: 8, read: (v, o) => v.getFloat64(o, false) }],
]);

/**
 * Reads an IDX file — the format of the MNIST files (`train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, …) — into a tensor of the shape the file declares: `[60000, 28, 28]`
 * for images, `[60000]` for labels. The layout is a magic number (two zero bytes, a type code —
 * 0x08 unsigned byte, 0x09 signed byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double — and the
 * number of dimensions), the dimensions as big-endian 32-bit integers, then the values, big-endian,
 * in C order. Gzip-compressed files (`.gz` as distributed) are decompressed; a file that is not
 * gzip data is read as plain IDX whatever its name. Values are converted to `options.dtype` and
 * multiplied by `options.scale`. A bad magic number, a header past the end of the file, or data
 * that does not match the dimensions (too short or too long) is a {@link FileFormatError} naming the
 * file and the problem.
 */
export function loadIdx(path: string, options: LoadIdxOptions = {}): Tensor {
  return idxFrom(readFileBytes('loadIdx', path), failer('loadIdx', path), options);
}

/** {@link loadIdx} on bytes already in memory (gzip-compressed or not); errors name `source`. */
export function parseIdx(bytes: Uint8Array, source = '<idx>', options: LoadIdxOptions = {}): Tensor {
  return idxFrom(bytes, failer('parseIdx', source), options);
}

function idxFrom(bytes: Uint8Array, fail: Fail, options: LoadIdxOptions): Tensor {
  const scale = options.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) fail(`scale must be a finite number, got ${String(scale)}`);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      fail(`corrupt gzip data: ${(e as Error).message}`, { cause: e });
    }
  }
  if (bytes.length < 4) fail(`too short for an IDX header: ${plural(bytes.length, 'byte')}, the magic number alone takes 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const code = bytes[2]!;
  const ndim = bytes[3]!;
  const type = IDX_TYPES.get(code);
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined) {
    const magic = `0x${view.getUint32(0, false).toString(16).padStart(8, '0')}`;
    const why = bytes[0] !== 0 || bytes[1] !== 0 ? 'the first two bytes must be zero' : `unknown type code 0x${hex2(code)}`;
    fail(`bad magic number ${magic}: not an IDX file (${why}; expected 0x0000, a type code 08/09/0B/0C/0D/0E and the number of dimensions)`);
  }
  const dataStart = 4 + 4 * ndim;
  if (bytes.length < dataStart) {
    fail(`the header declares ${plural(ndim, 'dimension')} (${dataStart} header bytes) but the file has only ${plural(bytes.length, 'byte')}`);
  }
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const size = shape.reduce((a, b) => a * b, 1);
  const need = size * type.size;
  const have = bytes.length - dataStart;
  const dims = shape.join('×') || 'scalar';
  if (have < need) fail(`truncated: dimensions ${dims} of ${type.name}s need ${plural(need, 'byte')} of data, the file has ${have} after the header`);
  if (have > need) fail(`dimensions ${dims} of ${type.name}s need ${plural(need, 'byte')} of data but the file has ${have} after the header (wrong dimensions or trailing bytes)`);
  let dtype: DType;
  try {
    dtype = checkDType(options.dtype ?? (code === 0x0e ? 'float64' : 'float32'), 'dtype');
  } catch (e) {
    return fail((e as Error).message);
  }

  const out = allocShared(dtype, size);
  if (code === 0x08) {
    // Unsigned bytes (MNIST): a lookup table avoids a multiply per pixel.
    const table = new Float64Array(256);
    for (let k = 0; k < 256; k++) table[k] = k * scale;
    for (let i = 0; i < size; i++) out[i] = table[bytes[dataStart + i]!]!;
  } else {
    const { read, size: step } = type;
    for (let i = 0, o = dataStart; i < size; i++, o += step) out[i] = read(view, o) * scale;
  }
  return new Tensor(out, shape);
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0').toUpperCase();
}
