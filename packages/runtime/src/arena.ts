import { type DType, Tensor, bytesPerElement, viewOf } from '@actorgrad/core';

/** A typed array of `n` elements over a new `SharedArrayBuffer` (coordination words, counters). */
export function sharedArray<T>(Ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  return new Ctor(new SharedArrayBuffer(n * Ctor.BYTES_PER_ELEMENT));
}

/**
 * A bump allocator over one `SharedArrayBuffer`: tensors are carved out of it and all freed at
 * once by `reset()`. The per-step arena holds activations and per-shard gradients; it is reset
 * after every step, so a step produces no garbage. When a step needs more room than the buffer
 * has, the next `reset()` grows it (the old buffer stays valid for anyone still holding it).
 */
export class Arena {
  private buffer: SharedArrayBuffer;
  private offset = 0;
  private needed = 0;
  /** Bumped whenever `reset` replaces the buffer: equal generations and equal allocations, equal memory. */
  generation = 0;

  constructor(
    readonly name: string,
    bytes = 1 << 20,
  ) {
    this.buffer = new SharedArrayBuffer(bytes);
  }

  get capacity(): number {
    return this.buffer.byteLength;
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
    if (start + bytes > this.buffer.byteLength) {
      // Overflow: serve this step from its own buffer; reset() grows the arena for the next one.
      this.offset = start + bytes;
      return new Tensor(viewOf(new SharedArrayBuffer(bytes), 0, n, dtype), shape);
    }
    this.offset = start + bytes;
    const t = new Tensor(viewOf(this.buffer, start, n, dtype), shape);
    if (zero) t.data.fill(0);
    return t;
  }

  /** Frees everything; grows the buffer if the last cycle overflowed. */
  reset(): void {
    if (this.needed > this.buffer.byteLength) {
      this.buffer = new SharedArrayBuffer(Math.ceil(this.needed * 1.25));
      this.generation++;
    }
    this.offset = 0;
    this.needed = 0;
  }
}
