/**
 * The safetensors file format (https://github.com/huggingface/safetensors), written and read
 * without dependencies so checkpoints open in PyTorch (`safetensors.torch.load_file`) and
 * PyTorch's files open here.
 *
 * ## Layout
 *
 * ```text
 * bytes 0..8        N, the header length: an unsigned 64-bit little-endian integer
 * bytes 8..8+N      the header: UTF-8 JSON, an object
 *                     {"__metadata__": {"key": "value", …},            (optional, strings only)
 *                      "0.weight": {"dtype": "F32", "shape": [256, 784], "data_offsets": [0, 802816]},
 *                      …}
 *                   padded at the end with spaces (0x20) so that 8 + N is a multiple of 8
 * bytes 8+N..end    the data: every tensor's elements, row-major (C order), little-endian
 * ```
 *
 * `data_offsets` `[begin, end)` count bytes from the start of the data (not of the file). The
 * tensors tile the data exactly: sorted by offset, each begins where the previous one ends, the
 * first at 0 and the last at the end of the file — no holes, no overlaps, no trailing bytes — and
 * `end - begin` is the product of the shape (1 for the shape `[]` of a scalar) times the size of
 * the dtype. The format's dtypes are BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32,
 * U32, F32, F64, I64 and U64; this module reads and writes F32, F64, I32, I64 and U8 and refuses
 * the others by name.
 *
 * The encoder does what the reference implementation does: tensors are laid out by descending
 * dtype alignment (I64, F64, F32, I32, U8), then by name in byte order, `__metadata__` comes first
 * in the header, the JSON is compact, and the header is padded with spaces so the data starts
 * 8-byte aligned. The decoder validates everything above and refuses a file with a
 * {@link FileFormatError} that names the file and the problem.
 *
 * ## Checksums
 *
 * With `{checksums: true}` the encoder adds one `__metadata__` entry, {@link CHECKSUMS_KEY}
 * (`actorgrad.checksums`), whose value is the JSON string
 * `{"algorithm":"sha256","header":"<hex>","tensors":{"<name>":"<hex>",…}}`:
 *
 * - `tensors[name]`: the SHA-256 of the tensor's bytes as stored, `data_offsets` `[begin, end)`
 *   of the data (little-endian elements);
 * - `header`: the SHA-256 of the header in a canonical form that does not depend on the JSON's
 *   formatting or key order — the UTF-8 bytes of, concatenated:
 *   for every `__metadata__` entry except `actorgrad.checksums`, sorted by the UTF-8 bytes of its
 *   key, `m` ns(key) ns(value); then for every tensor, sorted by the UTF-8 bytes of its name,
 *   `t` ns(name) ns(dtype) ns(the shape's dimensions joined by `,`) ns(`begin,end`); where ns(s)
 *   is the decimal number of UTF-8 bytes of s, `:`, and s (e.g. ns("0.bias") = `6:0.bias`).
 *
 * The decoder verifies both whenever the entry is present (the header first) and refuses a
 * mismatch with a {@link FileFormatError} naming the file and the tensor; files without the
 * entry (PyTorch's, older ones) load unverified. Other readers see one more metadata string.
 * SHA-256 because `node:crypto` has it (hardware-accelerated, ~1–2 GB/s) and every language's
 * standard library can check it (Python: `hashlib.sha256`); Node 20 has no CRC32C or xxHash.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { Tensor } from '@actorgrad/core';
import { type Fail, FileFormatError, failer, plural } from './errors.js';
import { type WriteFileAtomicOptions, writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';

/** The dtypes this module reads and writes. */
export type SafetensorsDType = 'F32' | 'F64' | 'I32' | 'I64' | 'U8';

/** The typed array that holds the elements of each supported dtype. */
export interface SafetensorsArrayOf {
  F32: Float32Array;
  F64: Float64Array;
  I32: Int32Array;
  I64: BigInt64Array;
  U8: Uint8Array;
}

export type SafetensorsArray = SafetensorsArrayOf[SafetensorsDType];

