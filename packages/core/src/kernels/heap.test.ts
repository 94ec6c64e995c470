import { afterEach, describe, expect, it } from 'vitest';
import type { FloatArray } from '../dtype.js';
import { Rng } from '../rng.js';
import { type AdamConstants, adamUpdate } from './adam.js';
import { WasmHeap } from './heap.js';
import { sumSquares } from './reduce.js';
import { reluBackward, reluForward } from './relu.js';
import { CHUNK } from './staged.js';
import { type GemmKernel, kernelChoice, useGemmKernel, useKernelChoice, wasmKernelsAvailable } from './wasm.js';

/**
 * Arrays on a WasmHeap: allocation, recognition (also through a new buffer object, as another
 * thread sees it), and the elementwise kernels on them in place — the JavaScript kernels' bits,
 * with the memory around every operand untouched.
 */
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const rng = new Rng(31);
const initial = kernelChoice();
afterEach(() => useKernelChoice(initial));

const heap = WasmHeap.create(1 << 16)!;
const SENTINEL = -12345.5;

describe('WasmHeap', () => {
  it('exists wherever the WebAssembly kernels do', () => {
    expect(heap !== null).toBe(wasmKernelsAvailable());
  });

  it('hands out zeroed arrays on 64-byte boundaries, growing the memory past its first size', () => {
    const before = heap.used;
    const a = heap.alloc('float32', 3);
    const b = heap.alloc('float64', 100_000); // 800 kB: more than the 64 KiB the heap started with
    expect(a.byteOffset % 64).toBe(0);
    expect(b.byteOffset % 64).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 64);
    expect(heap.used).toBe(before + 64 + 800_000);
    expect(heap.capacity).toBeGreaterThanOrEqual(heap.used);
    expect([...a, b[0], b[99_999]]).toEqual([0, 0, 0, 0, 0]);
    b[99_999] = 3; // the memory holds it (a grown shared memory keeps its old views valid)
    expect(new Float64Array(heap.memory.buffer, b.byteOffset, 100_000)[99_999]).toBe(3);
  });

  it('recognises its arrays, also through another buffer object over the same memory', () => {
    const a = heap.alloc('float32', 8);
    expect(WasmHeap.of(a)).toBe(heap);
    const clone = structuredClone(a); // a new SharedArrayBuffer object, the same memory
    expect(clone.buffer).not.toBe(a.buffer);
    clone[5] = 9;
    expect(a[5]).toBe(9);
    expect(WasmHeap.of(clone)).toBe(heap);
    expect(WasmHeap.of(new Float32Array(new SharedArrayBuffer(1024)))).toBeNull();
    expect(WasmHeap.of(new Float32Array(8))).toBeNull();
    const other = WasmHeap.create(1024)!;
    expect(WasmHeap.of(other.alloc('float32', 4))).toBe(other);
    expect(WasmHeap.adopt(other.memory)).toBe(other);
  });

  it('fills up at its maximum: tryAlloc gives null, alloc names the heap and why; what was handed out stays', () => {
    const small = WasmHeap.create(1024, 4 * 65536)!; // four pages
    const got: FloatArray[] = [];
    for (let a = small.tryAlloc('float32', 10_000); a; a = small.tryAlloc('float32', 10_000)) {
      a.fill(got.length);
      got.push(a);
    }
    expect(got.length).toBe(6); // 6 × 40 000 bytes (64-byte aligned: 40 000) after the 64-byte header; a seventh would end past 262 144
    expect(small.used).toBe(64 + 6 * 40_000);
    expect(small.capacity).toBe(4 * 65536);
    expect(() => small.alloc('float32', 10_000)).toThrow(`WasmHeap.alloc: the heap cannot hold 10000 elements of float32 (${64 + 6 * 40_000} bytes used of 262144): the heap is full`);
    expect(small.used).toBe(64 + 6 * 40_000); // a refused allocation takes nothing
    expect(small.tryAlloc('float32', 1000)).not.toBeNull(); // the rest is still there for a smaller one
    expect(got.map((a) => a[9_999])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(WasmHeap.MAX_BYTES).toBe(2 ** 31);
  });

  it('refuses what it cannot allocate, naming the amount', () => {
    expect(() => heap.alloc('float32', -1)).toThrow('WasmHeap.alloc: expected a non-negative integer byte count, got -4');
    expect(() => heap.allocBytes(2 ** 31)).toThrow(`WasmHeap.alloc: the heap cannot hold ${2 ** 31} more bytes (${heap.used} bytes used of ${2 ** 31}): more than a heap of ${2 ** 31} bytes holds`);
    expect(heap.tryAllocBytes(2 ** 31)).toBeNull();
    expect(() => heap.tryAllocBytes(1.5)).toThrow('WasmHeap.alloc: expected a non-negative integer byte count, got 1.5');
    expect(() => WasmHeap.create(1024, 0)).toThrow(`WasmHeap.create: maxBytes must be in (0, ${2 ** 31}], got 0`);
    expect(() => WasmHeap.create(1024, 2 ** 31 + 1)).toThrow(`WasmHeap.create: maxBytes must be in (0, ${2 ** 31}], got ${2 ** 31 + 1}`);
    expect(() => WasmHeap.adopt({ buffer: new ArrayBuffer(64), grow: () => 0 })).toThrow('WasmHeap.adopt: expected the shared WebAssembly.Memory of a WasmHeap');
  });
});

