import { type FloatArray, allocShared, dtypeOf, isFloatArray, kernels } from '@actorgrad/core';
import * as optim from '@actorgrad/optim';

/**
 * Optimiser state kept in place, in two slots of shared memory per optimiser chunk: a step reads
 * slot p and writes slot 1 − p, and the engine flips p when the step commits. A failed step leaves
 * slot p untouched, so rolling back costs nothing, and a step message carries no state: every
 * thread that knows the slots can rebuild the state of either parity.
 *
 * A state (plain data, as optim's transformations make it) is split into a *template* — its shape,
 * with arrays and numbers replaced by their index — its arrays, and its numbers (step counts and the
 * like, kept in a `Float64Array`, which holds every JS number exactly).
 */

/** The shape of a state: arrays and numbers replaced by `{ a: i }` and `{ n: i }`. */
export type Template = null | boolean | string | { a: number } | { n: number } | Template[] | { o: [string, Template][] };

/** A state split up (see above). `sig` identifies the template: states with equal `sig` have the same shape. */
export interface Flat {
  template: Template;
  sig: string;
  arrays: FloatArray[];
  numbers: number[];
}

/** One optimiser chunk's two slots: the template, and per slot its arrays and numbers (shared memory). */
export interface ChunkSlots {
  template: Template;
  sig: string;
  arrays: [FloatArray[], FloatArray[]];
  numbers: [Float64Array, Float64Array];
}

/** Splits a state into template, arrays and numbers; throws on anything that is not plain data. */
export function flatten(state: unknown): Flat {
  const arrays: FloatArray[] = [];
  const numbers: number[] = [];
  const walk = (v: unknown, path: string): Template => {
    if (isFloatArray(v)) {
      arrays.push(v);
      return { a: arrays.length - 1 };
    }
    if (typeof v === 'number') {
      numbers.push(v);
      return { n: numbers.length - 1 };
    }
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return { o: Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, `${path}.${k}`)] as [string, Template]) };
    }
    throw new TypeError(`optimizer state: ${path || 'the state'} is ${describe(v)}; expected plain data (objects, arrays, numbers, Float32Array/Float64Array)`);
  };
  const template = walk(state, '');
  // The signature records each array's dtype and length too: equal signatures, interchangeable slots.
  const sig = `${JSON.stringify(template)}|${arrays.map((a) => `${dtypeOf(a)}:${a.length}`).join(',')}`;
  return { template, sig, arrays, numbers };
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return `a ${typeof v}`;
}

/** The state a template describes, over the given arrays and numbers (arrays are not copied). */
export function unflatten(template: Template, arrays: readonly FloatArray[], numbers: ArrayLike<number>): unknown {
  const build = (t: Template): unknown => {
    if (t === null || typeof t !== 'object') return t;
    if (Array.isArray(t)) return t.map(build);
    if ('a' in t) return arrays[t.a];
    if ('n' in t) return numbers[t.n];
    return Object.fromEntries(t.o.map(([k, x]) => [k, build(x)]));
  };
  return build(template);
}

/**
 * Two slots for a chunk whose current state is `state`: slot 0 holds it (its own arrays when they
 * are already where slots live, else copies), slot 1 gets new arrays of the same dtypes and
 * lengths. Slots live on `heap` when one is given (the kernels then update them in place), else in
 * shared memory.
 */
export function makeSlots(state: unknown, heap: kernels.WasmHeap | null = null): ChunkSlots {
  const { template, sig, arrays, numbers } = flatten(state);
  // On the heap while it has room, else in shared memory of their own.
  const like = (a: FloatArray) => heap?.tryAlloc(dtypeOf(a), a.length) ?? allocShared(dtypeOf(a), a.length);
  const slot0 = arrays.map((a) => {
    if (heap ? kernels.WasmHeap.of(a) === heap : a.buffer instanceof SharedArrayBuffer) return a;
    const c = like(a);
    c.set(a);
    return c;
  });
  const slot1 = arrays.map(like);
  const nums = () => allocShared('float64', numbers.length) as Float64Array;
  const n0 = nums();
  n0.set(numbers);
  return { template, sig, arrays: [slot0, slot1], numbers: [n0, nums()] };
}

