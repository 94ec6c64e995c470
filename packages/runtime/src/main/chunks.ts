import { allocShared, isFloatArray } from '@actorgrad/core';

/** Elements [lo, hi) of parameter `param` of layer `layer`: the unit of reduction and optimiser state. */
export interface ChunkRange {
  layer: number;
  param: number;
  lo: number;
  hi: number;
}

/**
 * Every parameter (sizes[layer][param] elements) cut into equal parts of at most `chunk` elements,
 * in layer, parameter, position order. A function of the sizes and `chunk` only, never of threads.
 */
export function chunkLayout(sizes: number[][], chunk: number): ChunkRange[] {
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunkLayout: chunk must be a positive integer, got ${chunk}`);
  return sizes.flatMap((params, layer) =>
    params.flatMap((size, param) => {
      const parts = Math.ceil(size / chunk);
      return Array.from({ length: parts }, (_, c) => ({ layer, param, lo: Math.round((c * size) / parts), hi: Math.round(((c + 1) * size) / parts) }));
    }),
  );
}

/**
 * Optimiser states saved with one chunk layout, cut and joined into another (an older checkpoint
 * with bigger chunks, say). Every optimiser here is elementwise: an array leaf of a chunk's state
 * holds one value per element of the chunk, so a new chunk's leaf is the concatenation of the
 * overlapping slices; any other leaf (a step count) must be the same in all the chunks joined.
 */
export function rechunk(states: unknown[], from: ChunkRange[], to: ChunkRange[]): unknown[] {
  if (states.length !== from.length) throw new RangeError(`rechunk: ${states.length} states for a layout of ${from.length} chunks`);
  return to.map((t) => {
    const parts = from
      .map((f, i) => ({ f, state: states[i] }))
      .filter(({ f }) => f.layer === t.layer && f.param === t.param && f.lo < t.hi && f.hi > t.lo);
    const covered = parts.reduce((a, { f }) => a + Math.min(f.hi, t.hi) - Math.max(f.lo, t.lo), 0);
    if (covered !== t.hi - t.lo) throw new RangeError(`rechunk: layer ${t.layer} parameter ${t.param} [${t.lo}, ${t.hi}) is not covered by the saved chunks`);
    return join(
      parts.map(({ f, state }) => ({ state, from: Math.max(f.lo, t.lo) - f.lo, to: Math.min(f.hi, t.hi) - f.lo, length: f.hi - f.lo })),
      `layer ${t.layer} parameter ${t.param}`,
    );
  });
}

interface Part {
  state: unknown;
  /** The slice [from, to) of the part's arrays (of `length` elements) that goes into the new chunk. */
  from: number;
  to: number;
  length: number;
}

function join(parts: Part[], where: string): unknown {
  const first = parts[0]!.state;
  if (isFloatArray(first)) {
    const size = parts.reduce((a, p) => a + p.to - p.from, 0);
    const out = allocShared(first instanceof Float64Array ? 'float64' : 'float32', size);
    let at = 0;
    for (const p of parts) {
      const a = p.state;
      if (!isFloatArray(a) || a.length !== p.length) throw new RangeError(`rechunk: ${where}: an array leaf of ${isFloatArray(a) ? a.length : typeof a} elements in a chunk of ${p.length}`);
      out.set(a.subarray(p.from, p.to), at);
      at += p.to - p.from;
    }
    return out;
  }
  if (Array.isArray(first)) return first.map((_, i) => join(parts.map((p) => ({ ...p, state: (p.state as unknown[])[i] })), where));
  if (first !== null && typeof first === 'object') {
    return Object.fromEntries(Object.keys(first).map((k) => [k, join(parts.map((p) => ({ ...p, state: (p.state as Record<string, unknown>)[k] })), where)]));
  }
  for (const p of parts) {
    if (!Object.is(p.state, first)) throw new RangeError(`rechunk: ${where}: the chunks disagree (${String(first)} and ${String(p.state)}), they cannot be joined`);
  }
  return first;
}
