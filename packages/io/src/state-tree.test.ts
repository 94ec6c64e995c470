import { allocShared } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from './errors.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { flattenState, STATE_SKELETON_KEY, type StateArray, stateFromSafetensors, stateToSafetensors, unflattenState } from './state-tree.js';

/**
 * Deep comparison that is exact where `toEqual` is not: numbers with `Object.is` (-0 ≠ 0, NaN =
 * NaN), typed arrays by class and bytes (NaN payloads included), records by key order too.
 */
function expectSame(actual: unknown, expected: unknown, path = 'state'): void {
  if (ArrayBuffer.isView(expected)) {
    expect(actual?.constructor, path).toBe(expected.constructor);
    const a = actual as StateArray;
    expect(a.buffer, path).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)), path).toBe(true);
    return;
  }
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Object.is(actual, expected), `${path}: ${String(actual)} vs ${String(expected)}`).toBe(true);
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    expect(actual, path).toBe(expected);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => expectSame((actual as unknown[])[i], e, `${path}.${i}`));
    return;
  }
  expect(Object.getPrototypeOf(actual), path).toBe(Object.prototype);
  expect(Object.keys(actual as object), path).toEqual(Object.keys(expected));
  for (const k of Object.keys(expected)) expectSame((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
}

function shared32(values: number[]): Float32Array {
  const a = allocShared('float32', values.length) as Float32Array;
  a.set(values);
  return a;
}

function shared64(values: number[]): Float64Array {
  const a = allocShared('float64', values.length) as Float64Array;
  a.set(values);
  return a;
}

function nanWithPayload(): Float32Array {
  const a = shared32([0, 0]);
  // The array's own words (a small array may sit at an offset of a shared slab).
  const words = new Uint32Array(a.buffer, a.byteOffset, a.length);
  words[0] = 0x7fa00001; // a signalling-style payload
  words[1] = 0xffc00000; // negative quiet NaN
  return a;
}

const adam = () => ({
  count: 2 ** 40 + 1,
  mu: { '0.weight': shared32([0.1, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e-45, -3.4e38]), '0.bias': shared32([0, 1]) },
  nu: { '0.weight': shared32([1e-8, 0, 0, 0, 0, 0]), '0.bias': nanWithPayload() },
  nuMax: null,
});

const chain = () => [
  { count: 3, mu: { w: shared64([0.1 + 0.2, -0, Number.MIN_VALUE, Number.MAX_VALUE]) } },
  {},
  null,
  [1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 'text', true, false, 0, -1e300],
  { lr: 1e-3, best: Number.NEGATIVE_INFINITY, plateau: { wait: 2, cooldown: 0, mode: 'min' } },
  { steps: new Int32Array(new SharedArrayBuffer(12)).fill(-7), order: [new Int32Array([1, 2, 3])] },
  [[[]], [{}]],
];

describe('flattenState / unflattenState', () => {
  it("round-trips Adam's state bit for bit, arrays named by their path", () => {
    const state = adam();
    const flat = flattenState(state);
    expect(Object.keys(flat.tensors)).toEqual(['state.mu.0.weight', 'state.mu.0.bias', 'state.nu.0.weight', 'state.nu.0.bias']);
    expect(flat.tensors['state.mu.0.weight']).toBe(state.mu['0.weight']);
    expect(JSON.parse(flat.skeleton)).toEqual({
      count: 1099511627777,
      mu: { '0.weight': { $t: 'state.mu.0.weight' }, '0.bias': { $t: 'state.mu.0.bias' } },
      nu: { '0.weight': { $t: 'state.nu.0.weight' }, '0.bias': { $t: 'state.nu.0.bias' } },
      nuMax: null,
    });
    const back = unflattenState<ReturnType<typeof adam>>(flat.skeleton, flat.tensors);
    expectSame(back, state);
    // Fresh memory, not the arrays that went in.
    expect(back.mu['0.weight']).not.toBe(state.mu['0.weight']);
    back.mu['0.weight'].fill(7);
    expect(state.mu['0.weight'][0]).toBeCloseTo(0.1, 6);
    back.mu['0.weight'].set(state.mu['0.weight']);
    expect(Object.is(back.mu['0.weight'][1], -0)).toBe(true);
    const bias = back.nu['0.bias'];
    expect(new Uint32Array(bias.buffer, bias.byteOffset, bias.length)[0]).toBe(0x7fa00001);
  });

  it('round-trips a chain state (an array of states) with every kind of value', () => {
    const state = chain();
    const flat = flattenState(state, 'opt');
    expect(Object.keys(flat.tensors)).toEqual(['opt.0.mu.w', 'opt.5.steps', 'opt.5.order.0']);
    expectSame(unflattenState(flat.skeleton, flat.tensors), state);
  });

  it('encodes the numbers JSON cannot hold, and every other double exactly', () => {
    for (const x of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 5e-324, 2 ** 53 + 2, -(2 ** 1023), 0.1, 1 / 3, 123456789.12345679]) {
      const flat = flattenState({ x });
      expectSame(unflattenState(flat.skeleton, flat.tensors), { x });
    }
    expect(flattenState([Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]).skeleton).toBe('[{"$n":"NaN"},{"$n":"-0"},{"$n":"Infinity"},{"$n":"-Infinity"}]');
    // Top-level scalars and arrays work too.
    for (const s of [Number.NaN, 'x', null, true, shared32([1])]) {
      const flat = flattenState(s);
      expectSame(unflattenState(flat.skeleton, flat.tensors), s);
    }
  });

  it('escapes records whose keys look like tags', () => {
    const state = { a: { $t: 'state.a' }, b: { $n: 'NaN', other: 1 }, c: { $o: { $t: 'x' } }, d: [{ $weird: shared32([2]) }] };
    const flat = flattenState(state);
    const back = unflattenState(flat.skeleton, flat.tensors);
    expectSame(back, state);
  });

  it('resolves name clashes between paths and keeps shared arrays shared', () => {
    const one = shared32([1]);
    const two = shared32([2]);
    const state = { 'a.b': one, a: { b: two }, again: one };
    const flat = flattenState(state);
    expect(Object.keys(flat.tensors)).toEqual(['state.a.b', 'state.a.b#2']);
    const back = unflattenState<{ 'a.b': Float32Array; a: { b: Float32Array }; again: Float32Array }>(flat.skeleton, flat.tensors);
    expectSame(back, state);
    expect(back.again).toBe(back['a.b']);
    expect(back.a.b).not.toBe(back['a.b']);
  });

  it('keeps key order, integer-like keys and __proto__ as data', () => {
    const state = JSON.parse('{"z": 1, "10": 2, "2": 3, "__proto__": {"polluted": true}, "constructor": 4}');
    const flat = flattenState(state);
    const back = unflattenState<Record<string, unknown>>(flat.skeleton, flat.tensors);
    expectSame(back, state);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts decoded safetensors tensors ({dtype, shape, data}) as well as arrays', () => {
    const state = adam();
    const flat = flattenState(state);
    const decoded = decodeSafetensors(
      encodeSafetensors(Object.fromEntries(Object.entries(flat.tensors).map(([k, a]) => [k, { dtype: 'F32' as const, shape: [a.length], data: a }]))),
    );
    expectSame(unflattenState(flat.skeleton, decoded.tensors), state);
  });

  describe('refuses what is not plain data, naming the path', () => {
    class Box {
      v = 1;
    }
    const sparse = () => {
      const s = [1];
      s[2] = 3;
      return s;
    };
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { back: cycle };
    const cases: [string, unknown, RegExp][] = [
      ['undefined', { a: { b: undefined } }, /flattenState: state\.a\.b is undefined, which is not plain data/],
      ['a bigint', { n: 1n }, /state\.n is bigint 1/],
      ['a function', { f: () => 1 }, /state\.f is function/],
      ['a class instance', { box: new Box() }, /state\.box is a Box, which is not plain data/],
      ['a Map', { m: new Map() }, /state\.m is a Map/],
      ['another typed array', { u: new Uint8Array(2) }, /state\.u is a Uint8Array; typed arrays in a state must be Float32Array, Float64Array or Int32Array/],
      ['a sparse array', { s: sparse() }, /state\.s is a sparse array \(no element 1\)/],
      ['a cycle', cycle, /state\.self\.back refers back to one of its own parents \(a cycle\)/],
    ];
    for (const [what, state, message] of cases) {
      it(what, () => expect(() => flattenState(state)).toThrow(message));
    }
    it('but the same record twice (not a cycle) is fine', () => {
      const shared = { x: 1 };
      const flat = flattenState({ a: shared, b: shared });
      expect(unflattenState(flat.skeleton, flat.tensors)).toEqual({ a: { x: 1 }, b: { x: 1 } });
    });
  });

  describe('refuses skeletons that do not match their tensors', () => {
    const t = { 'state.a': shared32([1]) };
    const cases: [string, string, Record<string, StateArray>, RegExp][] = [
      ['invalid JSON', '{"a": ', t, /unflattenState: the skeleton is not valid JSON/],
      ['a missing tensor', '{"a": {"$t": "state.b"}}', t, /unflattenState: skeleton\.a refers to tensor "state\.b", which is missing/],
      ['an unreferenced tensor', '{"a": 1}', t, /unflattenState: tensor "state\.a" is not referenced by the skeleton/],
      ['a bad number tag', '{"a": {"$n": "Nan"}}', {}, /skeleton\.a: \{"\$n": …\} must be "NaN", "Infinity", "-Infinity" or "-0", got the string "Nan"/],
      ['an unknown tag', '{"a": {"$x": 1}}', {}, /skeleton\.a: unknown tag "\$x"/],
      ['a stray $ key', '{"a": {"$t": "state.a", "b": 1}}', t, /skeleton\.a has a key starting with "\$" outside a \{"\$o": …\} record/],
      ['a tag naming no string', '{"a": {"$t": 3}}', {}, /skeleton\.a: \{"\$t": …\} must name a tensor, got number 3/],
      ['a tensor of another type', '{"a": {"$t": "u"}}', { u: new Uint8Array(1) as unknown as StateArray }, /tensor "u" is a Uint8Array; state arrays are/],
    ];
    for (const [what, skeleton, tensors, message] of cases) {
      it(what, () => expect(() => unflattenState(skeleton, tensors)).toThrow(message));
    }
  });
});

