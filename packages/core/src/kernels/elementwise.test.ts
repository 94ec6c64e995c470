import { describe, expect, it } from 'vitest';
import type { FloatArray } from '../dtype.js';
import { addInto, axpy, mapUnary, mulInto } from './elementwise.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const TYPES: Ctor[] = [Float32Array, Float64Array];
const name = (T: Ctor) => (T === Float64Array ? 'f64' : 'f32');
// Lengths around the unroll factor (8) and its remainder loop.
const SIZES = [0, 1, 7, 8, 9, 16, 23, 100, 1027];

function filled(T: Ctor, size: number, f: (i: number) => number): FloatArray {
  const x = new T(size);
  for (let i = 0; i < size; i++) x[i] = f(i);
  return x;
}

/** Expected value after rounding to the destination's precision. */
const round = (T: Ctor, v: number) => (T === Float32Array ? Math.fround(v) : v);

describe('elementwise kernels', () => {
  for (const TA of TYPES) {
    for (const TB of TYPES) {
      for (const TO of TYPES) {
        const tag = `a:${name(TA)} b:${name(TB)} out:${name(TO)}`;
        it(`addInto / mulInto ${tag}`, () => {
          for (const n of SIZES) {
            const a = filled(TA, n + 3, (i) => Math.sin(i) * 3.7);
            const b = filled(TB, n + 3, (i) => Math.cos(i * 1.3) - 0.25);
            const out = new TO(n + 3).fill(99);
            addInto(a, b, out, n);
            for (let i = 0; i < n; i++) expect(out[i]).toBe(round(TO, a[i] + b[i]));
            for (let i = n; i < n + 3; i++) expect(out[i]).toBe(99); // only the first n are touched
            mulInto(a, b, out, n);
            for (let i = 0; i < n; i++) expect(out[i]).toBe(round(TO, a[i] * b[i]));
            for (let i = n; i < n + 3; i++) expect(out[i]).toBe(99);
          }
        });
      }
    }
    for (const TY of TYPES) {
      it(`axpy x:${name(TA)} y:${name(TY)}`, () => {
        for (const n of SIZES) {
          const x = filled(TA, n + 2, (i) => i * 0.5 - 3);
          const y = filled(TY, n + 2, (i) => 1 / (i + 1));
          const y0 = Array.from(y);
          axpy(-1.5, x, y, n);
          for (let i = 0; i < n; i++) expect(y[i]).toBe(round(TY, y0[i] + -1.5 * x[i]));
          for (let i = n; i < n + 2; i++) expect(y[i]).toBe(y0[i]);
        }
      });
    }
    for (const TO of TYPES) {
      it(`mapUnary src:${name(TA)} dst:${name(TO)}`, () => {
        for (const n of SIZES) {
          const src = filled(TA, n + 1, (i) => (i - n / 2) / 7);
          const dst = new TO(n + 1).fill(-5);
          mapUnary(src, dst, n, Math.tanh);
          for (let i = 0; i < n; i++) expect(dst[i]).toBe(round(TO, Math.tanh(src[i])));
          expect(dst[n]).toBe(-5);
          mapUnary(src, dst, n, (v) => v * v + 1);
          for (let i = 0; i < n; i++) expect(dst[i]).toBe(round(TO, src[i] * src[i] + 1));
        }
      });
    }
  }

  it('works in place (out aliases an input)', () => {
    const a = filled(Float64Array, 21, (i) => i);
    const b = filled(Float64Array, 21, (i) => 2 * i);
    addInto(a, b, a, 21);
    expect(Array.from(a)).toEqual(Array.from({ length: 21 }, (_, i) => 3 * i));
    mulInto(a, a, a, 21);
    expect(Array.from(a)).toEqual(Array.from({ length: 21 }, (_, i) => 9 * i * i));
    mapUnary(a, a, 21, Math.sqrt);
    expect(Array.from(a)).toEqual(Array.from({ length: 21 }, (_, i) => 3 * i));
    axpy(2, a, a, 21); // y += 2·y
    expect(Array.from(a)).toEqual(Array.from({ length: 21 }, (_, i) => 9 * i));
  });

  it('throws a RangeError when n exceeds an operand', () => {
    const s = new Float32Array(4);
    const l = new Float64Array(8);
    expect(() => addInto(s, l, l, 8)).toThrow(RangeError);
    expect(() => mulInto(l, l, s, 5)).toThrow(RangeError);
    expect(() => axpy(1, s, l, 6)).toThrow(RangeError);
    expect(() => mapUnary(l, s, 8, Math.abs)).toThrow(/mapUnary/);
    expect(() => addInto(s, l, l, 4)).not.toThrow();
  });

  it('propagates NaN and Infinity like scalar arithmetic', () => {
    const a = new Float32Array([Number.NaN, Number.POSITIVE_INFINITY, 1, 0, 0, 0, 0, 0, 0, Number.NEGATIVE_INFINITY]);
    const b = new Float32Array([1, Number.NEGATIVE_INFINITY, Number.NaN, 0, 0, 0, 0, 0, 0, 0]);
    const out = new Float32Array(10);
    addInto(a, b, out, 10);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeNaN();
    expect(out[9]).toBe(Number.NEGATIVE_INFINITY);
    mulInto(a, b, out, 10);
    expect(out[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(out[9]).toBeNaN(); // -Inf · 0
    const y = new Float64Array(10);
    axpy(0, a, y, 10); // no alpha = 0 shortcut: 0 · NaN and 0 · Inf are NaN
    expect(y[0]).toBeNaN();
    expect(y[1]).toBeNaN();
    expect(y[2]).toBe(0);
  });
});
