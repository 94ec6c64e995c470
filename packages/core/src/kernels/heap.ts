/**
 * A heap of shared WebAssembly memory: arrays that the WebAssembly kernels address where they live,
 * with no copy in or out (the staging of kernels/staged.ts is for every other array).
 *
 * A `WasmHeap` is one `WebAssembly.Memory` created `shared` (its buffer is a SharedArrayBuffer),
 * carved by a bump allocator whose pointer lives in the memory itself (Atomics, so any thread may
 * allocate). Views of it are ordinary typed arrays over shared memory: they travel to workers as
 * any SharedArrayBuffer view does, and a thread that has adopted the memory (`WasmHeap.adopt`,
 * given the `WebAssembly.Memory` object) recognises them and runs the kernels on them in place.
 * A thread that has not adopted it still computes the same bits, through staging.
 *
 * Recognising a view: a structured clone of a SharedArrayBuffer is a new object in the receiving
 * thread, so identity cannot tell. The heap's first 16 bytes hold a random id; a buffer whose first
 * 16 bytes are an adopted heap's id is that heap's memory (the answer is cached per buffer object).
 * Nothing but the allocator writes there: allocations start at byte 64.
 *
 * Nothing is freed one by one: the memory goes with the last reference to the heap (an engine's
 * heap lives as long as the engine and its workers). At most 2 GiB per heap: byte offsets stay
 * non-negative int32 in the kernels. A heap can fill up, so its users take `tryAlloc` and keep
 * what does not fit in ordinary shared memory (the kernels then stage it: slower, the same bits).
 */
import { type DType, type FloatArray, bytesPerElement, viewOf } from '../dtype.js';
import type { WasmMemory } from './wasm.js';

const PAGE = 65536;
/** 2 GiB: byte offsets stay non-negative int32 in the kernels. */
const MAX_PAGES = 32768;
/** Bytes before the first allocation: the id (4 int32) and the bump pointer (int32 at index 4). */
const HEADER = 64;
const TOP = 4;
/** The heap's maximum in pages (int32 at index 5, written by `create`: adopting threads read it there). */
const MAX = 5;
const ID_WORDS = 4;

interface MemoryApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const api = (globalThis as { WebAssembly?: MemoryApi }).WebAssembly;

/** Heaps this thread has adopted, by id; weakly held (a heap goes with its owner). */
const adopted = new Map<string, WeakRef<WasmHeap>>();
/** Per buffer object: the adopted heap it is the memory of, or null (renewed when a heap is adopted). */
let owners = new WeakMap<ArrayBufferLike, WasmHeap | null>();

function idKey(words: Uint32Array): string {
  return `${words[0]}:${words[1]}:${words[2]}:${words[3]}`;
}

function randomId(): Uint32Array {
  const id = new Uint32Array(ID_WORDS);
  const crypto = (globalThis as { crypto?: { getRandomValues(a: Uint32Array): Uint32Array } }).crypto;
  if (crypto) crypto.getRandomValues(id);
  else for (let i = 0; i < ID_WORDS; i++) id[i] = (Math.random() * 2 ** 32) | 0;
  return id;
}

/**
 * A heap of shared WebAssembly memory whose arrays the WebAssembly kernels address in place (see
 * the module's documentation above): `create` one, hand its `memory` to the threads that will
 * compute on its arrays, and each of them `adopt`s it.
 */
export class WasmHeap {
  private readonly words: Uint32Array;
  /** The most bytes the memory may grow to (the memory's maximum). */
  private readonly maxBytes: number;
  /** Why this thread's last `tryAllocBytes` returned null. */
  private lastFailure = '';
  /** This thread's state attached to the heap by kernel modules (their instance on it). */
  readonly local = new Map<string, unknown>();

  /** The most bytes a heap may hold: 2 GiB (byte offsets stay non-negative int32 in the kernels). */
  static readonly MAX_BYTES = MAX_PAGES * PAGE;

  /** The heap's shared `WebAssembly.Memory`: post it to the threads that should adopt the heap. */
  readonly memory: WasmMemory;

  private constructor(memory: WasmMemory) {
    this.memory = memory;
    this.words = new Uint32Array(memory.buffer, 0, HEADER / 4);
    this.maxBytes = this.words[MAX]! * PAGE;
  }

