import { type DType, Tensor, bytesPerElement, type kernels, viewOf } from '@actorgrad/core';

/** A typed array of `n` elements over a new `SharedArrayBuffer` (coordination words, counters). */
export function sharedArray<T>(Ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  return new Ctor(new SharedArrayBuffer(n * Ctor.BYTES_PER_ELEMENT));
}

/** Where an arena's memory lives: a `SharedArrayBuffer` of its own, or a region of a heap. */
export interface Region {
  buffer: ArrayBufferLike;
  base: number;
  bytes: number;
}

/** `bytes` bytes on `heap` (the kernels then address them in place), or, with no heap or no room on it, a new SharedArrayBuffer. */
export function region(bytes: number, heap: kernels.WasmHeap | null): Region {
  const base = heap ? heap.tryAllocBytes(bytes) : null;
  if (base === null) return { buffer: new SharedArrayBuffer(bytes), base: 0, bytes };
  return { buffer: heap!.memory.buffer, base, bytes };
}

/**
 * A bump allocator over one region of shared memory: tensors are carved out of it and all freed at
 * once by `reset()`. The per-step arena holds activations and per-shard gradients; it is reset
 * after every step, so a step produces no garbage. When a step needs more room than the region
 * has, the next `reset()` grows it (the old region stays valid for anyone still holding it). On a
 * `WasmHeap` (the engine's), the WebAssembly kernels work on its tensors in place.
 */
export class Arena {
  private region: Region;
  private offset = 0;
  private needed = 0;
  /** Bumped whenever `reset` replaces the region: equal generations and equal allocations, equal memory. */
  generation = 0;

  constructor(
    readonly name: string,
    bytes = 1 << 20,
    private readonly heap: kernels.WasmHeap | null = null,
  ) {
    this.region = region(bytes, heap);
  }

  get capacity(): number {
    return this.region.bytes;
  }

  get used(): number {
    return this.offset;
  }

  /**
   * A tensor of `shape` in the arena (or in a fresh buffer if the arena is full), zero-filled
   * unless `zero` is false — for buffers a message overwrites entirely (outputs, gradients).
   */
  alloc(dtype: DType, shape: readonly number[], { zero = true } = {}): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const bytes = n * bytesPerElement(dtype);
    const start = Math.ceil(this.offset / 8) * 8;
    this.needed = Math.max(this.needed, start + bytes);
    if (start + bytes > this.region.bytes) {
      // Overflow: serve this step from its own buffer; reset() grows the arena for the next one.
      this.offset = start + bytes;
      return new Tensor(viewOf(new SharedArrayBuffer(bytes), 0, n, dtype), shape);
    }
    this.offset = start + bytes;
    const t = new Tensor(viewOf(this.region.buffer, this.region.base + start, n, dtype), shape);
    if (zero) t.data.fill(0);
    return t;
  }

  /** Frees everything; grows the region if the last cycle overflowed. */
  reset(): void {
    if (this.needed > this.region.bytes) {
      this.region = region(Math.ceil(this.needed * 1.25), this.heap);
      this.generation++;
    }
    this.offset = 0;
    this.needed = 0;
  }
}
