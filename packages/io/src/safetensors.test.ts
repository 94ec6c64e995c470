import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor, tensor } from '@actorgrad/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CHECKSUMS_KEY,
  type DecodedTensor,
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  loadSafetensorsMetadata,
  loadSafetensorsSync,
  type SafetensorsTensorInput,
  saveSafetensors,
  saveSafetensorsSync,
  tensorsFromCore,
  toCoreTensors,
} from './safetensors.js';
import { FileFormatError } from './errors.js';

// ---------------------------------------------------------------------------------------------
// An independent reader of the format, written from the specification and sharing no code with
// the module under test: it checks the layout rules and returns the raw pieces.

const ITEM_SIZE: Record<string, number> = { BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8 };

interface RawTensor {
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
  bytes: Uint8Array;
}

function independentRead(file: Uint8Array): { headerLength: number; json: string; header: Record<string, unknown>; tensors: Map<string, RawTensor> } {
  expect(file.length).toBeGreaterThanOrEqual(8);
  // The length: eight bytes, least significant first.
  let n = 0n;
  for (let i = 7; i >= 0; i--) n = (n << 8n) | BigInt(file[i]!);
  const headerLength = Number(n);
  expect(8 + headerLength).toBeLessThanOrEqual(file.length);
  // Padded to 8 bytes, so the data starts aligned.
  expect(headerLength % 8).toBe(0);
  expect((8 + headerLength) % 8).toBe(0);
  const json = Buffer.from(file.subarray(8, 8 + headerLength)).toString('utf8');
  expect(json.startsWith('{')).toBe(true);
  const trimmed = json.replace(/ +$/, '');
  expect(trimmed.endsWith('}')).toBe(true);
  // Only spaces pad the header, and fewer than 8 of them.
  expect(json.length - trimmed.length).toBeLessThan(8);
  const header = JSON.parse(json) as Record<string, unknown>;
  expect(typeof header).toBe('object');
  expect(Array.isArray(header)).toBe(false);
  const dataStart = 8 + headerLength;
  const dataLength = file.length - dataStart;
  const tensors = new Map<string, RawTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const v of Object.values(info as object)) expect(typeof v).toBe('string');
      continue;
    }
    const { dtype, shape, data_offsets } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    expect(Object.keys(info as object).sort()).toEqual(['data_offsets', 'dtype', 'shape']);
    expect(ITEM_SIZE[dtype]).toBeDefined();
    const [begin, end] = data_offsets;
    const count = shape.reduce((a, b) => a * b, 1);
    expect(end - begin).toBe(count * ITEM_SIZE[dtype]!);
    tensors.set(name, { dtype, shape, begin, end, bytes: file.subarray(dataStart + begin, dataStart + end) });
  }
  // The offsets tile the data: no holes, no overlaps, nothing after the last tensor.
  const spans = [...tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const s of spans) {
    expect(s.begin).toBe(cursor);
    cursor = s.end;
  }
  expect(cursor).toBe(dataLength);
  return { headerLength, json, header, tensors };
}

/** The little-endian bytes of a typed array, written element by element with a DataView. */
function leBytes(a: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength);
  const v = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Float32Array) v.setFloat32(i * 4, a[i]!, true);
    else if (a instanceof Float64Array) v.setFloat64(i * 8, a[i]!, true);
    else if (a instanceof Int32Array) v.setInt32(i * 4, a[i]!, true);
    else if (a instanceof BigInt64Array) v.setBigInt64(i * 8, a[i]!, true);
    else v.setUint8(i, a[i]!);
  }
  return out;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function f32(values: number[]): Float32Array {
  return new Float32Array(values);
}

/** Bits of a float32 NaN with a payload, so round trips are checked bit for bit. */
function payloadNaN32(): Float32Array {
  const a = new Float32Array(1);
  new Uint32Array(a.buffer)[0] = 0x7fc12345;
  return a;
}

// ---------------------------------------------------------------------------------------------