/** The state in slot `p` (a new object tree over the slot's arrays). */
export function slotState(s: ChunkSlots, p: 0 | 1): unknown {
  return unflatten(s.template, s.arrays[p], s.numbers[p]);
}

/**
 * Writes `next` (a state of the same shape) into slot `q`: its numbers, and each array that is not
 * already the slot's own (copied; an array that is another position's target is copied aside first,
 * so nothing is overwritten before it is read). Throws when `next` has another shape — the
 * optimiser's state changed structure, which the slots cannot hold.
 */
export function storeSlot(s: ChunkSlots, q: 0 | 1, next: unknown): void {
  const target = s.arrays[q];
  // Walked against the slots' template (no new template, no signature string: this runs for every
  // chunk of every step); on any difference, `flatten` says what changed.
  const arrays: FloatArray[] = [];
  const numbers = s.numbers[q];
  if (!matches(s.template, next, target, arrays, numbers)) {
    const flat = flatten(next);
    throw new Error(`optimizer state changed shape between steps (${s.sig} → ${flat.sig})`);
  }
  const src = arrays.map((a, i) => (a !== target[i] && target.includes(a) ? a.slice() : a));
  src.forEach((a, i) => {
    if (a !== target[i]) target[i]!.set(a);
  });
}

/**
 * Whether `v` has template `t`'s shape with arrays of the dtypes and lengths of `like` (what equal
 * `flatten` signatures mean); collects its arrays in order into `arrays` and writes its numbers
 * into `numbers` on the way (harmless if it then does not match: the caller throws).
 */
function matches(t: Template, v: unknown, like: readonly FloatArray[], arrays: FloatArray[], numbers: Float64Array): boolean {
  if (t === null || typeof t !== 'object') return v === t;
  if (Array.isArray(t)) {
    if (!Array.isArray(v) || v.length !== t.length) return false;
    for (let i = 0; i < t.length; i++) if (!matches(t[i]!, v[i], like, arrays, numbers)) return false;
    return true;
  }
  if ('a' in t) {
    const l = like[t.a]!;
    if (!isFloatArray(v) || v.length !== l.length || dtypeOf(v) !== dtypeOf(l) || arrays.length !== t.a) return false;
    arrays.push(v);
    return true;
  }
  if ('n' in t) {
    if (typeof v !== 'number') return false;
    numbers[t.n] = v;
    return true;
  }
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const keys = Object.keys(v);
  if (keys.length !== t.o.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const [k, x] = t.o[i]!;
    if (keys[i] !== k || !matches(x, (v as Record<string, unknown>)[k], like, arrays, numbers)) return false;
  }
  return true;
}

/** Whether `a` is one of the slots' arrays (such arrays must never be handed out for reuse). */
export function inSlots(s: ChunkSlots, a: FloatArray): boolean {
  return s.arrays[0].includes(a) || s.arrays[1].includes(a);
}

/**
 * An `ArrayPool` that hands out `targets` in order (while dtype and length match), then defers to
 * `fallback`: an update that allocates its next state in the state's leaf order (the fused Adam:
 * first moment, then second) writes it straight into the slot.
 */
export class OrderedPool extends optim.ArrayPool {
  private i = 0;

  constructor(
    private readonly targets: readonly FloatArray[],
    private readonly fallback: optim.ArrayPool,
  ) {
    super();
  }

  override take(dtype: import('@actorgrad/core').DType, length: number): FloatArray | undefined {
    const t = this.targets[this.i];
    if (t && t.length === length && dtypeOf(t) === dtype) {
      this.i++;
      return t;
    }
    return this.fallback.take(dtype, length);
  }
}
