import { Rng, randn } from '@actorgrad/core';
import * as optim from '@actorgrad/optim';
import { describe, expect, it } from 'vitest';
import { OrderedPool, flatten, inSlots, makeSlots, slotState, storeSlot, unflatten } from './slots.js';
import { fusedAdam } from './fused-adam.js';
import { OPTIMIZERS, optimizerStep, stepInSlots } from './step.js';

const sab32 = (values: number[]) => {
  const a = new Float32Array(new SharedArrayBuffer(values.length * 4));
  a.set(values);
  return a;
};
const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('flatten / unflatten', () => {
  it('splits a state into template, arrays and numbers, and puts it back together over the same arrays', () => {
    const m = sab32([1, 2]);
    const v = new Float64Array([3, 4]);
    const state = [{ count: 7, mu: { w: m }, nu: { w: v }, nuMax: null, flag: true, name: 'x' }, { count: -0 }, [0.5, Number.NaN]];
    const flat = flatten(state);
    expect(flat.arrays).toEqual([m, v]);
    expect(flat.arrays[0]).toBe(m);
    expect(flat.numbers).toEqual([7, -0, 0.5, Number.NaN]);
    expect(flat.sig).toContain('float32:2,float64:2');
    const back = unflatten(flat.template, flat.arrays, flat.numbers) as typeof state;
    expect(back).toEqual(state);
    expect((back[0] as { mu: { w: Float32Array } }).mu.w).toBe(m);
    expect(Object.is((back[1] as { count: number }).count, -0)).toBe(true);
    // Same shape, other dtype or length: another signature.
    expect(flatten([{ count: 1, mu: { w: sab32([0, 0, 0]) } }]).sig).not.toBe(flatten([{ count: 1, mu: { w: sab32([0, 0]) } }]).sig);
  });

  it('rejects what is not plain data, naming where it is', () => {
    expect(() => flatten({ a: [1, { b: new Map() }] })).toThrow(/optimizer state: \.a\[1\]\.b is a Map; expected plain data/);
    expect(() => flatten({ a: undefined })).toThrow(/\.a is undefined/);
  });
});

describe('slots', () => {
  it('slot 0 holds the state (its shared arrays as they are, others copied); slot 1 has arrays of its own', () => {
    const shared = sab32([1, 2, 3]);
    const local = new Float32Array([4, 5, 6]);
    const s = makeSlots({ count: 3, a: shared, b: local });
    expect(s.arrays[0][0]).toBe(shared);
    expect(s.arrays[0][1]).not.toBe(local);
    expect(s.arrays[0][1]!.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(s.arrays[0][1]!)).toEqual([4, 5, 6]);
    expect(s.arrays[1].every((a, i) => a !== s.arrays[0][i] && a.buffer instanceof SharedArrayBuffer && a.length === 3)).toBe(true);
    expect(slotState(s, 0)).toEqual({ count: 3, a: shared, b: local });
    expect(inSlots(s, shared) && inSlots(s, s.arrays[1][1]!) && !inSlots(s, local)).toBe(true);
  });

  it("storing copies what is not the slot's own, even when the next state uses the slot's arrays in another order", () => {
    const s = makeSlots({ count: 1, m: sab32([1, 1]), v: sab32([2, 2]) });
    const [tm, tv] = s.arrays[1] as [Float32Array, Float32Array];
    tm.set([20, 21]); // the update wrote v into the slot's m array…
    tv.set([10, 11]); // …and m into its v array
    storeSlot(s, 1, { count: 2, m: tv, v: tm });
    expect(slotState(s, 1)).toEqual({ count: 2, m: sab32([10, 11]), v: sab32([20, 21]) });
    expect(Array.from(s.arrays[0][0]!)).toEqual([1, 1]); // slot 0 untouched
    expect(() => storeSlot(s, 0, { count: 2, m: tv })).toThrow(/optimizer state changed shape between steps/);
  });

  it('storing refuses a next state of another shape — a key renamed or reordered, an array of another dtype or length, a string changed, non-plain data — naming both shapes', () => {
    const state = () => ({ count: 1, name: 'adam', m: sab32([1, 1]), pair: [2, sab32([3, 3])] });
    const s = makeSlots(state());
    const [m, p] = s.arrays[1] as [Float32Array, Float32Array];
    storeSlot(s, 1, { count: 7, name: 'adam', m, pair: [8, p] });
    expect(Array.from(s.numbers[1])).toEqual([7, 8]);
    const bad: unknown[] = [
      { count: 7, name: 'adam', mm: m, pair: [8, p] }, // renamed
      { name: 'adam', count: 7, m, pair: [8, p] }, // reordered
      { count: 7, name: 'adam', m: new Float64Array(2), pair: [8, p] }, // dtype
      { count: 7, name: 'adam', m: new Float32Array(3), pair: [8, p] }, // length
      { count: 7, name: 'sgd', m, pair: [8, p] }, // a string
      { count: 7, name: 'adam', m, pair: [8, p, 9] }, // a longer array
      { count: 7, name: 'adam', m, pair: [p, 8] }, // an array where a number was
      { count: 7, name: 'adam', m, pair: [8, p], extra: null }, // a key more
    ];
    for (const next of bad) expect(() => storeSlot(s, 1, next), JSON.stringify(Object.keys(next as object))).toThrow(/optimizer state changed shape between steps \(.+ → .+\)/);
    expect(() => storeSlot(s, 1, { count: 7, name: 'adam', m, pair: [8, new Map()] })).toThrow(/pair\[1\] is a Map; expected plain data/);
    // The slot that was stored last still reads back whole.
    storeSlot(s, 1, { count: 9, name: 'adam', m, pair: [10, p] });
    expect(slotState(s, 1)).toEqual({ count: 9, name: 'adam', m, pair: [10, p] });
  });

  it('an ordered pool hands out its targets in order while they fit, then falls back', () => {
    const t = [sab32([0, 0]), sab32([0, 0])];
    const fallback = new optim.ArrayPool();
    const spare = new Float32Array(3);
    fallback.give([spare]);
    const pool = new OrderedPool(t, fallback);
    expect(pool.take('float32', 2)).toBe(t[0]);
    expect(pool.take('float32', 3)).toBe(spare); // no match: the fallback's
    expect(pool.take('float32', 2)).toBe(t[1]);
    expect(pool.take('float32', 2)).toBeUndefined();
  });
});

