/** Per-thread scratch buffers (not shared; reused across messages to avoid garbage). */
const cache = new Map<string, Float32Array | Float64Array>();

export function scratch(kind: 'float32' | 'float64', n: number, slot: string): Float32Array | Float64Array {
  const key = `${kind}:${slot}`;
  let a = cache.get(key);
  if (!a || a.length < n) {
    a = kind === 'float64' ? new Float64Array(n) : new Float32Array(n);
    cache.set(key, a);
  }
  return a;
}

/** A deterministic 32-bit seed from a base seed and coordinates (step, layer, shard): splitmix-style mixing. */
export function mixSeed(seed: number, ...coords: number[]): number {
  let h = (seed ^ 0x2545f491) >>> 0;
  for (const c of coords) {
    h = Math.imul(h ^ (c + 0x9e3779b9), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}
