/**
 * Optimiser states as safetensors: a state is plain data — records, arrays, numbers, booleans,
 * strings, null and typed arrays (`Float32Array`, `Float64Array`, `Int32Array`, usually over a
 * `SharedArrayBuffer`) — and {@link flattenState} splits it into the typed arrays, named by their
 * path (`state.mu.0.weight`), and a JSON skeleton of everything else that refers to them. Together
 * they rebuild the state bit for bit ({@link unflattenState}).
 *
 * ## Skeleton
 *
 * The skeleton is the state as JSON, with three kinds of tagged objects:
 *
 * - `{"$t": "state.mu.0.weight"}` — the typed array stored under that name;
 * - `{"$n": "NaN"}`, `{"$n": "Infinity"}`, `{"$n": "-Infinity"}`, `{"$n": "-0"}` — the numbers JSON
 *   cannot hold (every other number is written in its shortest exact form, so it reads back the
 *   same double);
 * - `{"$o": {…}}` — a record of the state that itself has a key starting with `$`, so it cannot be
 *   mistaken for a tag.
 *
 * The same typed array appearing twice in a state is stored once and comes back as one array.
 *
 * @module
 */
import { type DecodedSafetensors, type DecodedTensor, decodeSafetensors, encodeSafetensors, type SafetensorsTensorInput } from './safetensors.js';

/** The typed arrays a state may hold. */
export type StateArray = Float32Array | Float64Array | Int32Array;

export interface FlatState {
  /** Every typed array of the state by its name (the arrays themselves, not copies). */
  tensors: Record<string, StateArray>;
  /** The rest of the state as JSON, referring to the arrays by name (see the module documentation). */
  skeleton: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function put<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function isStateArray(x: unknown): x is StateArray {
  return x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'object') return `a ${(x as object).constructor?.name ?? 'null-prototype object'}`;
  if (typeof x === 'string') return `the string ${JSON.stringify(x)}`;
  return `${typeof x} ${String(x)}`;
}

function isRecord(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function special(x: number): string | null {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) return String(x);
  return Object.is(x, -0) ? '-0' : null;
}

/**
 * Splits a state into its typed arrays and a JSON skeleton (see the module documentation). Arrays
 * are named `prefix` + the path to them joined by dots (`state.mu.0.weight`, `state.1.count`…;
 * a clash between paths such as `a.b` and `a` → `b` is resolved with a `#2` suffix). Anything that
 * is not plain data — `undefined`, a bigint, a function, a class instance, another kind of typed
 * array, a sparse array, a cycle — is a `TypeError` naming its path.
 */
export function flattenState(state: unknown, prefix = 'state'): FlatState {
  const tensors: Record<string, StateArray> = {};
  const names = new Map<StateArray, string>();
  const open = new Set<object>();

  const walk = (x: unknown, path: string): Json => {
    if (x === null || typeof x === 'boolean' || typeof x === 'string') return x;
    if (typeof x === 'number') {
      const s = special(x);
      return s === null ? x : { $n: s };
    }
    if (isStateArray(x)) {
      let name = names.get(x);
      if (name === undefined) {
        name = path;
        for (let i = 2; Object.hasOwn(tensors, name); i++) name = `${path}#${i}`;
        put(tensors, name, x);
        names.set(x, name);
      }
      return { $t: name };
    }
    if (typeof x !== 'object') throw new TypeError(`flattenState: ${path} is ${describe(x)}, which is not plain data`);
    if (ArrayBuffer.isView(x)) {
      throw new TypeError(`flattenState: ${path} is ${describe(x)}; typed arrays in a state must be Float32Array, Float64Array or Int32Array`);
    }
    if (open.has(x)) throw new TypeError(`flattenState: ${path} refers back to one of its own parents (a cycle)`);
    if (Array.isArray(x)) {
      open.add(x);
      const out: Json[] = [];
      for (let i = 0; i < x.length; i++) {
        if (!(i in x)) throw new TypeError(`flattenState: ${path} is a sparse array (no element ${i})`);
        out.push(walk(x[i], `${path}.${i}`));
      }
      open.delete(x);
      return out;
    }
    if (!isRecord(x)) throw new TypeError(`flattenState: ${path} is ${describe(x)}, which is not plain data`);
    open.add(x);
    const out: { [key: string]: Json } = {};
    let tagged = false;
    for (const [k, v] of Object.entries(x)) {
      if (k.startsWith('$')) tagged = true;
      put(out, k, walk(v, `${path}.${k}`));
    }
    open.delete(x);
    return tagged ? { $o: out } : out;
  };

  const tree = walk(state, prefix);
  return { tensors, skeleton: JSON.stringify(tree) };
}

/**
 * Rebuilds a state from {@link flattenState}'s skeleton and arrays: the same records (keys in the
 * same order), arrays, numbers (NaN, ±Infinity and -0 included), booleans, strings and nulls, and
 * each typed array as a copy of the same type over a fresh `SharedArrayBuffer`. `tensors` may hold
 * typed arrays or decoded safetensors tensors (`{dtype, shape, data}`). A skeleton that is not
 * valid, refers to a missing array, or leaves an array unreferenced is a `TypeError`.
 */