  /**
   * A new heap of at least `bytes` (grown as allocations need, up to `maxBytes`, at most and by
   * default 2 GiB, rounded up to 64 KiB pages), adopted by this thread; null where this runtime has
   * no shared WebAssembly memory (no WebAssembly, no threads, or no address space left for another
   * memory).
   */
  static create(bytes = 1 << 20, maxBytes = MAX_PAGES * PAGE): WasmHeap | null {
    if (!(maxBytes > 0 && maxBytes <= MAX_PAGES * PAGE)) throw new RangeError(`WasmHeap.create: maxBytes must be in (0, ${MAX_PAGES * PAGE}], got ${maxBytes}`);
    if (!api || typeof SharedArrayBuffer !== 'function') return null;
    const maximum = Math.ceil(maxBytes / PAGE);
    let memory: WasmMemory;
    try {
      memory = new api.Memory({ initial: Math.min(maximum, Math.max(1, Math.ceil((bytes + HEADER) / PAGE))), maximum, shared: true });
    } catch {
      return null;
    }
    if (!(memory.buffer instanceof SharedArrayBuffer)) return null;
    const words = new Uint32Array(memory.buffer, 0, HEADER / 4);
    words.set(randomId());
    words[MAX] = maximum;
    Atomics.store(words, TOP, HEADER);
    return WasmHeap.adopt(memory);
  }

  /** The heap over `memory` (a heap's `memory`, sent from another thread), adopted by this thread. */
  static adopt(memory: WasmMemory): WasmHeap {
    const buffer = memory.buffer as ArrayBufferLike;
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < HEADER) {
      throw new TypeError('WasmHeap.adopt: expected the shared WebAssembly.Memory of a WasmHeap');
    }
    const key = idKey(new Uint32Array(buffer, 0, ID_WORDS));
    const known = adopted.get(key)?.deref();
    if (known) return known;
    const heap = new WasmHeap(memory);
    adopted.set(key, new WeakRef(heap));
    owners = new WeakMap(); // a buffer seen before as no heap's may be this one's
    return heap;
  }

  /** The adopted heap whose memory `a` is a view of, or null. */
  static of(a: FloatArray): WasmHeap | null {
    const buffer = a.buffer;
    let heap = owners.get(buffer);
    if (heap === undefined) {
      heap = buffer instanceof SharedArrayBuffer && buffer.byteLength >= HEADER ? (adopted.get(idKey(new Uint32Array(buffer, 0, ID_WORDS)))?.deref() ?? null) : null;
      owners.set(buffer, heap);
    }
    return heap;
  }

  /** Bytes allocated so far (all threads), the header included. */
  get used(): number {
    return Atomics.load(this.words, TOP);
  }

  /** The memory's current size in bytes. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  /** `bytes` bytes aligned to 64 (a cache line): their byte offset in the memory, grown to hold them; throws when the heap cannot hold them. */
  allocBytes(bytes: number): number {
    const start = this.tryAllocBytes(bytes);
    if (start === null) throw new RangeError(`WasmHeap.alloc: the heap cannot hold ${bytes} more bytes (${this.used} bytes used of ${this.maxBytes}): ${this.lastFailure}`);
    return start;
  }

  /**
   * `allocBytes`, or null when the heap cannot hold `bytes` more (it is full, or the memory could
   * not grow) — for callers that then keep the array elsewhere. Throws only on a bad byte count.
   */
  tryAllocBytes(bytes: number): number | null {
    if (!(bytes >= 0) || !Number.isSafeInteger(bytes)) throw new RangeError(`WasmHeap.alloc: expected a non-negative integer byte count, got ${bytes}`);
    const size = Math.ceil(bytes / 64) * 64;
    if (size > this.maxBytes - HEADER) {
      this.lastFailure = `more than a heap of ${this.maxBytes} bytes holds`;
      return null;
    }
    const start = Atomics.add(this.words, TOP, size);
    const end = start + size;
    if (end > this.maxBytes) {
      Atomics.sub(this.words, TOP, size);
      this.lastFailure = 'the heap is full';
      return null;
    }
    // Another thread may grow it at the same time (the memory then ends up larger than needed); a
    // grow that fails because the other one took the memory to its maximum is checked, not trusted.
    // A grow that fails for want of memory leaves the bytes reserved (another thread may have
    // allocated after them): the heap's end is then unreachable, and later calls fail too.
    for (let have = this.memory.buffer.byteLength; end > have; have = this.memory.buffer.byteLength) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch (e) {
        if (this.memory.buffer.byteLength < end) {
          this.lastFailure = `could not grow the memory to ${end} bytes: ${(e as Error).message}`;
          return null;
        }
      }
    }
    return start;
  }

  /** A zero-filled array of `n` elements of `dtype` on the heap (fresh memory is zero; recycled is never handed out); throws when the heap cannot hold it. */
  alloc(dtype: DType, n: number): FloatArray {
    const a = this.tryAlloc(dtype, n);
    if (!a) throw new RangeError(`WasmHeap.alloc: the heap cannot hold ${n} elements of ${dtype} (${this.used} bytes used of ${this.maxBytes}): ${this.lastFailure}`);
    return a;
  }

  /** `alloc`, or null when the heap cannot hold the array (see `tryAllocBytes`). */
  tryAlloc(dtype: DType, n: number): FloatArray | null {
    const start = this.tryAllocBytes(n * bytesPerElement(dtype));
    if (start === null) return null;
    const buffer = this.memory.buffer as ArrayBufferLike;
    owners.set(buffer, this);
    return viewOf(buffer, start, n, dtype);
  }
}
