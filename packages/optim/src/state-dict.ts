import { allocShared, type DType, type FloatArray } from '@actorgrad/core';

/**
 * JSON encoding of transformation states (plain data: typed arrays, numbers, booleans, strings,
 * null, arrays, records). A typed array becomes `{dtype, data: number[]}`; JSON carries every
 * finite double exactly, so a round trip is bit-exact. The few values JSON cannot carry are
 * spelled as strings: `'-0'`, `'NaN'`, `'Infinity'`, `'-Infinity'` inside `data`, and
 * `{float: '…'}` for a scalar.
 */
export type EncodedState =
  | number
  | boolean
  | string
  | null
  | { float: string }
  | { dtype: DType; data: (number | string)[] }
  | EncodedState[]
  | { [key: string]: EncodedState };

function special(x: number): string | null {
  if (Number.isNaN(x) || x === Infinity || x === -Infinity) return String(x);
  return Object.is(x, -0) ? '-0' : null;
}

function isTyped(x: unknown): x is FloatArray {
  return x instanceof Float64Array || x instanceof Float32Array;
}

/** The JSON-safe encoding of a state (see `EncodedState`). */
export function encodeState(state: unknown, path = 'state'): EncodedState {
  if (state === null || typeof state === 'boolean' || typeof state === 'string') return state;
  if (typeof state === 'number') {
    const s = special(state);
    return s === null ? state : { float: s };
  }
  if (isTyped(state)) {
    const data: (number | string)[] = new Array(state.length);
    for (let i = 0; i < state.length; i++) data[i] = special(state[i]!) ?? state[i]!;
    return { dtype: state instanceof Float64Array ? 'float64' : 'float32', data };
  }
  if (Array.isArray(state)) return state.map((x, i) => encodeState(x, `${path}[${i}]`));
  if (typeof state === 'object' && Object.getPrototypeOf(state) === Object.prototype) {
    const out: { [key: string]: EncodedState } = {};
    for (const [k, v] of Object.entries(state)) out[k] = encodeState(v, sub(path, k));
    return out;
  }
  throw new TypeError(`encodeState: ${path} is not plain data (${describe(state)})`);
}

function sub(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (isTyped(x)) return `a ${x.constructor.name} of ${x.length}`;
  if (typeof x === 'object') return x.constructor?.name === 'Object' ? 'a record' : `a ${x.constructor?.name}`;
  return `${typeof x} ${JSON.stringify(x)}`;
}

function num(x: unknown, fn: string, path: string): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string') {
    if (x === 'NaN' || x === 'Infinity' || x === '-Infinity' || x === '-0') return Number(x);
  }
  throw new TypeError(`${fn}: ${path} must be a number, got ${describe(x)}`);
}

/**
 * Decodes `encoded` into a state shaped like `template` (typically `transformation.init(params)`):
 * the same record keys, array lengths, typed-array dtypes and sizes, or an error naming the path.
 * Typed arrays are decoded into fresh shared memory.
 */
export function decodeState<S>(encoded: unknown, template: S, fn = 'decodeState', path = 'state'): S {
  return decode(encoded, template, fn, path) as S;
}

function decode(enc: unknown, tpl: unknown, fn: string, path: string): unknown {
  if (isTyped(tpl)) {
    const e = enc as { dtype?: unknown; data?: unknown } | null;
    const dtype: DType = tpl instanceof Float64Array ? 'float64' : 'float32';
    if (e === null || typeof e !== 'object' || !Array.isArray(e.data)) {
      throw new TypeError(`${fn}: ${path} must be {dtype, data}, got ${describe(enc)}`);
    }
    if (e.dtype !== dtype) throw new TypeError(`${fn}: ${path} has dtype ${String(e.dtype)}, expected ${dtype}`);
    if (e.data.length !== tpl.length) {
      throw new RangeError(`${fn}: ${path} has ${e.data.length} elements, expected ${tpl.length}`);
    }
    const out = allocShared(dtype, tpl.length);
    for (let i = 0; i < out.length; i++) out[i] = num(e.data[i], fn, `${path}.data[${i}]`);
    return out;
  }
  if (typeof tpl === 'number') {
    if (enc !== null && typeof enc === 'object' && 'float' in enc) return num(enc.float, fn, path);
    return num(enc, fn, path);
  }
  if (tpl === null) {
    // A scalar field may be null until set (a best metric, say); arrays and records may not.
    if (enc === null || typeof enc !== 'object') return enc;
    if ('float' in enc && Object.keys(enc).length === 1) return num(enc.float, fn, path);
    throw new TypeError(`${fn}: ${path} must be null or a scalar, got ${describe(enc)}`);
  }
  if (typeof tpl === 'boolean' || typeof tpl === 'string') {
    if (typeof enc === typeof tpl) return enc;
    throw new TypeError(`${fn}: ${path} must be a ${typeof tpl}, got ${describe(enc)}`);
  }
  if (Array.isArray(tpl)) {
    if (!Array.isArray(enc) || enc.length !== tpl.length) {
      throw new TypeError(`${fn}: ${path} must be an array of ${tpl.length}, got ${describe(enc)}`);
    }
    return tpl.map((t, i) => decode(enc[i], t, fn, `${path}[${i}]`));
  }
  if (enc === null || typeof enc !== 'object' || Array.isArray(enc)) {
    throw new TypeError(`${fn}: ${path} must be a record, got ${describe(enc)}`);
  }
  const out: Record<string, unknown> = {};
  const e = enc as Record<string, unknown>;
  for (const k of Object.keys(tpl as object)) {
    if (!(k in e)) throw new TypeError(`${fn}: ${sub(path, k)} is missing`);
    out[k] = decode(e[k], (tpl as Record<string, unknown>)[k], fn, sub(path, k));
  }
  for (const k of Object.keys(e)) {
    if (!(k in out)) throw new TypeError(`${fn}: ${sub(path, k)} is not part of this state`);
  }
  return out;
}