export function unflattenState<S = unknown>(skeleton: string, tensors: Record<string, StateArray | DecodedTensor>): S {
  let tree: unknown;
  try {
    tree = JSON.parse(skeleton);
  } catch (e) {
    throw new TypeError(`unflattenState: the skeleton is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const made = new Map<string, StateArray>();

  const array = (name: unknown, path: string): StateArray => {
    if (typeof name !== 'string') throw new TypeError(`unflattenState: ${path}: {"$t": …} must name a tensor, got ${describe(name)}`);
    const done = made.get(name);
    if (done !== undefined) return done;
    if (!Object.hasOwn(tensors, name)) throw new TypeError(`unflattenState: ${path} refers to tensor ${JSON.stringify(name)}, which is missing`);
    const t: unknown = tensors[name];
    const src = ArrayBuffer.isView(t) ? t : (t as { data?: unknown } | null)?.data;
    if (!isStateArray(src)) {
      throw new TypeError(`unflattenState: tensor ${JSON.stringify(name)} is ${describe(src ?? t)}; state arrays are Float32Array, Float64Array or Int32Array`);
    }
    const Ctor = src.constructor as new (buffer: SharedArrayBuffer) => StateArray;
    const copy = new Ctor(new SharedArrayBuffer(src.byteLength));
    copy.set(src as never);
    made.set(name, copy);
    return copy;
  };

  const build = (x: unknown, path: string): unknown => {
    if (x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map((v, i) => build(v, `${path}.${i}`));
    const keys = Object.keys(x);
    const tag = keys.length === 1 && keys[0]!.startsWith('$') ? keys[0]! : null;
    if (tag === null) {
      if (keys.some((k) => k.startsWith('$'))) throw new TypeError(`unflattenState: ${path} has a key starting with "$" outside a {"$o": …} record`);
      return record(x as Record<string, unknown>, path);
    }
    const v = (x as Record<string, unknown>)[tag];
    if (tag === '$t') return array(v, path);
    if (tag === '$n') {
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity' || v === '-0') return Number(v);
      throw new TypeError(`unflattenState: ${path}: {"$n": …} must be "NaN", "Infinity", "-Infinity" or "-0", got ${describe(v)}`);
    }
    if (tag === '$o') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`unflattenState: ${path}: {"$o": …} must hold a record, got ${describe(v)}`);
      return record(v as Record<string, unknown>, path);
    }
    throw new TypeError(`unflattenState: ${path}: unknown tag ${JSON.stringify(tag)}`);
  };

  const record = (x: Record<string, unknown>, path: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) put(out, k, build(v, `${path}.${k}`));
    return out;
  };

  const state = build(tree, 'skeleton');
  for (const name of Object.keys(tensors)) {
    if (!made.has(name)) throw new TypeError(`unflattenState: tensor ${JSON.stringify(name)} is not referenced by the skeleton`);
  }
  return state as S;
}

/** The `__metadata__` key under which {@link stateToSafetensors} keeps the skeleton. */
export const STATE_SKELETON_KEY = 'actorgrad.state_skeleton';

/**
 * A state as a safetensors file: its arrays as 1-d tensors (F32, F64 or I32) named by their path,
 * the skeleton in `__metadata__` under {@link STATE_SKELETON_KEY}, beside any other `metadata`.
 */
export function stateToSafetensors(state: unknown, metadata: Record<string, string> = {}, prefix = 'state'): Uint8Array {
  if (Object.hasOwn(metadata, STATE_SKELETON_KEY)) throw new TypeError(`stateToSafetensors: metadata key ${JSON.stringify(STATE_SKELETON_KEY)} is reserved`);
  const { tensors, skeleton } = flattenState(state, prefix);
  const inputs: Record<string, SafetensorsTensorInput> = {};
  for (const [name, a] of Object.entries(tensors)) {
    put(inputs, name, { dtype: a instanceof Float64Array ? 'F64' : a instanceof Float32Array ? 'F32' : 'I32', shape: [a.length], data: a });
  }
  return encodeSafetensors(inputs, { ...metadata, [STATE_SKELETON_KEY]: skeleton });
}

/**
 * The state and the other metadata of a file written by {@link stateToSafetensors}. A file that is
 * not valid safetensors is a `FileFormatError` naming `source`; one without a skeleton, or whose
 * skeleton does not match its tensors, a `TypeError` naming `source`.
 */
export function stateFromSafetensors<S = unknown>(bytes: Uint8Array | DecodedSafetensors, source = '<safetensors>'): { state: S; metadata: Record<string, string> } {
  const decoded = bytes instanceof Uint8Array ? decodeSafetensors(bytes, source) : bytes;
  const { [STATE_SKELETON_KEY]: skeleton, ...metadata } = decoded.metadata;
  if (skeleton === undefined) throw new TypeError(`stateFromSafetensors(${source}): no ${JSON.stringify(STATE_SKELETON_KEY)} in __metadata__; not a state file`);
  try {
    return { state: unflattenState<S>(skeleton, decoded.tensors), metadata };
  } catch (e) {
    throw new TypeError(`stateFromSafetensors(${source}): ${(e as Error).message}`, { cause: e });
  }
}
