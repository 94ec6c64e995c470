import { writeFileSync } from 'node:fs';
import { allocShared, checkDType, type DType, Tensor } from '@actorgrad/core';
import { type Fail, failer, plural, readFileBytes } from './errors.js';

export interface LoadNpyOptions {
  /** Element type of the tensor (default `'float64'` for `f8` data, `'float32'` for every other type). */
  dtype?: DType;
}

/** `\x93NUMPY` */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** numpy aligns the data to this many bytes from the start of the file. */
const ARRAY_ALIGN = 64;
/** numpy leaves room in the header for the growth axis to reach this many digits. */
const GROWTH_AXIS_MAX_DIGITS = 21;

type Reader = (v: DataView, o: number, little: boolean) => number;

/** The element types read, by kind and size (descr `<f4` is kind `f`, size 4). */
const READERS: Record<string, Reader> = {
  f2: (v, o, le) => halfToFloat(v.getUint16(o, le)),
  f4: (v, o, le) => v.getFloat32(o, le),
  f8: (v, o, le) => v.getFloat64(o, le),
  i1: (v, o) => v.getInt8(o),
  u1: (v, o) => v.getUint8(o),
  b1: (v, o) => (v.getUint8(o) === 0 ? 0 : 1),
  i2: (v, o, le) => v.getInt16(o, le),
  u2: (v, o, le) => v.getUint16(o, le),
  i4: (v, o, le) => v.getInt32(o, le),
  u4: (v, o, le) => v.getUint32(o, le),
  // 64-bit integers become the nearest double (exact up to 2^53).
  i8: (v, o, le) => Number(v.getBigInt64(o, le)),
  u8: (v, o, le) => Number(v.getBigUint64(o, le)),
};

/**
 * Reads a NumPy `.npy` file (what `np.save` writes) into a tensor of its shape. Understood: format
 * versions 1.0 (2-byte header length) and 2.0/3.0 (4-byte); the header dict
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` with any padding (numpy pads to 64
 * bytes, old versions to 16); element types `f4`, `f8`, `i4` and also `f2`, `i1`, `u1`, `b1`, `i2`,
 * `u2`, `u4`, `i8`, `u8` (64-bit integers are exact up to 2^53), little- or big-endian (`<`, `>`,
 * `|`, `=`); 0-d arrays (shape `()`, a tensor of shape `[]`). `fortran_order: True` data are
 * reordered, so the tensor holds the same array in C order. The result is float64 for `f8` data and
 * float32 otherwise unless `options.dtype` says. Complex, string, object and structured dtypes, a
 * bad magic string, a header past the end of the file and data that do not match the shape are a
 * {@link FileFormatError} naming the file and the problem, e.g. `loadNpy(x.npy): unsupported dtype '<c8'`.
 */
export function loadNpy(path: string, options: LoadNpyOptions = {}): Tensor {
  return npyFrom(readFileBytes('loadNpy', path), failer('loadNpy', path), options);
}

/** {@link loadNpy} on the bytes of a `.npy` file already in memory; errors name `source`. */
export function parseNpy(bytes: Uint8Array, source = '<npy>', options: LoadNpyOptions = {}): Tensor {
  return npyFrom(bytes, failer('parseNpy', source), options);
}

/**
 * The bytes `np.save` writes for `tensor` (numpy ≥ 1.24, which leaves growth room in the header):
 * format 1.0 (2.0 if the header needs more than 65 535 bytes), the header dict
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, spaces for the first dimension to
 * grow to 21 digits, more spaces so the data start at a multiple of 64 bytes, a newline, then the
 * elements little-endian in C order (`<f4` for float32, `<f8` for float64).
 */