/**
 * A tensor to write. `data` holds the elements row-major: either the dtype's own typed array
 * (`Float32Array` for F32, `Float64Array` for F64, `Int32Array` for I32, `BigInt64Array` for I64,
 * `Uint8Array` for U8) or, for any dtype, the raw little-endian bytes as a `Uint8Array` or
 * `DataView`. Its byte length must be the product of `shape` times the dtype's size.
 */
export interface SafetensorsTensorInput {
  dtype: SafetensorsDType;
  shape: readonly number[];
  data: ArrayBufferView;
}

/** A tensor read from a file; narrowing on `dtype` gives the type of `data`. */
export type DecodedTensor = {
  [D in SafetensorsDType]: { dtype: D; shape: number[]; data: SafetensorsArrayOf[D] };
}[SafetensorsDType];

export interface DecodedSafetensors {
  /** The tensors by name, in the order of their data in the file (except that JS lists integer-like names first). */
  tensors: Record<string, DecodedTensor>;
  /** The `__metadata__` map (empty when the file has none). */
  metadata: Record<string, string>;
}

/** The reference implementation's limit on the header length (100 MB). */
export const MAX_HEADER_LENGTH = 100_000_000;

/**
 * Every dtype of the format with its element size and its rank in the reference implementation's
 * `Dtype` enum (declared in increasing alignment; the writer lays tensors out by descending rank).
 */
const FORMAT_DTYPES: Record<string, { size: number; rank: number }> = {
  BOOL: { size: 1, rank: 0 },
  U8: { size: 1, rank: 1 },
  I8: { size: 1, rank: 2 },
  F8_E5M2: { size: 1, rank: 3 },
  F8_E4M3: { size: 1, rank: 4 },
  I16: { size: 2, rank: 5 },
  U16: { size: 2, rank: 6 },
  F16: { size: 2, rank: 7 },
  BF16: { size: 2, rank: 8 },
  I32: { size: 4, rank: 9 },
  U32: { size: 4, rank: 10 },
  F32: { size: 4, rank: 11 },
  F64: { size: 8, rank: 12 },
  I64: { size: 8, rank: 13 },
  U64: { size: 8, rank: 14 },
};

type ArrayCtor = { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): SafetensorsArray; name: string };

const SUPPORTED: Record<SafetensorsDType, ArrayCtor> = {
  F32: Float32Array,
  F64: Float64Array,
  I32: Int32Array,
  I64: BigInt64Array,
  U8: Uint8Array,
};

const SUPPORTED_LIST = Object.keys(SUPPORTED).join(', ');

function isSupported(dtype: string): dtype is SafetensorsDType {
  return Object.hasOwn(SUPPORTED, dtype);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `size`-byte element in place (only used on big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** Defines an own, enumerable property (safe for names such as `__proto__`). */
function put<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const utf8 = new TextEncoder();

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'object') return 'an object';
  if (typeof x === 'string') return `the string ${JSON.stringify(x)}`;
  return `${typeof x} ${String(x)}`;
}

/** The safetensors dtype of a typed array, or null for an array type the format has no name for here. */
export function safetensorsDTypeOf(data: ArrayBufferView): SafetensorsDType | null {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof BigInt64Array) return 'I64';
  if (data instanceof Uint8Array) return 'U8';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** The `__metadata__` key of the checksums (see "Checksums" in the module documentation). */
export const CHECKSUMS_KEY = 'actorgrad.checksums';

export interface SafetensorsEncodeOptions {
  /**
   * Adds SHA-256 checksums of every tensor's bytes and of the header under {@link CHECKSUMS_KEY}
   * (see the module documentation), verified by the decoder. Default false.
   */
  checksums?: boolean;
}

/**
 * Serialises tensors and string metadata as a safetensors file (see the module documentation
 * for the layout). Names may be any string except `__metadata__` (dots are fine: `0.weight`).
 * Throws a `TypeError`/`RangeError` naming the tensor or metadata key for an unsupported dtype,
 * a bad shape, data of the wrong type or length, or a metadata value that is not a string.
 * A {@link CHECKSUMS_KEY} entry in `metadata` is dropped (it could not match the new file);
 * `{checksums: true}` writes a fresh one.
 */
