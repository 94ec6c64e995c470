import { readFileSync } from 'node:fs';
import { allocShared, type ArrayTree, type DType } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import {
  accumulateGradients,
  adadelta,
  adagrad,
  adam,
  adamax,
  adamw,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  decodeState,
  encodeState,
  type GradientTransformation,
  momentum,
  nadam,
  nesterov,
  Optimizer,
  type ParamLike,
  radam,
  rmsprop,
  sgd,
} from '../src/index.js';
import { flat, lossAndGrad, type MlpProblem } from './problem.js';

/**
 * Stop after k steps, serialise the state, restore it into a fresh optimiser and continue: the
 * parameters after every later step are bit-identical (compared as bytes) to an uninterrupted run.
 * The problem is the fixture MLP of optimizers.json.
 */
const fixture = JSON.parse(readFileSync(new URL('./fixtures/optimizers.json', import.meta.url), 'utf8')) as MlpProblem & {
  init: Record<string, number[] | number[][]>;
};

const cosine = (t: number) => 0.01 * (1 + Math.cos((Math.PI * t) / 40)) / 2;
const optimisers: [string, () => GradientTransformation<unknown[]>][] = [
  ['sgd', () => sgd({ lr: 0.1, weightDecay: 1e-3 })],
  ['momentum', () => momentum(0.05, 0.9)],
  ['nesterov', () => nesterov(0.05, 0.9)],
  ['sgd dampening', () => sgd({ lr: 0.05, momentum: 0.9, dampening: 0.5 })],
  ['adagrad', () => adagrad({ lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ['adadelta', () => adadelta()],
  ['rmsprop', () => rmsprop({ lr: 0.01, centered: true, momentum: 0.5 })],
  ['adam', () => adam({ lr: 0.01 })],
  ['adam amsgrad', () => adam({ lr: 0.01, amsgrad: true, weightDecay: 0.1 })],
  ['adamw (cosine lr)', () => adamw({ lr: cosine })],
  ['adamax', () => adamax({ lr: 0.01 })],
  ['nadam', () => nadam({ lr: 0.01 })],
  ['radam', () => radam({ lr: 0.01 })],
  ['accumulate 3 × adam, clipped', () => chain(clipByGlobalNorm(0.5), accumulateGradients(3, adam({ lr: 0.01 })))],
];

const K = 7;
const STEPS = 20;

function makeParams(dtype: DType): Record<string, ParamLike> {
  const out: Record<string, ParamLike> = {};
  for (const [k, v] of Object.entries(fixture.init)) {
    const data = allocShared(dtype, flat(v).length);
    data.set(flat(v));
    out[k] = { data, grad: { data: allocShared(dtype, data.length) } };
  }
  return out;
}

function computeGrads(params: Record<string, ParamLike>): void {
  const tree: ArrayTree = {};
  for (const [k, p] of Object.entries(params)) tree[k] = Float64Array.from(p.data);
  const { grads } = lossAndGrad(fixture, tree);
  for (const [k, p] of Object.entries(params)) p.grad!.data.set(grads[k]!);
}

function bytes(params: Record<string, ParamLike> | ArrayTree): number[][] {
  return Object.values(params).map((p) => {
    const a = 'data' in p ? p.data : p;
    return Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  });
}

/** The parameter bytes after each of steps K+1 … STEPS, with an optional save/restore after step K. */
function trajectory(make: () => GradientTransformation<unknown[]>, dtype: DType, restore: boolean): number[][][] {
  let params = makeParams(dtype);
  let opt = new Optimizer(params, make());
  const out: number[][][] = [];
  for (let t = 1; t <= STEPS; t++) {
    opt.zeroGrad();
    computeGrads(params);
    opt.step();
    if (t === K && restore) {
      const json = JSON.stringify(opt.stateDict());
      const copy = makeParams(dtype);
      for (const [k, p] of Object.entries(params)) copy[k]!.data.set(p.data);
      params = copy;
      opt = new Optimizer(params, make());
      opt.loadStateDict(JSON.parse(json));
      expect(opt.stepCount).toBe(K);
    }
    if (t > K) out.push(bytes(params));
  }
  return out;
}

describe('state round trip: Optimizer.stateDict through JSON', () => {
  for (const [name, make] of optimisers) {
    it(`${name}: the restored run is bit-identical to the uninterrupted one`, () => {
      expect(trajectory(make, 'float64', true)).toEqual(trajectory(make, 'float64', false));
    });
  }

  it('float32 parameters and state round-trip bit-exactly too (adam)', () => {
    expect(trajectory(() => adam({ lr: 0.01 }), 'float32', true)).toEqual(trajectory(() => adam({ lr: 0.01 }), 'float32', false));
  });
});

describe('state round trip: the pure API', () => {
  for (const [name, make] of optimisers) {
    it(`${name}: the state survives structuredClone and encodeState → JSON → decodeState`, () => {
      const t = make();
      let params: ArrayTree = {};
      for (const [k, v] of Object.entries(fixture.init)) params[k] = flat(v);
      let state = t.init(params);
      for (let i = 0; i < K; i++) {
        [params, state] = step(t, params, state);
      }
      const copies = [structuredClone(state), decodeState(JSON.parse(JSON.stringify(encodeState(state))), t.init(params))];
      let reference: [ArrayTree, unknown[]] = [params, state];
      let others = copies.map((s) => [params, s] as [ArrayTree, unknown[]]);
      for (let i = K; i < STEPS; i++) {
        reference = step(t, ...reference);
        others = others.map((o) => step(t, ...o));
        for (const o of others) expect(bytes(o[0])).toEqual(bytes(reference[0]));
      }
    });
  }
});

describe('Optimizer.step equals the pure API', () => {
  for (const [name, make] of optimisers) {
    it(`${name}: in-place steps with recycled memory give the pure trajectory bit for bit`, () => {
      const t = make();
      let pure: ArrayTree = {};
      for (const [k, v] of Object.entries(fixture.init)) pure[k] = flat(v);
      let state = t.init(pure);
      const params = makeParams('float64');
      const opt = new Optimizer(params, make());
      for (let i = 0; i < STEPS; i++) {
        [pure, state] = step(t, pure, state);
        opt.zeroGrad();
        computeGrads(params);
        opt.step();
        expect(bytes(params)).toEqual(bytes(pure));
      }
      expect(JSON.stringify(encodeState(opt.state))).toBe(JSON.stringify(encodeState(state)));
    });
  }
});

function step(t: GradientTransformation<unknown[]>, params: ArrayTree, state: unknown[]): [ArrayTree, unknown[]] {
  const { grads } = lossAndGrad(fixture, params);
  const [u, next] = t.update(grads, state, params);
  return [applyUpdates(params, u), next];
}
