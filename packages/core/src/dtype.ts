/** Element types a tensor can hold. `float32` is the default; `float64` serves gradient checks and second-order methods. */
export type DType = 'float32' | 'float64';

export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** Bytes per element of a dtype. */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'float64' ? 8 : 4;
}

/** Throws a clear error unless `dtype` is a known dtype. */
export function checkDType(dtype: unknown, where = 'dtype'): DType {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw new TypeError(`${where}: unknown dtype ${JSON.stringify(dtype)}; expected one of ${DTYPES.join(', ')}`);
}

/** The dtype of a result of mixing `a` and `b` (float64 wins, as in PyTorch's type promotion). */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

/**
 * Whether this realm has `SharedArrayBuffer`. A browser page that is not cross-origin isolated
 * (served without COOP/COEP headers) has none; core then allocates plain `ArrayBuffer`s, which is
 * all a single thread needs (only the runtime's workers share memory, and they run in Node).
 */
export const sharedMemory: boolean = typeof SharedArrayBuffer === 'function';

/** `bytes` zero-filled bytes: a `SharedArrayBuffer`, or an `ArrayBuffer` where there is none. */
export function allocBuffer(bytes: number): ArrayBufferLike {
  return sharedMemory ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/**
 * Tensors of at most this many bytes share slabs of `SLAB_BYTES`: a `new SharedArrayBuffer` costs
 * microseconds whatever its size, and a step of a tiny network (XOR 2-4-1: ~60 tensors of a few
 * elements) spent a third of its time there. A slab is never reused, only released by the garbage
 * collector when none of its tensors is left, so a tensor kept alive keeps at most 16 KiB.
 */
const SMALL_BYTES = 512;
const SLAB_BYTES = 16 * 1024;
let slab: ArrayBufferLike = allocBuffer(0);
let slabUsed = 0;

/**
 * A zero-filled typed array of `size` elements over fresh shared memory (see `allocBuffer`): its
 * own buffer, or for a small array a 16-byte-aligned part of a slab no other array uses.
 */
export function allocShared(dtype: DType, size: number): FloatArray {
  const n = Math.max(size, 0);
  const bytes = n * bytesPerElement(dtype);
  if (bytes > SMALL_BYTES || bytes === 0) {
    const buffer = allocBuffer(bytes);
    return dtype === 'float64' ? new Float64Array(buffer) : new Float32Array(buffer);
  }
  if (slabUsed + bytes > slab.byteLength) {
    slab = allocBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed = (at + bytes + 15) & ~15;
  return dtype === 'float64' ? new Float64Array(slab, at, n) : new Float32Array(slab, at, n);
}

/** A typed-array view of `size` elements at `byteOffset` of `buffer`, without copying. */
export function viewOf(buffer: ArrayBufferLike, byteOffset: number, size: number, dtype: DType): FloatArray {
  checkDType(dtype, 'viewOf');
  return dtype === 'float64' ? new Float64Array(buffer, byteOffset, size) : new Float32Array(buffer, byteOffset, size);
}

export function dtypeOf(arr: FloatArray): DType {
  return arr instanceof Float64Array ? 'float64' : 'float32';
}

/** Whether `v` is a typed array of one of the float dtypes (a `FloatArray`). */
export function isFloatArray(v: unknown): v is FloatArray {
  return v instanceof Float32Array || v instanceof Float64Array;
}