export function encodeSafetensors(
  tensors: Record<string, SafetensorsTensorInput>,
  metadata?: Record<string, string>,
  options: SafetensorsEncodeOptions = {},
): Uint8Array {
  return encode(tensors, metadata, 'encodeSafetensors', options);
}

type EncodeEntry = { name: string; key: Uint8Array; dtype: SafetensorsDType; shape: number[]; bytes: Uint8Array; raw: boolean };

function encode(
  tensors: Record<string, SafetensorsTensorInput>,
  metadata: Record<string, string> | undefined,
  fn: string,
  options: SafetensorsEncodeOptions = {},
): Uint8Array {
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors)) {
    throw new TypeError(`${fn}: tensors must be a record of {dtype, shape, data}, got ${describe(tensors)}`);
  }
  const entries: EncodeEntry[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const where = `${fn}: tensor ${JSON.stringify(name)}`;
    if (name === '__metadata__') throw new TypeError(`${fn}: "__metadata__" is reserved for the metadata and cannot name a tensor`);
    if (t === null || typeof t !== 'object') throw new TypeError(`${where} must be {dtype, shape, data}, got ${describe(t)}`);
    const { dtype, shape, data } = t;
    if (typeof dtype !== 'string' || !isSupported(dtype)) {
      const known = typeof dtype === 'string' && Object.hasOwn(FORMAT_DTYPES, dtype);
      throw new TypeError(`${where}: ${known ? `dtype ${dtype} is not supported` : `unknown dtype ${JSON.stringify(dtype)}`}; expected one of ${SUPPORTED_LIST}`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new TypeError(`${where}: shape must be an array of non-negative integers, got ${Array.isArray(shape) ? JSON.stringify(shape) : describe(shape)}`);
    }
    if (!ArrayBuffer.isView(data)) throw new TypeError(`${where}: data must be a typed array or DataView, got ${describe(data)}`);
    const own = SUPPORTED[dtype];
    const raw = data instanceof DataView || (data instanceof Uint8Array && dtype !== 'U8');
    if (!raw && !(data instanceof own)) {
      throw new TypeError(`${where}: data is a ${data.constructor.name} but dtype ${dtype} takes a ${own.name} (or its raw bytes as a Uint8Array)`);
    }
    const size = FORMAT_DTYPES[dtype]!.size;
    const count = shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(count * size)) throw new RangeError(`${where}: shape ${fmtShape(shape)} is too large`);
    if (data.byteLength !== count * size) {
      throw new RangeError(
        `${where}: shape ${fmtShape(shape)} of ${dtype} takes ${count * size} bytes (${count} × ${size}) but data has ${data.byteLength}`,
      );
    }
    entries.push({ name, key: utf8.encode(name), dtype, shape: [...shape], bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), raw });
  }
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new TypeError(`${fn}: metadata must be a record of strings, got ${describe(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string') throw new TypeError(`${fn}: metadata ${JSON.stringify(k)} is ${describe(v)}; metadata values must be strings`);
  }

  // Descending alignment, then names in Rust's `String` order (the bytes of their UTF-8).
  entries.sort((a, b) => FORMAT_DTYPES[b.dtype]!.rank - FORMAT_DTYPES[a.dtype]!.rank || Buffer.compare(a.key, b.key));
  const layout: Entry[] = [];
  let offset = 0;
  for (const e of entries) {
    layout.push({ name: e.name, dtype: e.dtype, shape: e.shape, begin: offset, end: offset + e.bytes.length });
    offset += e.bytes.length;
  }
  let meta = metadata;
  if (meta !== undefined && Object.hasOwn(meta, CHECKSUMS_KEY)) meta = Object.fromEntries(Object.entries(meta).filter(([k]) => k !== CHECKSUMS_KEY));
  if (options.checksums) meta = { ...meta, [CHECKSUMS_KEY]: checksumsEntry(meta ?? {}, layout, entries) };
  // The JSON is assembled by hand: a JS object would move integer-like names ("0", "1") first.
  const parts: string[] = [];
  if (meta !== undefined) {
    parts.push(`"__metadata__":{${Object.entries(meta).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  }
  for (const e of layout) {
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.shape.join(',')}],"data_offsets":[${e.begin},${e.end}]}`);
  }
  const json = utf8.encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const e of entries) {
    out.set(e.bytes, at);
    // Raw bytes are little-endian already; typed arrays are in the host's order.
    if (!LITTLE_ENDIAN && !e.raw) swapBytes(out.subarray(at, at + e.bytes.length), FORMAT_DTYPES[e.dtype]!.size);
    at += e.bytes.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checksums

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** ns(s) of the module documentation: the UTF-8 byte length of `s`, `:`, and `s`. */
const ns = (s: string): string => `${Buffer.byteLength(s, 'utf8')}:${s}`;

const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The SHA-256 of the canonical header (see "Checksums" in the module documentation). */
function headerDigest(metadata: Record<string, string>, entries: readonly Entry[]): string {
  const parts: string[] = [];
  for (const k of Object.keys(metadata).sort(byUtf8)) if (k !== CHECKSUMS_KEY) parts.push(`m${ns(k)}${ns(metadata[k]!)}`);
  for (const e of [...entries].sort((a, b) => byUtf8(a.name, b.name))) {
    parts.push(`t${ns(e.name)}${ns(e.dtype)}${ns(e.shape.join(','))}${ns(`${e.begin},${e.end}`)}`);
  }
  return sha256(parts.join(''));
}

/** The value of the {@link CHECKSUMS_KEY} entry for tensors laid out as `layout`. */
function checksumsEntry(metadata: Record<string, string>, layout: readonly Entry[], entries: readonly EncodeEntry[]): string {
  const tensors: Record<string, string> = {};
  for (const e of entries) {
    let stored = e.bytes;
    if (!LITTLE_ENDIAN && !e.raw) {
      stored = e.bytes.slice();
      swapBytes(stored, FORMAT_DTYPES[e.dtype]!.size);
    }
    put(tensors, e.name, sha256(stored));
  }
  return JSON.stringify({ algorithm: 'sha256', header: headerDigest(metadata, layout), tensors });
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks the {@link CHECKSUMS_KEY} entry, if any, against the header; returns the tensors'
 * expected digests (null for a file without checksums). Data is checked by {@link verifyTensors}.
 */
function verifyHeader(metadata: Record<string, string>, entries: readonly Entry[], fail: Fail): Map<string, string> | null {
  const raw = metadata[CHECKSUMS_KEY];
  if (raw === undefined) return null;
  const bad = (why: string): never => fail(`__metadata__ ${JSON.stringify(CHECKSUMS_KEY)} ${why}; the file is corrupted`);
  let sums: { algorithm?: unknown; header?: unknown; tensors?: unknown };
  try {
    sums = JSON.parse(raw);
  } catch {
    return bad('is not valid JSON');
  }
  if (sums === null || typeof sums !== 'object') return bad(`is ${describe(sums)}, expected {algorithm, header, tensors}`);
  if (sums.algorithm !== 'sha256') bad(`names the algorithm ${JSON.stringify(sums.algorithm)}, expected "sha256"`);
  if (typeof sums.header !== 'string' || !HEX64.test(sums.header)) bad('has no valid header digest');
  const tensors = sums.tensors as Record<string, unknown>;
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors)) bad('has no record of tensor digests');
  const found = headerDigest(metadata, entries);
  if (found !== sums.header) {
    fail(`header checksum mismatch (sha256 ${sums.header} expected, ${found} found); the header (metadata, tensor names, dtypes, shapes or offsets) is corrupted`);
  }
  const expected = new Map<string, string>();
  for (const e of entries) {
    const d = Object.hasOwn(tensors, e.name) ? tensors[e.name] : undefined;
    if (typeof d !== 'string' || !HEX64.test(d)) bad(`has no valid digest for tensor ${JSON.stringify(e.name)}`);
    expected.set(e.name, d as string);
  }
  if (Object.keys(tensors).length !== entries.length) bad(`lists ${Object.keys(tensors).length} tensors, the file has ${entries.length}`);
  return expected;
}

/** Compares each tensor's stored bytes (`data` = the bytes after the header) with its expected digest. */
function verifyTensors(expected: Map<string, string>, entries: readonly Entry[], data: Uint8Array, fail: Fail): void {
  for (const e of entries) {
    const found = sha256(data.subarray(e.begin, e.end));
    const want = expected.get(e.name)!;
    if (found !== want) fail(`tensor ${JSON.stringify(e.name)}: checksum mismatch (sha256 ${want} expected, ${found} found); the file is corrupted`);
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Parses a safetensors file held in memory. Every tensor's data is copied into fresh memory: a
 * typed array of its dtype over a new `SharedArrayBuffer` of exactly its size (so F32 and F64
 * data can back core `Tensor`s, see {@link toCoreTensors}). The file is validated strictly — its
 * length, the header length, UTF-8 JSON object, string-only `__metadata__`, known dtypes, shapes
 * and offsets that agree, and offsets that tile the data exactly — and a file that breaks any of
 * it is refused with a {@link FileFormatError} naming `source` and the problem.
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<safetensors>'): DecodedSafetensors {
  return decode(bytes, failer('decodeSafetensors', source));
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function decode(bytes: Uint8Array, fail: Fail): DecodedSafetensors {
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  const headerLength = headerLengthOf(bytes, bytes.length, fail);
  const start = 8 + headerLength;
  const { metadata, entries, checksums } = parseHeader(bytes.subarray(8, start), bytes.length - start, fail);
  if (checksums !== null) verifyTensors(checksums, entries, bytes.subarray(start), fail);
  const tensors: Record<string, DecodedTensor> = {};
  for (const e of entries) {
    const dtype = e.dtype as SafetensorsDType;
    const size = e.end - e.begin;
    const buffer = new SharedArrayBuffer(size);
    const copy = new Uint8Array(buffer);
    copy.set(bytes.subarray(start + e.begin, start + e.end));
    if (!LITTLE_ENDIAN) swapBytes(copy, FORMAT_DTYPES[dtype]!.size);
    const data = new SUPPORTED[dtype](buffer, 0, size / FORMAT_DTYPES[dtype]!.size);
    put(tensors, e.name, { dtype, shape: e.shape, data } as DecodedTensor);
  }
  return { tensors, metadata };
}

/** The header length N from the file's first 8 bytes (`prefix`), checked against the file's length. */
function headerLengthOf(prefix: Uint8Array, fileLength: number, fail: Fail): number {
  if (fileLength < 8 || prefix.length < 8) fail(`the file is ${plural(fileLength, 'byte')} long, too short for the 8-byte header length`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(fileLength - 8)) {
    fail(`the header length ${n} runs past the end of the file (8 + ${n} bytes needed, the file has ${fileLength})`);
  }
  const headerLength = Number(n);
  if (headerLength > MAX_HEADER_LENGTH) fail(`the header length ${headerLength} exceeds the limit of ${MAX_HEADER_LENGTH} bytes`);
  return headerLength;
}

interface ParsedHeader {
  metadata: Record<string, string>;
  /** The tensors, sorted by offset; validated, supported dtypes only. */
  entries: Entry[];
  /** The tensors' expected digests when the file has checksums (the header's already verified). */
  checksums: Map<string, string> | null;
}

/** Parses and validates the header (the N bytes after the length) of a file with `dataLength` bytes of data. */
function parseHeader(headerBytes: Uint8Array, dataLength: number, fail: Fail): ParsedHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch (e) {
    return fail('the header is not valid UTF-8', { cause: e });
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail(`the header must be a JSON object, got ${describe(header)}`);

  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`__metadata__ must be an object of strings, got ${describe(info)}`);
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ ${JSON.stringify(k)} is ${describe(v)}; metadata values must be strings`);
        put(metadata, k, v);
      }
      continue;
    }
    entries.push(entry(name, info, dataLength, fail));
  }
  checkTiling(entries, dataLength, fail);
  for (const e of entries) {
    if (!isSupported(e.dtype)) fail(`tensor ${JSON.stringify(e.name)}: dtype ${e.dtype} is not supported here; supported: ${SUPPORTED_LIST}`);
  }
  return { metadata, entries, checksums: verifyHeader(metadata, entries, fail) };
}