describe('encodeSafetensors / decodeSafetensors', () => {
  const everything: Record<string, SafetensorsTensorInput> = {
    '0.weight': { dtype: 'F32', shape: [2, 3], data: f32([1, -2.5, 3.25, 0, -0, Number.POSITIVE_INFINITY]) },
    '0.bias': { dtype: 'F32', shape: [3], data: f32([Number.NaN, 1e-45, -3.4028234663852886e38]) },
    nanPayload: { dtype: 'F32', shape: [1], data: payloadNaN32() },
    scalar: { dtype: 'F64', shape: [], data: new Float64Array([Math.PI]) },
    doubles: { dtype: 'F64', shape: [2, 2], data: new Float64Array([0.1 + 0.2, Number.MIN_VALUE, -Number.MAX_VALUE, -0]) },
    empty: { dtype: 'F32', shape: [0], data: new Float32Array(0) },
    empty3d: { dtype: 'F64', shape: [2, 0, 3], data: new Float64Array(0) },
    ints: { dtype: 'I32', shape: [4], data: new Int32Array([0, -1, 2147483647, -2147483648]) },
    longs: { dtype: 'I64', shape: [1, 3], data: new BigInt64Array([0n, -(2n ** 63n), 2n ** 63n - 1n]) },
    bytes: { dtype: 'U8', shape: [2, 2, 2], data: new Uint8Array([0, 1, 2, 127, 128, 200, 254, 255]) },
    emptyBytes: { dtype: 'U8', shape: [0, 4], data: new Uint8Array(0) },
    step: { dtype: 'I64', shape: [], data: new BigInt64Array([123456789012345n]) },
  };

  it('round-trips every dtype and shape, bit for bit, into fresh shared memory', () => {
    const file = encodeSafetensors(everything, { format: 'pt', note: 'ünïcødé ✓' });
    const back = decodeSafetensors(file, 'mem');
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(everything).sort());
    expect(back.metadata).toEqual({ format: 'pt', note: 'ünïcødé ✓' });
    const types = { F32: Float32Array, F64: Float64Array, I32: Int32Array, I64: BigInt64Array, U8: Uint8Array };
    for (const [name, t] of Object.entries(everything)) {
      const d = back.tensors[name]!;
      expect(d.dtype, name).toBe(t.dtype);
      expect(d.shape, name).toEqual(t.shape);
      expect(d.data, name).toBeInstanceOf(types[t.dtype]);
      expect(d.data.buffer, name).toBeInstanceOf(SharedArrayBuffer);
      expect(d.data.byteOffset).toBe(0);
      expect(d.data.buffer.byteLength).toBe(t.data.byteLength);
      expect(bytesOf(d.data), name).toEqual(bytesOf(t.data));
      expect(d.data.buffer).not.toBe(file.buffer);
    }
    expect(back.tensors['0.weight']!.data[4]).toBe(-0);
    expect(Object.is(back.tensors['0.weight']!.data[4], -0)).toBe(true);
    expect(back.tensors.step!.data[0]).toBe(123456789012345n);
    // The decoder copies: changing the file afterwards changes nothing decoded.
    file.fill(0, file.length - 8);
    expect(bytesOf(back.tensors['0.weight']!.data)).toEqual(bytesOf(everything['0.weight']!.data));
  });

  it('writes files an independent reader accepts: length, JSON, padding, offsets tiling the data', () => {
    const metadatas: (Record<string, string> | undefined)[] = [undefined, {}, { a: 'b' }, { epoch: '3', spec: JSON.stringify({ layers: [1, 2, 3] }) }];
    for (const metadata of metadatas) {
      const file = encodeSafetensors(everything, metadata);
      const { header, tensors } = independentRead(file);
      expect(header.__metadata__).toEqual(metadata);
      expect(tensors.size).toBe(Object.keys(everything).length);
      for (const [name, t] of Object.entries(everything)) {
        const raw = tensors.get(name)!;
        expect(raw.dtype).toBe(t.dtype);
        expect(raw.shape).toEqual(t.shape);
        expect(raw.bytes).toEqual(leBytes(t.data as Float32Array));
      }
    }
  });

  it('pads every header length to a multiple of 8 with spaces', () => {
    for (let len = 0; len < 24; len++) {
      const name = 'x'.repeat(len + 1);
      const file = encodeSafetensors({ [name]: { dtype: 'F32', shape: [1], data: f32([len]) } });
      const { headerLength, json } = independentRead(file);
      expect(headerLength % 8).toBe(0);
      const pad = json.length - json.trimEnd().length;
      expect(json.slice(json.length - pad)).toBe(' '.repeat(pad));
    }
  });

  it('lays tensors out as the reference implementation does: by descending alignment, then name', () => {
    const file = encodeSafetensors({
      b: { dtype: 'U8', shape: [1], data: new Uint8Array([1]) },
      z: { dtype: 'F32', shape: [1], data: f32([1]) },
      a: { dtype: 'F32', shape: [1], data: f32([1]) },
      i: { dtype: 'I32', shape: [1], data: new Int32Array([1]) },
      d: { dtype: 'F64', shape: [1], data: new Float64Array([1]) },
      l: { dtype: 'I64', shape: [1], data: new BigInt64Array([1n]) },
      '10': { dtype: 'F32', shape: [1], data: f32([1]) },
      '2': { dtype: 'F32', shape: [1], data: f32([1]) },
    }, { k: 'v' });
    const { json, tensors } = independentRead(file);
    const order = [...tensors.entries()].sort((x, y) => x[1].begin - y[1].begin).map(([n]) => n);
    expect(order).toEqual(['l', 'd', '10', '2', 'a', 'z', 'i', 'b']);
    // The header lists __metadata__ first, then the tensors in the same order (even integer-like names).
    const keys = [...json.matchAll(/"([^"]+)":\{/g)].map((m) => m[1]);
    expect(keys).toEqual(['__metadata__', 'l', 'd', '10', '2', 'a', 'z', 'i', 'b']);
  });

  it("matches the reference implementation's bytes for its documented examples", () => {
    const u64 = (n: number) => [n, 0, 0, 0, 0, 0, 0, 0];
    const ascii = (s: string) => [...Buffer.from(s, 'utf8')];
    // No tensors: "{}" padded to 8.
    expect([...encodeSafetensors({})]).toEqual([...u64(8), ...ascii('{}      ')]);
    // Metadata only.
    const meta = '{"__metadata__":{"framework":"pt"}}';
    expect([...encodeSafetensors({}, { framework: 'pt' })]).toEqual([...u64(40), ...ascii(meta.padEnd(40, ' '))]);
    // One F32 tensor; the JSON happens to be 64 bytes, so no padding.
    const data = f32([0, 1, 2, 3, 4, 5]);
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(json.length).toBe(64);
    expect([...encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data } })]).toEqual([...u64(64), ...ascii(json), ...leBytes(data)]);
    // A shorter name: 7 spaces of padding.
    const json2 = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect([...encodeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data } })]).toEqual([...u64(72), ...ascii(json2.padEnd(72, ' ')), ...leBytes(data)]);
  });

  it('decodes files laid out differently from its own (any order, unpadded header)', () => {
    const a = f32([1, 2]);
    const b = new Int32Array([7]);
    const json = JSON.stringify({ b: { dtype: 'I32', shape: [1], data_offsets: [0, 4] }, a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } });
    const file = craft(json, concat(leBytes(b), leBytes(a)));
    const back = decodeSafetensors(file);
    expect([...back.tensors.a!.data]).toEqual([1, 2]);
    expect([...back.tensors.b!.data]).toEqual([7]);
    expect(back.metadata).toEqual({});
  });

  it('accepts raw little-endian bytes for any dtype and a DataView', () => {
    const values = new Float64Array([1.5, -2, Number.NaN]);
    const viaTyped = encodeSafetensors({ x: { dtype: 'F64', shape: [3], data: values } });
    const viaBytes = encodeSafetensors({ x: { dtype: 'F64', shape: [3], data: leBytes(values) } });
    const viaView = encodeSafetensors({ x: { dtype: 'F64', shape: [3], data: new DataView(leBytes(values).buffer) } });
    expect(viaBytes).toEqual(viaTyped);
    expect(viaView).toEqual(viaTyped);
    // A subarray view is read from its own offset.
    const big = new Float32Array([9, 9, 1, 2, 9]);
    const back = decodeSafetensors(encodeSafetensors({ y: { dtype: 'F32', shape: [2], data: big.subarray(2, 4) } }));
    expect([...back.tensors.y!.data]).toEqual([1, 2]);
  });

  it('keeps names with dots, spaces, quotes and non-ASCII characters', () => {
    const names = ['0.weight', '0.bias', 'layers.10.attn.q_proj.weight', 'with space', 'quote"and\\slash', 'ünï✓', '__proto__', 'constructor', ''];
    const input: Record<string, SafetensorsTensorInput> = {};
    names.forEach((n, i) => Object.defineProperty(input, n, { value: { dtype: 'F32', shape: [1], data: f32([i]) }, enumerable: true }));
    const file = encodeSafetensors(input);
    independentRead(file);
    const back = decodeSafetensors(file);
    expect(Object.keys(back.tensors).sort()).toEqual([...names].sort());
    names.forEach((n, i) => expect(back.tensors[n]!.data[0]).toBe(i));
    expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
  });

  it('narrows the data type on the dtype', () => {
    const back = decodeSafetensors(encodeSafetensors({ s: { dtype: 'I64', shape: [], data: new BigInt64Array([5n]) } }));
    const t: DecodedTensor = back.tensors.s!;
    if (t.dtype === 'I64') {
      const v: bigint = t.data[0]!;
      expect(v).toBe(5n);
    } else {
      expect.unreachable();
    }
  });

  describe('refuses bad input when encoding, naming the tensor or key', () => {
    const cases: [string, () => unknown, RegExp][] = [
      ['an unsupported dtype', () => encodeSafetensors({ w: { dtype: 'F16' as 'F32', shape: [1], data: new Uint8Array(2) } }), /tensor "w": dtype F16 is not supported; expected one of F32, F64, I32, I64, U8/],
      ['an unknown dtype', () => encodeSafetensors({ w: { dtype: 'float32' as 'F32', shape: [1], data: f32([1]) } }), /tensor "w": unknown dtype "float32"/],
      ['a typed array of another dtype', () => encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float64Array([1]) } }), /tensor "w": data is a Float64Array but dtype F32 takes a Float32Array/],
      ['data of the wrong length', () => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data: f32([1, 2]) } }), /tensor "w": shape \[2, 3\] of F32 takes 24 bytes \(6 × 4\) but data has 8/],
      ['a bad shape', () => encodeSafetensors({ w: { dtype: 'F32', shape: [-1], data: f32([]) } }), /tensor "w": shape must be an array of non-negative integers, got \[-1\]/],
      ['a fractional shape', () => encodeSafetensors({ w: { dtype: 'F32', shape: [1.5], data: f32([]) } }), /shape must be an array of non-negative integers/],
      ['data that is not a view', () => encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: [1] as unknown as Float32Array } }), /tensor "w": data must be a typed array or DataView, got an array/],
      ['a tensor called __metadata__', () => encodeSafetensors({ __metadata__: { dtype: 'F32', shape: [1], data: f32([1]) } }), /"__metadata__" is reserved/],
      ['a number in the metadata', () => encodeSafetensors({}, { epoch: 3 as unknown as string }), /metadata "epoch" is number 3; metadata values must be strings/],
      ['null in the metadata', () => encodeSafetensors({}, { best: null as unknown as string }), /metadata "best" is null; metadata values must be strings/],
      ['metadata that is not a record', () => encodeSafetensors({}, 'x' as unknown as Record<string, string>), /metadata must be a record of strings/],
    ];
    for (const [what, run, message] of cases) {
      it(what, () => {
        expect(run).toThrow(message);
        expect(run).toThrow(/^encodeSafetensors: /);
      });
    }
  });

  describe('refuses malformed files with an error naming the source and the problem', () => {
    const good = encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: f32([1, 2]) }, b: { dtype: 'F32', shape: [1], data: f32([3]) } }, { k: 'v' });
    const entry = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });
    const cases: [string, Uint8Array, RegExp][] = [
      ['an empty file', new Uint8Array(0), /the file is 0 bytes long, too short for the 8-byte header length/],
      ['a 5-byte file', new Uint8Array(5), /the file is 5 bytes long, too short for the 8-byte header length/],
      ['a file truncated inside the header', good.subarray(0, 20), /the header length \d+ runs past the end of the file \(8 \+ \d+ bytes needed, the file has 20\)/],
      ['a header length of 2^64 - 1', concat(new Uint8Array(8).fill(0xff), new Uint8Array(8)), /the header length 18446744073709551615 runs past the end of the file/],
      ['a header that is not UTF-8', craftBytes(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), new Uint8Array(0)), /the header is not valid UTF-8/],
      ['a header that is not JSON', craft('{"a": {"dtype": "F32",', new Uint8Array(0)), /the header is not valid JSON \(/],
      ['a header with a byte order mark', craft('\ufeff{}', new Uint8Array(0)), /the header is not valid JSON/],
      ['a header that is an array', craft('[1, 2]', new Uint8Array(0)), /the header must be a JSON object, got an array/],
      ['a header that is null', craft('null', new Uint8Array(0)), /the header must be a JSON object, got null/],
      ['a header that is a number', craft('42', new Uint8Array(0)), /the header must be a JSON object, got number 42/],
      ['metadata with a number', craft({ __metadata__: { epoch: 3 } }, new Uint8Array(0)), /__metadata__ "epoch" is number 3; metadata values must be strings/],
      ['metadata with an object', craft({ __metadata__: { spec: { a: 1 } } }, new Uint8Array(0)), /__metadata__ "spec" is an object; metadata values must be strings/],
      ['metadata that is an array', craft({ __metadata__: ['a'] }, new Uint8Array(0)), /__metadata__ must be an object of strings, got an array/],
      ['an unknown dtype', craft({ w: entry('F17', [1], [0, 4]) }, new Uint8Array(4)), /tensor "w": unknown dtype "F17"; safetensors dtypes are BOOL, U8/],
      ['a missing dtype', craft({ w: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "w": unknown dtype \(missing\)/],
      ['a known dtype this module does not read', craft({ w: entry('F16', [2], [0, 4]) }, new Uint8Array(4)), /tensor "w": dtype F16 is not supported here; supported: F32, F64, I32, I64, U8/],
      ['a tensor entry that is not an object', craft({ w: 7 }, new Uint8Array(0)), /tensor "w": expected \{dtype, shape, data_offsets\}, got number 7/],
      ['a negative dimension', craft({ w: entry('F32', [-1], [0, 4]) }, new Uint8Array(4)), /tensor "w": shape must be an array of non-negative integers, got \[-1\]/],
      ['a fractional dimension', craft({ w: entry('F32', [0.5], [0, 4]) }, new Uint8Array(4)), /shape must be an array of non-negative integers, got \[0.5\]/],
      ['a missing shape', craft({ w: { dtype: 'F32', data_offsets: [0, 4] } }, new Uint8Array(4)), /shape must be an array of non-negative integers, got \(missing\)/],
      ['offsets that are not a pair', craft({ w: entry('F32', [1], [0]) }, new Uint8Array(4)), /tensor "w": data_offsets must be \[begin, end\] with non-negative integers, got \[0\]/],
      ['offsets that end before they begin', craft({ w: entry('F32', [0], [4, 0]) }, new Uint8Array(4)), /tensor "w": data_offsets \[4, 0\] end before they begin/],
      ['shape × itemsize ≠ the offsets', craft({ w: entry('F32', [2, 3], [0, 20]) }, new Uint8Array(20)), /tensor "w": shape \[2, 3\] of F32 takes 24 bytes \(6 × 4\) but data_offsets \[0, 20\] span 20/],
      ['offsets past the end of the data', craft({ w: entry('F32', [2], [0, 8]) }, new Uint8Array(4)), /tensor "w": data_offsets \[0, 8\] are out of range: the data after the header has 4 bytes/],
      ['a file truncated inside the data', good.subarray(0, good.length - 1), /tensor "b": data_offsets \[8, 12\] are out of range: the data after the header has 11 bytes/],
      ['a hole at the start of the data', craft({ w: entry('F32', [1], [4, 8]) }, new Uint8Array(8)), /bytes 0\.\.4 of the data belong to no tensor \(a hole before tensor "w"\)/],
      ['a hole between tensors', craft({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [8, 12]) }, new Uint8Array(12)), /bytes 4\.\.8 of the data belong to no tensor \(a hole before tensor "b"\)/],
      ['overlapping tensors', craft({ a: entry('F32', [2], [0, 8]), b: entry('F32', [1], [4, 8]) }, new Uint8Array(8)), /tensor "b" \(data_offsets \[4, 8\]\) overlaps tensor "a" \(data_offsets \[0, 8\]\)/],
      ['two tensors on the same bytes', craft({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [0, 4]) }, new Uint8Array(4)), /overlaps tensor/],
      ['an empty tensor inside another', craft({ a: entry('F32', [2], [0, 8]), e: entry('F32', [0], [4, 4]) }, new Uint8Array(8)), /tensor "e" \(data_offsets \[4, 4\]\) overlaps tensor "a"/],
      ['trailing bytes after the last tensor', concat(good, new Uint8Array(4)), /4 trailing bytes after the last tensor: the tensors cover 12 bytes but the data after the header has 16/],
      ['data but no tensors', craft({}, new Uint8Array(1)), /1 trailing byte after the last tensor: the tensors cover 0 bytes/],
    ];
    for (const [what, file, message] of cases) {
      it(what, () => {
        let error: unknown;
        try {
          decodeSafetensors(file, 'ckpt.safetensors');
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(FileFormatError);
        expect((error as Error).message).toMatch(/^decodeSafetensors\(ckpt\.safetensors\): /);
        expect((error as Error).message).toMatch(message);
        expect((error as FileFormatError).path).toBe('ckpt.safetensors');
        expect((error as FileFormatError).fn).toBe('decodeSafetensors');
      });
    }

    it('refuses every truncation of a valid file', () => {
      for (let len = 0; len < good.length; len++) {
        expect(() => decodeSafetensors(good.subarray(0, len), 'cut')).toThrow(FileFormatError);
      }
    });

    it('refuses or faithfully reads every single-byte corruption of the header', () => {
      const headerEnd = 8 + Number(new DataView(good.buffer).getBigUint64(0, true));
      for (let i = 0; i < headerEnd; i++) {
        for (const flip of [0x01, 0x20, 0x80]) {
          const bad = good.slice();
          bad[i]! ^= flip;
          let back: ReturnType<typeof decodeSafetensors> | null = null;
          try {
            back = decodeSafetensors(bad, 'flip');
          } catch (e) {
            expect(e).toBeInstanceOf(FileFormatError);
            continue;
          }
          // A change that still parses (a renamed key, a metadata letter) must still describe
          // data that tiles the file exactly; nothing is read from outside it.
          const total = Object.values(back.tensors).reduce((s, t) => s + t.data.byteLength, 0);
          expect(total).toBe(bad.length - headerEnd);
        }
      }
    });
  });
});