describe('stepInSlots', () => {
  const key = 'w';
  const configs = Object.keys(OPTIMIZERS).map((name) => ({ name, options: name === 'sgd' ? { momentum: 0.9 } : {} }));

  it.each(configs)('$name: every optimiser keeps the shape of its state from step to step (what the slots need)', (cfg) => {
    const t = OPTIMIZERS[cfg.name]!({ ...cfg.options, lr: 0.1 });
    const p = randn([5], { rng: new Rng(1) }).data;
    let state = t.init({ [key]: p });
    const sig = flatten(state).sig;
    for (let i = 0; i < 3; i++) {
      state = optimizerStep(cfg, 0.1, 1, [key], [p], [randn([5], { rng: new Rng(2 + i) }).data], state).next;
      expect(flatten(state).sig).toBe(sig);
    }
  });

  it.each([
    { name: 'adam', options: {} }, // fused, straight into the slot
    { name: 'adam', options: { weightDecay: 0.01 } }, // optim's chain, then copied
    { name: 'rmsprop', options: { momentum: 0.5 } },
    { name: 'sgd', options: { momentum: 0.9, nesterov: true } },
  ])('$name $options: four steps alternating slots give the bits of optimizerStep (f32, with and without clipping)', (cfg) => {
    const rng = new Rng(9);
    const p0 = randn([37], { rng }).data;
    const grads = [0, 1, 2, 3].map(() => randn([37], { rng }).data);
    const t = OPTIMIZERS[cfg.name]!({ ...cfg.options, lr: 0.05 });
    const pa = Float32Array.from(p0);
    const pb = new Float32Array(new SharedArrayBuffer(37 * 4));
    pb.set(p0);
    let state = optim.withPool(new optim.ArrayPool(), () => t.init({ [key]: pa }));
    const slots = makeSlots(optim.withPool(new optim.ArrayPool(), () => t.init({ [key]: pb })));
    let parity: 0 | 1 = 0;
    grads.forEach((g, i) => {
      const scale = i % 2 ? 0.25 : 1;
      state = optimizerStep(cfg, 0.05, scale, [key], [pa], [g], state).next;
      stepInSlots(cfg, 0.05, scale, key, pb, g, slots, parity);
      parity = (1 - parity) as 0 | 1;
      expect(bytes(pb).equals(bytes(pa)), `parameters after step ${i + 1}`).toBe(true);
      const mine = flatten(slotState(slots, parity));
      const theirs = flatten(state);
      expect(mine.numbers).toEqual(theirs.numbers);
      mine.arrays.forEach((a, k) => expect(bytes(a).equals(bytes(theirs.arrays[k]!)), `state array ${k} after step ${i + 1}`).toBe(true));
    });
  });

  it('the fused Adam allocates the next moments in leaf order, so they land straight in the other slot; the current slot stays', () => {
    const p = sab32([0.5, -1, 2]);
    const cfg = { name: 'adam', options: {} };
    const slots = makeSlots(OPTIMIZERS.adam!({ lr: 0.1 }).init({ [key]: p }));
    const direct = optim.withPool(new OrderedPool(slots.arrays[1], new optim.ArrayPool()), () => fusedAdam(cfg, 0.1, 1, key, sab32([0, 0, 0]), sab32([1, 1, 1]), slotState(slots, 0)));
    expect(flatten(direct!.next).arrays.every((a, i) => a === slots.arrays[1][i])).toBe(true);
    const before = slots.arrays[0].map((a) => Array.from(a));
    stepInSlots(cfg, 0.1, 1, key, p, sab32([1, 1, 1]), slots, 0);
    expect(slots.arrays[0].map((a) => Array.from(a))).toEqual(before);
    expect(flatten(slotState(slots, 1)).numbers).toEqual([1, 1]); // the counts of scaleByAdam and of the learning rate
    expect(Array.from(slots.arrays[1][0]!).every((m) => Math.abs(m - 0.1) < 1e-7)).toBe(true); // m = (1 − β₁)·g
  });
});
