import { describe, expect, it } from 'vitest';
import { tree } from '../test/helpers.js';
import { decodeState, encodeState } from './state-dict.js';

describe('encodeState / decodeState', () => {
  const state = {
    count: 3,
    muProduct: 0.1 + 0.2,
    mu: tree({ w: [1 / 3, -0, Number.NaN, Number.POSITIVE_INFINITY] }),
    nu: tree({ w: [0.1, 1e-30, 5e-324, 0] }, 'float32'),
    nuMax: null,
    inner: [{ flag: true }, { best: -0 }],
  };

  it('round-trips through JSON bit for bit, -0, NaN and Infinity included', () => {
    const json = JSON.stringify(encodeState(state));
    const back = decodeState(JSON.parse(json), state);
    // The arrays' own bytes (a small array may sit at an offset of a shared slab).
    const bytes = (a: Float32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    expect(bytes(back.mu.w!)).toEqual(bytes(state.mu.w!));
    expect(bytes(back.nu.w!)).toEqual(bytes(state.nu.w!));
    expect(back.nu.w).toBeInstanceOf(Float32Array);
    expect(back.muProduct).toBe(0.1 + 0.2);
    expect(Object.is(back.inner[1]!.best, -0)).toBe(true);
    expect(back.nuMax).toBeNull();
  });

  it('encodes typed arrays as {dtype, data}', () => {
    expect(encodeState({ a: tree({ w: [1.5, -0] }).w })).toEqual({ a: { dtype: 'float64', data: [1.5, '-0'] } });
  });

  it('checks the encoded state against the template, naming the path', () => {
    const enc = encodeState(state) as Record<string, unknown>;
    expect(() => decodeState({ ...enc, mu: { w: { dtype: 'float64', data: [1] } } }, state)).toThrow(
      'decodeState: state.mu.w has 1 elements, expected 4',
    );
    expect(() => decodeState({ ...enc, nu: { w: { dtype: 'float64', data: [0, 0, 0, 0] } } }, state)).toThrow(
      'decodeState: state.nu.w has dtype float64, expected float32',
    );
    const { count: _, ...noCount } = enc;
    expect(() => decodeState(noCount, state)).toThrow('decodeState: state.count is missing');
    expect(() => decodeState({ ...enc, extra: 1 }, state)).toThrow('decodeState: state.extra is not part of this state');
    expect(() => decodeState({ ...enc, inner: [] }, state)).toThrow(
      'decodeState: state.inner must be an array of 2, got an array of 0',
    );
  });

  it('refuses values that are not plain data', () => {
    expect(() => encodeState({ f: new Map() })).toThrow('encodeState: state.f is not plain data (a Map)');
  });
});