export function encodeNpy(tensor: Tensor): Uint8Array {
  if (!(tensor instanceof Tensor)) throw new TypeError(`encodeNpy: expected a Tensor, got ${tensor === null ? 'null' : typeof tensor}`);
  const descr = tensor.dtype === 'float64' ? '<f8' : '<f4';
  const shape = tensor.shape;
  const shapeRepr = shape.length === 0 ? '()' : shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length, 0));
  // numpy's _wrap_header: the padding is never empty, an aligned header gets 64 more spaces.
  const hlen = header.length + 1;
  let lenBytes = 2;
  let padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
  if (hlen + padlen > 0xffff) {
    lenBytes = 4;
    padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
  }
  const prefix = MAGIC.length + 2 + lenBytes;
  const dataStart = prefix + hlen + padlen;
  const out = new Uint8Array(dataStart + tensor.data.byteLength);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = lenBytes === 2 ? 1 : 2;
  out[7] = 0;
  if (lenBytes === 2) view.setUint16(8, hlen + padlen, true);
  else view.setUint32(8, hlen + padlen, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.fill(0x20, prefix + header.length, dataStart - 1);
  out[dataStart - 1] = 0x0a;
  const src = tensor.data;
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) {
    out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), dataStart);
  } else {
    const step = tensor.dtype === 'float64' ? 8 : 4;
    for (let i = 0; i < src.length; i++) {
      if (step === 8) view.setFloat64(dataStart + 8 * i, src[i]!, true);
      else view.setFloat32(dataStart + 4 * i, src[i]!, true);
    }
  }
  return out;
}

/**
 * Writes `tensor` to `path` as `np.save` would (see {@link encodeNpy}): `np.load(path)` gives the
 * same array, float32 as `<f4`, float64 as `<f8`, and {@link loadNpy} reads it back bit for bit.
 */
