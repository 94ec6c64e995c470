import { F, type FloatArray, Rng, compile, data, nn } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { tree } from '../test/helpers.js';
import { adam, sgd } from './alias.js';
import { emptyLike } from './transform/util.js';
import type { GradientTransformation } from './types.js';
import { Optimizer, type ParamLike } from './optimizer.js';

function param(data: number[], grad: number[] | null): ParamLike {
  return { data: tree({ x: data }).x!, grad: grad ? { data: tree({ x: grad }).x! } : null };
}

describe('Optimizer', () => {
  it('steps in place from param.grad and counts steps', () => {
    const w = param([1, 2], [0.5, -1]);
    const opt = new Optimizer({ w }, sgd({ lr: 0.1 }));
    const data = w.data;
    opt.step();
    expect(w.data).toBe(data);
    expect(Array.from(w.data)).toEqual([1 - 0.1 * 0.5, 2 + 0.1]);
    expect(opt.stepCount).toBe(1);
    expect(opt.state).toEqual([{ count: 1 }]);
  });

  it('accepts an array of params (keys "0", "1", …) and zeroes gradients', () => {
    const ps = [param([1], [2]), param([3], null)];
    const opt = new Optimizer(ps, sgd({ lr: 1, momentum: 0.5 }));
    opt.zeroGrad();
    expect(Array.from(ps[0]!.grad!.data)).toEqual([0]);
    expect(ps[1]!.grad).toBeNull();
    expect(opt.stateDict().keys).toEqual(['0', '1']);
  });

  it('treats a null grad as zero (weight decay still acts, unlike torch which skips it)', () => {
    const w = param([2], null);
    const opt = new Optimizer({ w }, sgd({ lr: 0.5, weightDecay: 0.1 }));
    opt.step();
    expect(w.data[0]).toBe(2 - 0.5 * (0 + 0.1 * 2));
  });

  it('restores a state dict and rejects one from other parameters', () => {
    const a = new Optimizer({ w: param([1], [1]) }, sgd({ lr: 0.1, momentum: 0.9 }));
    a.step();
    const dict = JSON.parse(JSON.stringify(a.stateDict()));
    const b = new Optimizer({ w: param([1], [1]) }, sgd({ lr: 0.1, momentum: 0.9 }));
    b.loadStateDict(dict);
    expect(b.stepCount).toBe(1);
    expect(b.state).toEqual(a.state);
    const c = new Optimizer({ v: param([1], [1]) }, sgd({ lr: 0.1, momentum: 0.9 }));
    expect(() => c.loadStateDict(dict)).toThrow('Optimizer.loadStateDict: parameter names ["w"] differ from ["v"]');
    const d = new Optimizer({ w: param([1, 2], [1, 1]) }, sgd({ lr: 0.1, momentum: 0.9 }));
    expect(() => d.loadStateDict(dict)).toThrow('Optimizer.loadStateDict: state[0].buf.w has 1 elements, expected 2');
    expect(() => d.loadStateDict({ ...dict, format: 'x' })).toThrow("expected a state dict with format 'actorgrad.optim/1'");
  });

  it('never recycles the caller’s gradients, even when the updates are the gradients themselves', () => {
    // Updates = the gradients; the state is a fresh array each step, drawn from the recycling pool.
    const passThrough: GradientTransformation<{ x: FloatArray }> = {
      init: (p) => ({ x: emptyLike(p.w!).fill(0) }),
      update: (g) => [g, { x: emptyLike(g.w!).fill(7) }],
    };
    const w = param([0, 0], [1, 2]);
    const opt = new Optimizer({ w }, passThrough);
    const g = w.grad!.data;
    for (let i = 0; i < 3; i++) opt.step();
    expect(Array.from(g)).toEqual([1, 2]);
    expect(Array.from(w.data)).toEqual([3, 6]);
  });

  it('rejects bad params', () => {
    expect(() => new Optimizer([], sgd({ lr: 1 }))).toThrow('Optimizer: params is empty');
    const bad = { w: { data: [1, 2], grad: null } } as unknown as Record<string, ParamLike>;
    expect(() => new Optimizer(bad, sgd({ lr: 1 }))).toThrow(
      "Optimizer: params['w'].data must be a Float32Array or Float64Array",
    );
    const opt = new Optimizer({ w: param([1, 2], [1]) }, sgd({ lr: 1 }));
    expect(() => opt.step()).toThrow("Optimizer.step: grad of 'w' has 1 elements, its param 2");
  });
});

describe('Optimizer with a compiled step (core.compile)', () => {
  it('trains to the same bits as the eager step: replays see the in-place updates', () => {
    const run = (compiled: boolean) => {
      const rng = new Rng(4);
      const net = new nn.Sequential(new nn.Linear(2, 6, { rng }), nn.Tanh(), new nn.Linear(6, 1, { rng }));
      const opt = new Optimizer(net.parameters(), adam({ lr: 0.05 }));
      const { x, y } = data.xor();
      const lossOf = (xb: typeof x, yb: typeof y) => {
        const loss = F.bceWithLogits(net.forward(xb), yb);
        loss.backward();
        return loss;
      };
      const step = compiled ? compile(lossOf) : lossOf;
      const losses: number[] = [];
      for (let i = 0; i < 150; i++) {
        opt.zeroGrad();
        losses.push(step(x, y).item());
        opt.step();
      }
      return { losses, params: Object.values(net.parameters()).map((p) => Array.from(p.data)) };
    };
    const eager = run(false);
    expect(run(true)).toEqual(eager);
    expect(eager.losses[149]!).toBeLessThan(0.1 * eager.losses[0]!);
  });
});