/**
 * `n` random values on the heap (or off it), right between two guards of 16 sentinels (one heap
 * block, so an overrun by even one element lands in a guard; the operand starts off any 16-byte
 * boundary for float32, as views of a tensor may).
 */
function operand(T: Ctor, n: number, onHeap: boolean, guards: FloatArray[], positive = false): FloatArray {
  const block = onHeap ? heap.alloc(T === Float32Array ? 'float32' : 'float64', n + 33).subarray(1) : new T(n + 32);
  block.fill(SENTINEL);
  guards.push(block.subarray(0, 16), block.subarray(16 + n));
  const a = block.subarray(16, 16 + n);
  for (let i = 0; i < n; i++) a[i] = (positive ? rng.next() : rng.next() * 2 - 1) * 10 ** Math.floor(rng.next() * 6 - 4);
  return a;
}

const copy = (a: FloatArray) => (a instanceof Float64Array ? Float64Array.from(a) : Float32Array.from(a));
const firstDiff = (x: FloatArray, y: FloatArray) => x.findIndex((v, i) => !Object.is(v, y[i]));
const k: AdamConstants = { b1: 0.9, c1: 0.1, b2: 0.999, c2: 1 - 0.999, bc1: 1 - 0.9 ** 7, bc2Sqrt: Math.sqrt(1 - 0.999 ** 7), eps: 1e-8, factor: -1e-3 };
const sizes = [1, 2, 3, 4, 5, 7, 9, 17, ...Array.from({ length: 10 }, () => 1 + Math.floor(rng.next() * 300)), CHUNK + 3, 3 * CHUNK];
/** Which operands (g, m0, v0, m, v, p) are on the heap: all, the state only, none but p. */
const layouts: [string, boolean[]][] = [
  ['all on the heap', [true, true, true, true, true, true]],
  ['moments on the heap, g and p not', [false, true, true, true, true, false]],
  ['only p on the heap', [false, false, false, false, false, true]],
];