export function saveNpy(path: string, tensor: Tensor): void {
  if (!(tensor instanceof Tensor)) failer('saveNpy', path)(`expected a Tensor, got ${tensor === null ? 'null' : typeof tensor}`);
  const bytes = encodeNpy(tensor);
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    failer('saveNpy', path)(`cannot write the file: ${(e as Error).message}`, { cause: e });
  }
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function npyFrom(bytes: Uint8Array, fail: Fail, options: LoadNpyOptions): Tensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    if (bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b)) fail(`too short for an NPY header: ${plural(bytes.length, 'byte')}`);
    const printable = (b: number) => b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c;
    const head = Array.from(bytes.subarray(0, 6), (b) => (printable(b) ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
    fail(`bad magic string "${head}": not an NPY file (expected "\\x93NUMPY")`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) fail(`unsupported NPY format version ${major}.${minor} (known: 1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail(`too short for an NPY ${major}.0 header: ${plural(bytes.length, 'byte')}`);
  const hlen = lenBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const prefix = 8 + lenBytes;
  if (prefix + hlen > bytes.length) {
    fail(`header length ${hlen} runs past the end of the file (${plural(bytes.length, 'byte')}, the header would end at byte ${prefix + hlen})`);
  }
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(prefix, prefix + hlen));
  const header = parseHeader(text, fail);

  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(header.descr);
  const kind = m ? `${m[2]}${m[3]}` : '';
  const read = READERS[kind];
  if (!m || read === undefined || (m[1] === '|' && m[3] !== '1')) fail(`unsupported dtype '${header.descr}' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)`);
  const itemSize = Number(m[3]);
  const little = m[1] === '<' || m[1] === '|' || (m[1] === '=' && new Uint8Array(new Uint16Array([1]).buffer)[0] === 1);

  const { shape } = header;
  const size = shape.reduce((a, b) => a * b, 1);
  const dataStart = prefix + hlen;
  const need = size * itemSize;
  const have = bytes.length - dataStart;
  const shapeText = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
  if (have < need) fail(`truncated: shape ${shapeText} of '${header.descr}' needs ${plural(need, 'byte')} of data, the file has ${have} after the header`);
  if (have > need) fail(`shape ${shapeText} of '${header.descr}' needs ${plural(need, 'byte')} of data but the file has ${have} after the header (wrong shape or trailing bytes)`);

  let dtype: DType;
  try {
    dtype = checkDType(options.dtype ?? (kind === 'f8' ? 'float64' : 'float32'), 'dtype');
  } catch (e) {
    return fail((e as Error).message);
  }
  const out = allocShared(dtype, size);
  if (!header.fortranOrder || shape.length < 2) {
    for (let i = 0, o = dataStart; i < size; i++, o += itemSize) out[i] = read(view, o, little);
  } else {
    // Fortran order: the first index varies fastest in the file. Walk the C-order output and keep
    // the file offset of the current index.
    const nd = shape.length;
    const fStride = new Array<number>(nd);
    let acc = itemSize;
    for (let d = 0; d < nd; d++) {
      fStride[d] = acc;
      acc *= shape[d]!;
    }
    const idx = new Array<number>(nd).fill(0);
    let o = dataStart;
    for (let i = 0; i < size; i++) {
      out[i] = read(view, o, little);
      for (let d = nd - 1; d >= 0; d--) {
        idx[d]!++;
        o += fStride[d]!;
        if (idx[d]! < shape[d]!) break;
        o -= idx[d]! * fStride[d]!;
        idx[d] = 0;
      }
    }
  }
  return new Tensor(out, shape);
}

/** The header dict, checked: exactly the keys `descr`, `fortran_order` and `shape`, as numpy requires. */
function parseHeader(text: string, fail: Fail): NpyHeader {
  const shown = JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
  let value: PyValue;
  try {
    value = new PyLiteral(text).parseAll();
  } catch (e) {
    return fail(`malformed header ${shown}: ${(e as Error).message}`);
  }
  if (!(value instanceof Map)) return fail(`malformed header ${shown}: expected a dict`);
  const keys = [...value.keys()].sort();
  if (keys.join() !== 'descr,fortran_order,shape') {
    fail(`malformed header ${shown}: the keys must be 'descr', 'fortran_order' and 'shape', got ${keys.map((k) => `'${k}'`).join(', ') || 'none'}`);
  }
  const descr = value.get('descr');
  const fortranOrder = value.get('fortran_order');
  const shape = value.get('shape');
  if (typeof descr !== 'string') {
    fail(Array.isArray(descr) ? 'unsupported dtype: structured arrays (descr is a list of fields) are not supported' : `malformed header ${shown}: 'descr' must be a string`);
  }
  if (typeof fortranOrder !== 'boolean') fail(`malformed header ${shown}: 'fortran_order' must be True or False`);
  if (!(shape instanceof PyTuple) || !shape.items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    fail(`malformed header ${shown}: 'shape' must be a tuple of non-negative integers`);
  }
  return { descr, fortranOrder, shape: shape.items as number[] };
}

class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
type PyValue = string | number | boolean | null | PyValue[] | PyTuple | Map<string, PyValue>;

/** A parser for the Python literals a header holds: dicts, tuples, lists, strings, ints, True/False/None. */
class PyLiteral {
  private i = 0;
  constructor(private readonly s: string) {}

  parseAll(): PyValue {
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) throw new Error(`unexpected ${JSON.stringify(this.s[this.i])} at offset ${this.i} after the dict`);
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private value(): PyValue {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) throw new Error('unexpected end of the header');
    if (c === '{') return this.dict();
    if (c === '(') {
      const { items, trailingComma } = this.seq(')');
      // (x) is just x in Python; (x,) is a tuple.
      return items.length === 1 && !trailingComma ? items[0]! : new PyTuple(items);
    }
    if (c === '[') return this.seq(']').items;
    if (c === "'" || c === '"') return this.str();
    const m = /^(?:True|False|None|[+-]?\d+L?)/.exec(this.s.slice(this.i, this.i + 40));
    if (!m) throw new Error(`unexpected ${JSON.stringify(c)} at offset ${this.i}`);
    this.i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number.parseInt(m[0], 10);
  }

  private seq(close: string): { items: PyValue[]; trailingComma: boolean } {
    this.i++;
    const items: PyValue[] = [];
    let trailingComma = false;
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return { items, trailingComma };
      }
      items.push(this.value());
      this.ws();
      trailingComma = this.s[this.i] === ',';
      if (trailingComma) this.i++;
      else if (this.s[this.i] !== close) throw new Error(`expected ',' or '${close}' at offset ${this.i}`);
    }
  }

  private dict(): Map<string, PyValue> {
    this.i++;
    const out = new Map<string, PyValue>();
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.value();
      if (typeof key !== 'string') throw new Error(`dict keys must be strings, at offset ${this.i}`);
      this.ws();
      if (this.s[this.i] !== ':') throw new Error(`expected ':' after key '${key}' at offset ${this.i}`);
      this.i++;
      if (out.has(key)) throw new Error(`duplicate key '${key}'`);
      out.set(key, this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new Error(`expected ',' or '}' at offset ${this.i}`);
    }
  }

  private str(): string {
    const q = this.s[this.i]!;
    let out = '';
    for (let j = this.i + 1; j < this.s.length; j++) {
      const c = this.s[j]!;
      if (c === q) {
        this.i = j + 1;
        return out;
      }
      if (c === '\\') {
        j++;
        const e = this.s[j];
        out += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
      } else {
        out += c;
      }
    }
    throw new Error(`unterminated string at offset ${this.i}`);
  }
}

/** IEEE 754 half precision bits → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