/** Sorts `entries` by offset and checks that they tile the data: each begins where the previous one ended. */
function checkTiling(entries: Entry[], dataLength: number, fail: Fail): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: Entry | null = null;
  for (const e of entries) {
    if (e.begin > cursor) {
      fail(`bytes ${cursor}..${e.begin} of the data belong to no tensor (a hole before tensor ${JSON.stringify(e.name)}); the tensors must cover the data with no holes`);
    }
    if (e.begin < cursor) {
      fail(
        `tensor ${JSON.stringify(e.name)} (data_offsets [${e.begin}, ${e.end}]) overlaps tensor ${JSON.stringify(previous!.name)} (data_offsets [${previous!.begin}, ${previous!.end}])`,
      );
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    fail(
      `${plural(dataLength - cursor, 'trailing byte')} after the last tensor: the tensors cover ${plural(cursor, 'byte')} but the data after the header has ${dataLength}`,
    );
  }
}

function entry(name: string, info: unknown, dataLength: number, fail: Fail): Entry {
  const where = `tensor ${JSON.stringify(name)}`;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`${where}: expected {dtype, shape, data_offsets}, got ${describe(info)}`);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(FORMAT_DTYPES, dtype)) {
    fail(`${where}: unknown dtype ${dtype === undefined ? '(missing)' : JSON.stringify(dtype)}; safetensors dtypes are ${Object.keys(FORMAT_DTYPES).join(', ')}`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`${where}: shape must be an array of non-negative integers, got ${shape === undefined ? '(missing)' : JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`${where}: data_offsets must be [begin, end] with non-negative integers, got ${offsets === undefined ? '(missing)' : JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) fail(`${where}: data_offsets [${begin}, ${end}] are out of range: the data after the header has ${plural(dataLength, 'byte')}`);
  const size = FORMAT_DTYPES[dtype]!.size;
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (count * size !== end - begin) {
    const need = Number.isSafeInteger(count * size) ? `${count * size} bytes (${count} × ${size})` : 'more bytes than a file can hold';
    fail(`${where}: shape ${fmtShape(shape as number[])} of ${dtype} takes ${need} but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, dtype, shape: [...(shape as number[])], begin, end };
}

// ---------------------------------------------------------------------------------------------
// Files

/**
 * Writes tensors and metadata to `path` as a safetensors file, atomically (see
 * {@link writeFileAtomic}): on any failure the previous file at `path` is left as it was. Errors
 * are {@link FileFormatError}s naming the path. `options` are those of {@link encodeSafetensors}
 * (`checksums`) and of {@link writeFileAtomic} (`mode`).
 */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, SafetensorsTensorInput>,
  metadata?: Record<string, string>,
  options?: WriteFileAtomicOptions & SafetensorsEncodeOptions,
): Promise<void> {
  const bytes = encodeFor('saveSafetensors', path, tensors, metadata, options);
  try {
    await writeFileAtomic(path, bytes, options);
  } catch (e) {
    failer('saveSafetensors', path)(`cannot write the file: ${(e as Error).message}`, { cause: e });
  }
}

/** {@link saveSafetensors}, synchronously. */
export function saveSafetensorsSync(
  path: string,
  tensors: Record<string, SafetensorsTensorInput>,
  metadata?: Record<string, string>,
  options?: WriteFileAtomicOptions & SafetensorsEncodeOptions,
): void {
  const bytes = encodeFor('saveSafetensorsSync', path, tensors, metadata, options);
  try {
    writeFileAtomicSync(path, bytes, options);
  } catch (e) {
    failer('saveSafetensorsSync', path)(`cannot write the file: ${(e as Error).message}`, { cause: e });
  }
}

function encodeFor(
  fn: string,
  path: string,
  tensors: Record<string, SafetensorsTensorInput>,
  metadata?: Record<string, string>,
  options?: SafetensorsEncodeOptions,
): Uint8Array {
  try {
    return encode(tensors, metadata, 'encodeSafetensors', options);
  } catch (e) {
    return failer(fn, path)((e as Error).message.replace(/^encodeSafetensors: /, ''), { cause: e });
  }
}

/** Reads and validates a safetensors file (see {@link decodeSafetensors}); errors name the path. */
export async function loadSafetensors(path: string): Promise<DecodedSafetensors> {
  const fail = failer('loadSafetensors', path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    return fail(`cannot read the file: ${(e as Error).message}`, { cause: e });
  }
  return decode(bytes, fail);
}

/**
 * Reads only the header of a safetensors file and returns its `__metadata__`: the length, the
 * JSON, the tensors' dtypes, shapes and offsets (against the file's size) and, when the file has
 * checksums, the header checksum are verified — not the tensors' data. Errors name the path.
 */
export async function loadSafetensorsMetadata(path: string): Promise<Record<string, string>> {
  const fail = failer('loadSafetensorsMetadata', path);
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  try {
    handle = await open(path, 'r');
    const size = (await handle.stat()).size;
    const prefix = new Uint8Array(8);
    await handle.read(prefix, 0, 8, 0);
    const n = headerLengthOf(prefix, size, fail);
    const header = new Uint8Array(n);
    const { bytesRead } = await handle.read(header, 0, n, 8);
    if (bytesRead !== n) fail(`the file ended after ${8 + bytesRead} bytes while reading the header (${8 + n} expected)`);
    return parseHeader(header, size - 8 - n, fail).metadata;
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    return fail(`cannot read the file: ${(e as Error).message}`, { cause: e });
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** {@link loadSafetensors}, synchronously. */
export function loadSafetensorsSync(path: string): DecodedSafetensors {
  const fail = failer('loadSafetensorsSync', path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fail(`cannot read the file: ${(e as Error).message}`, { cause: e });
  }
  return decode(bytes, fail);
}

// ---------------------------------------------------------------------------------------------
// Core tensors

/**
 * Describes core `Tensor`s for {@link encodeSafetensors}: float32 → F32, float64 → F64, the same
 * shape, and the tensor's own memory as data (no copy; the encoder copies it into the file).
 */
export function tensorsFromCore(tensors: Record<string, Tensor>): Record<string, SafetensorsTensorInput> {
  const out: Record<string, SafetensorsTensorInput> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) throw new TypeError(`tensorsFromCore: ${JSON.stringify(name)} is not a Tensor (got ${describe(t)})`);
    put(out, name, { dtype: t.dtype === 'float64' ? 'F64' : 'F32', shape: [...t.shape], data: t.data });
  }
  return out;
}

function isDecodedTensor(x: unknown): x is DecodedTensor {
  if (x === null || typeof x !== 'object') return false;
  const t = x as Partial<DecodedTensor>;
  return typeof t.dtype === 'string' && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}

/**
 * Core `Tensor`s over decoded F32 and F64 tensors, without copying: the decoder's arrays are over
 * fresh `SharedArrayBuffer`s and become the tensors' storage. Takes the result of
 * {@link decodeSafetensors}/{@link loadSafetensors} or its `tensors`. A tensor of another dtype,
 * or one whose data is not over shared memory, is a `TypeError` naming it.
 */
export function toCoreTensors(decoded: DecodedSafetensors | Record<string, DecodedTensor>): Record<string, Tensor> {
  const d = decoded as Partial<DecodedSafetensors>;
  const record =
    d.tensors !== undefined && d.metadata !== undefined && !isDecodedTensor(d.tensors) && !isDecodedTensor(d.metadata)
      ? d.tensors
      : (decoded as Record<string, DecodedTensor>);
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(record)) {
    if (!isDecodedTensor(t)) throw new TypeError(`toCoreTensors: ${JSON.stringify(name)} is not a decoded tensor (got ${describe(t)})`);
    if (t.dtype !== 'F32' && t.dtype !== 'F64') {
      throw new TypeError(`toCoreTensors: tensor ${JSON.stringify(name)} is ${t.dtype}; only F32 and F64 tensors become core Tensors`);
    }
    if (!(t.data.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError(`toCoreTensors: tensor ${JSON.stringify(name)} is not over a SharedArrayBuffer (decode it with decodeSafetensors)`);
    }
    put(out, name, new Tensor(t.data, t.shape));
  }
  return out;
}