describe('stateToSafetensors / stateFromSafetensors', () => {
  it('round-trips a state through a safetensors file, beside other metadata', () => {
    const state = { adam: adam(), chain: chain() };
    const file = stateToSafetensors(state, { optimizer: '{"name":"adam"}', step: '12' });
    const decoded = decodeSafetensors(file, 'optim.safetensors');
    expect(decoded.metadata[STATE_SKELETON_KEY]).toBeTypeOf('string');
    expect(decoded.tensors['state.adam.mu.0.weight']).toMatchObject({ dtype: 'F32', shape: [6] });
    expect(decoded.tensors['state.chain.0.mu.w']).toMatchObject({ dtype: 'F64', shape: [4] });
    expect(decoded.tensors['state.chain.5.steps']).toMatchObject({ dtype: 'I32', shape: [3] });
    const { state: back, metadata } = stateFromSafetensors(file, 'optim.safetensors');
    expectSame(back, state);
    expect(metadata).toEqual({ optimizer: '{"name":"adam"}', step: '12' });
    expectSame(stateFromSafetensors(decoded).state, state);
  });

  it('refuses the reserved key, files without a skeleton, and corrupt files, naming the source', () => {
    expect(() => stateToSafetensors({}, { [STATE_SKELETON_KEY]: 'x' })).toThrow(/is reserved/);
    const plain = encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } });
    expect(() => stateFromSafetensors(plain, 'model.safetensors')).toThrow(`stateFromSafetensors(model.safetensors): no "${STATE_SKELETON_KEY}" in __metadata__; not a state file`);
    const file = stateToSafetensors(adam());
    expect(() => stateFromSafetensors(file.subarray(0, file.length - 2), 'cut.safetensors')).toThrow(FileFormatError);
    expect(() => stateFromSafetensors(file.subarray(0, file.length - 2), 'cut.safetensors')).toThrow(/^decodeSafetensors\(cut\.safetensors\)/);
    const mismatched = encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }, { [STATE_SKELETON_KEY]: '{"a": 1}' });
    expect(() => stateFromSafetensors(mismatched, 'odd.safetensors')).toThrow('stateFromSafetensors(odd.safetensors): unflattenState: tensor "w" is not referenced by the skeleton');
  });
});