describe.runIf(heap !== null)('the elementwise kernels on heap arrays', () => {
  for (const T of [Float32Array, Float64Array]) {
    for (const [name, on] of layouts) {
      it(`adamUpdate: the JavaScript bits, neighbours untouched (${name}, ${T.name})`, () => {
        for (const n of sizes) {
          const guards: FloatArray[] = [];
          const [g, m0, v0, m, v, p] = on.map((h, i) => operand(T, n, h, guards, i === 2 || i === 4));
          const ref = [copy(m0), copy(v0), copy(m0), copy(v0), copy(p)];
          useGemmKernel('js');
          adamUpdate(g, ref[0]!, ref[1]!, ref[2]!, ref[3]!, ref[4]!, k);
          for (const kernel of ['wasm', 'fast'] as GemmKernel[]) {
            useGemmKernel(kernel);
            const pk = copy(p);
            p.set(pk);
            adamUpdate(g, m0, v0, m, v, p, k);
            expect([n, firstDiff(m, ref[2]!), firstDiff(v, ref[3]!), firstDiff(p, ref[4]!)]).toEqual([n, -1, -1, -1]);
            p.set(pk);
          }
          expect(guards.every((a) => a.every((x) => x === SENTINEL))).toBe(true);
        }
      });
    }

    it(`relu forward and backward in place on the heap: the JavaScript bits, neighbours untouched (${T.name})`, () => {
      for (const n of sizes) {
        const guards: FloatArray[] = [];
        const [x, g, y, gx] = [true, true, true, false].map((h) => operand(T, n, h, guards));
        x[0] = Number.NaN;
        const yj = new T(n);
        const gj = new T(n);
        useGemmKernel('js');
        reluForward(x, yj);
        reluBackward(x, g, gj);
        useGemmKernel('fast');
        reluForward(x, y);
        reluBackward(x, g, gx);
        expect([n, firstDiff(y, yj), firstDiff(gx, gj)]).toEqual([n, -1, -1]);
        const inPlace = copy(x);
        reluForward(x, x); // y = x: the same array in and out
        expect(firstDiff(x, yj)).toBe(-1);
        x.set(inPlace);
        expect(guards.every((a) => a.every((v) => v === SENTINEL))).toBe(true);
      }
    });
  }

  // Inputs and output of each dtype: the runtime sums float64 shard gradients into float32 ones.
  for (const [T, U] of [[Float32Array, Float32Array], [Float64Array, Float64Array], [Float64Array, Float32Array], [Float32Array, Float64Array]] as const) {
    for (const [name, on] of [['on the heap', true], ['staged', false]] as const) {
      for (const two of [false, true]) {
        it(`sumSquares of ${two ? 'two operands' : 'one operand'} ${name}: the definition's bits, neighbours untouched (${T.name} into ${U.name})`, () => {
          for (const n of sizes) {
            const guards: FloatArray[] = [];
            const [a, b, g] = [T, T, U].map((C) => operand(C, n, on, guards));
            // The definition: each sum in float64, rounded to the dtype, squared and added in order.
            const want = new U(n);
            let wantSq = 0;
            for (let i = 0; i < n; i++) {
              want[i] = two ? a[i]! + b[i]! : a[i]!;
              wantSq += want[i]! * want[i]!;
            }
            for (const kernel of ['js', 'fast'] as GemmKernel[]) {
              useGemmKernel(kernel);
              g.fill(7);
              expect([n, kernel, sumSquares(a, two ? b! : null, g), firstDiff(g, want)]).toEqual([n, kernel, wantSq, -1]);
            }
            expect(guards.every((x) => x.every((v) => v === SENTINEL))).toBe(true);
          }
        });
      }
    }
  }

  it('adamUpdate on the arrays of a heap too full for its staging regions: staged through the own module, the same bits', () => {
    const n = 3001;
    const full = WasmHeap.create(1024, 2 * 65536)!;
    const [g, m0, v0, m, v, p] = Array.from({ length: 6 }, (_, i) => {
      const a = full.alloc('float32', n);
      for (let j = 0; j < n; j++) a[j] = (i === 2 ? rng.next() : rng.next() * 2 - 1) * 0.1;
      return a;
    });
    expect(full.tryAllocBytes(CHUNK * 8 * 4)).toBeNull(); // no room for this thread's regions (4 × CHUNK float64) on it
    const ref = [copy(m0!), copy(v0!), new Float32Array(n), new Float32Array(n), copy(p!)];
    useGemmKernel('js');
    adamUpdate(g!, ref[0]!, ref[1]!, ref[2]!, ref[3]!, ref[4]!, k);
    useGemmKernel('fast');
    adamUpdate(g!, m0!, v0!, m!, v!, p!, k);
    expect([firstDiff(m!, ref[2]!), firstDiff(v!, ref[3]!), firstDiff(p!, ref[4]!)]).toEqual([-1, -1, -1]);
    expect(full.local.get('elementwise')).toBeNull(); // the heap's module instance had no room: none
  });

  it('sumSquares names an operand shorter than g', () => {
    expect(() => sumSquares(new Float32Array(3), new Float32Array(2), new Float32Array(3))).toThrow("sumSquares: b has 2 elements, fewer than g's 3");
  });

  it('runs the heap module of this thread on heap operands', () => {
    const h = WasmHeap.create(1 << 16)!;
    const x = h.alloc('float32', 8).fill(-1);
    useGemmKernel('fast');
    expect(h.local.has('elementwise')).toBe(false);
    reluForward(x, x);
    expect(h.local.has('elementwise')).toBe(true);
    expect([...x]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