describe('core tensors', () => {
  it('tensorsFromCore → encode → decode → toCoreTensors keeps values, shapes and dtypes; no copy at either end', () => {
    const w = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([0.5, -0.5], { dtype: 'float64' });
    const s = tensor(7);
    const described = tensorsFromCore({ '0.weight': w, '0.bias': b, scalar: s });
    expect(described['0.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data: w.data });
    expect(described['0.weight']!.data).toBe(w.data);
    expect(described['0.bias']!.dtype).toBe('F64');
    expect(described.scalar!.shape).toEqual([]);
    const decoded = decodeSafetensors(encodeSafetensors(described));
    const core = toCoreTensors(decoded);
    expect(core['0.weight']).toBeInstanceOf(Tensor);
    expect(core['0.weight']!.shape).toEqual([2, 3]);
    expect(core['0.weight']!.dtype).toBe('float32');
    expect([...core['0.weight']!.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(core['0.bias']!.dtype).toBe('float64');
    expect([...core['0.bias']!.data]).toEqual([0.5, -0.5]);
    expect(core.scalar!.shape).toEqual([]);
    expect(core['0.weight']!.data).toBe(decoded.tensors['0.weight']!.data);
    // The record of tensors works as well as the whole result.
    expect(Object.keys(toCoreTensors(decoded.tensors))).toEqual(Object.keys(core));
  });

  it('refuses non-float tensors and non-tensors by name', () => {
    const decoded = decodeSafetensors(encodeSafetensors({ n: { dtype: 'I32', shape: [1], data: new Int32Array([1]) } }));
    expect(() => toCoreTensors(decoded)).toThrow('toCoreTensors: tensor "n" is I32; only F32 and F64 tensors become core Tensors');
    expect(() => tensorsFromCore({ x: new Float32Array(1) as unknown as Tensor })).toThrow('tensorsFromCore: "x" is not a Tensor');
    const unshared = { x: { dtype: 'F32', shape: [1], data: new Float32Array(1) } as DecodedTensor };
    expect(() => toCoreTensors(unshared)).toThrow(/"x" is not over a SharedArrayBuffer/);
  });
});

describe('saveSafetensors / loadSafetensors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'actorgrad-safetensors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tensors = { '0.weight': { dtype: 'F32' as const, shape: [2], data: f32([1, 2]) } };

  it('saves and loads, async and sync', async () => {
    const p = join(dir, 'a.safetensors');
    await saveSafetensors(p, tensors, { epoch: '1' });
    independentRead(readFileSync(p));
    const back = await loadSafetensors(p);
    expect([...back.tensors['0.weight']!.data]).toEqual([1, 2]);
    expect(back.metadata).toEqual({ epoch: '1' });
    const q = join(dir, 'b.safetensors');
    saveSafetensorsSync(q, tensors, { epoch: '2' });
    expect(readFileSync(q)).toEqual(Buffer.from(encodeSafetensors(tensors, { epoch: '2' })));
    expect(loadSafetensorsSync(q).metadata).toEqual({ epoch: '2' });
  });

  it('names the path in every error', async () => {
    const missing = join(dir, 'missing.safetensors');
    await expect(loadSafetensors(missing)).rejects.toThrow(`loadSafetensors(${missing}): cannot read the file: ENOENT`);
    expect(() => loadSafetensorsSync(missing)).toThrow(`loadSafetensorsSync(${missing}): cannot read the file`);
    const corrupt = join(dir, 'corrupt.safetensors');
    writeFileSync(corrupt, encodeSafetensors(tensors).subarray(0, 30));
    await expect(loadSafetensors(corrupt)).rejects.toThrow(`loadSafetensors(${corrupt}): the header length`);
    await expect(saveSafetensors(join(dir, 'x.safetensors'), { w: { dtype: 'F32', shape: [3], data: f32([1]) } })).rejects.toThrow(
      /^saveSafetensors\(.*x\.safetensors\): tensor "w": shape \[3\] of F32 takes 12 bytes/,
    );
    const nowhere = join(dir, 'no-such-dir', 'c.safetensors');
    await expect(saveSafetensors(nowhere, tensors)).rejects.toThrow(`saveSafetensors(${nowhere}): cannot write the file:`);
  });

  it('a failed save leaves the previous checkpoint intact and loadable', async () => {
    const p = join(dir, 'ckpt.safetensors');
    await saveSafetensors(p, tensors, { epoch: '3' });
    const before = readFileSync(p);
    const fail = () => {
      throw new Error('disk full');
    };
    await expect(saveSafetensors(p, { '0.weight': { dtype: 'F32', shape: [2], data: f32([9, 9]) } }, { epoch: '4' }, { _hook: fail })).rejects.toThrow(/disk full/);
    expect(readFileSync(p)).toEqual(before);
    expect((await loadSafetensors(p)).metadata).toEqual({ epoch: '3' });
  });
});

// ---------------------------------------------------------------------------------------------

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A file with the given header (an object or JSON text, not padded) and data. */
function craft(header: string | object, data: Uint8Array): Uint8Array {
  return craftBytes(Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8'), data);
}

function craftBytes(header: Uint8Array, data: Uint8Array): Uint8Array {
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(header.length), true);
  return concat(len, header, data);
}

// ---------------------------------------------------------------------------------------------
// Checksums, checked against the module documentation's definition, recomputed here from the
// independent reader's pieces.

const hex = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const ns = (x: string) => `${Buffer.byteLength(x)}:${x}`;
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function documentedHeaderDigest(file: Uint8Array): string {
  const { header, tensors } = independentRead(file);
  const meta = (header.__metadata__ ?? {}) as Record<string, string>;
  let text = '';
  for (const k of Object.keys(meta).sort(utf8Order)) if (k !== 'actorgrad.checksums') text += `m${ns(k)}${ns(meta[k]!)}`;
  for (const name of [...tensors.keys()].sort(utf8Order)) {
    const t = tensors.get(name)!;
    text += `t${ns(name)}${ns(t.dtype)}${ns(t.shape.join(','))}${ns(`${t.begin},${t.end}`)}`;
  }
  return hex(text);
}

describe('checksums', () => {
  const tensors: Record<string, SafetensorsTensorInput> = {
    '0.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    '10.bias': { dtype: 'F64', shape: [2], data: new Float64Array([-1, 0.5]) },
    'é n': { dtype: 'I64', shape: [], data: new BigInt64Array([7n]) },
  };
  const metadata = { note: 'abc', 'ünï': 'côdé' };

  it('stores SHA-256 digests of each tensor and of the canonical header, as documented', () => {
    const file = encodeSafetensors(tensors, metadata, { checksums: true });
    const { header, tensors: raw } = independentRead(file);
    const meta = header.__metadata__ as Record<string, string>;
    expect(Object.keys(meta)).toEqual(['note', 'ünï', CHECKSUMS_KEY]);
    const sums = JSON.parse(meta[CHECKSUMS_KEY]!) as { algorithm: string; header: string; tensors: Record<string, string> };
    expect(sums.algorithm).toBe('sha256');
    expect(sums.header).toBe(documentedHeaderDigest(file));
    expect(Object.keys(sums.tensors).sort()).toEqual(['0.weight', '10.bias', 'é n']);
    for (const [name, t] of raw) expect(sums.tensors[name]).toBe(hex(t.bytes));
    const back = decodeSafetensors(file);
    expect(Array.from(back.tensors['0.weight']!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back.metadata.note).toBe('abc');
  });

  it('refuses a changed data byte, naming the source and the tensor', () => {
    const file = encodeSafetensors(tensors, metadata, { checksums: true });
    const { headerLength, tensors: raw } = independentRead(file);
    const bias = raw.get('10.bias')!;
    file[8 + headerLength + bias.begin + 3]! ^= 0x10;
    expect(() => decodeSafetensors(file, 'w.safetensors')).toThrow(
      /^decodeSafetensors\(w\.safetensors\): tensor "10\.bias": checksum mismatch \(sha256 [0-9a-f]{64} expected, [0-9a-f]{64} found\); the file is corrupted$/,
    );
    // Without checksums the same change goes unnoticed: the check is what catches it.
    const plain = encodeSafetensors(tensors, metadata);
    const p = independentRead(plain);
    plain[8 + p.headerLength + p.tensors.get('10.bias')!.begin + 3]! ^= 0x10;
    expect(decodeSafetensors(plain).tensors['10.bias']!.data[0]).not.toBe(-1);
  });

  it('refuses a changed metadata value or shape that still parses (header checksum)', () => {
    const file = encodeSafetensors(tensors, metadata, { checksums: true });
    const at = Buffer.from(file).indexOf('"abc"');
    file[at + 3] = 'd'.charCodeAt(0);
    expect(() => decodeSafetensors(file, 'm')).toThrow(/^decodeSafetensors\(m\): header checksum mismatch \(sha256 [0-9a-f]{64} expected, [0-9a-f]{64} found\)/);
    // A [2,3] F32 tensor read as [3,2] has the same size and bytes: only the header digest sees it.
    const shaped = encodeSafetensors(tensors, metadata, { checksums: true });
    const s = Buffer.from(shaped).indexOf('"shape":[2,3]');
    shaped.set(Buffer.from('"shape":[3,2]'), s);
    expect(() => decodeSafetensors(shaped, 's')).toThrow(/header checksum mismatch/);
  });

  it('refuses a damaged checksums entry and drops a stale one given as metadata', () => {
    const bad = encodeSafetensors(tensors, metadata, { checksums: true });
    bad.set(Buffer.from('sha257'), Buffer.from(bad).indexOf('sha256'));
    expect(() => decodeSafetensors(bad, 'b')).toThrow(/^decodeSafetensors\(b\): __metadata__ "actorgrad\.checksums" names the algorithm "sha257", expected "sha256"; the file is corrupted$/);
    const stale = decodeSafetensors(encodeSafetensors(tensors, metadata, { checksums: true })).metadata;
    const plain = encodeSafetensors({ w: tensors['0.weight']! }, stale);
    expect(Object.keys(decodeSafetensors(plain).metadata)).toEqual(['note', 'ünï']);
    const fresh = encodeSafetensors({ w: tensors['0.weight']! }, stale, { checksums: true });
    expect(decodeSafetensors(fresh).metadata[CHECKSUMS_KEY]).not.toBe(stale[CHECKSUMS_KEY]);
  });
});

describe('loadSafetensorsMetadata', () => {
  const dir = mkdtempSync(join(tmpdir(), 'actorgrad-safetensors-meta-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const t = { w: { dtype: 'F32' as const, shape: [4], data: new Float32Array([1, 2, 3, 4]) } };

  it('reads the metadata and verifies the header alone', async () => {
    const path = join(dir, 'a.safetensors');
    await saveSafetensors(path, t, { id: '17' }, { checksums: true });
    expect((await loadSafetensorsMetadata(path)).id).toBe('17');
    const bytes = readFileSync(path);
    bytes[bytes.indexOf('"17"') + 2] = '8'.charCodeAt(0);
    writeFileSync(path, bytes);
    await expect(loadSafetensorsMetadata(path)).rejects.toThrow(/^loadSafetensorsMetadata\(.*a\.safetensors\): header checksum mismatch/);
    writeFileSync(path, bytes.subarray(0, 20));
    await expect(loadSafetensorsMetadata(path)).rejects.toThrow(/^loadSafetensorsMetadata\(.*a\.safetensors\): the header length \d+ runs past the end of the file/);
    await expect(loadSafetensorsMetadata(join(dir, 'none'))).rejects.toThrow(/^loadSafetensorsMetadata\(.*none\): cannot read the file: ENOENT/);
  });
});
