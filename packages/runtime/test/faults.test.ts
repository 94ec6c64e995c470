import { type Tensor, nn } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { ActorError, type EngineEvent, createEngine, dataParallel, inline } from '../src/index.js';
import { batch, mlp, paramBytes } from './helpers.js';

const opts = { loss: 'crossEntropy' as const, optimizer: { name: 'adam', options: { lr: 1e-2 } }, seed: 9 };

async function run(kill: boolean): Promise<{ bytes: Buffer; warnings: string[] }> {
  const model = mlp(4, [20, 64, 32, 5]);
  const engine = await createEngine({ ...opts, model, placement: dataParallel({ replicas: 2, shards: 4, threads: 2 }) });
  const warnings: string[] = [];
  let killed = false;
  engine.events$.subscribe((e: EngineEvent) => {
    if (e.type === 'warning') warnings.push(e.message);
    // Mid-step: as the first backward message of step 2 is dispatched, end every worker thread.
    if (kill && !killed && e.type === 'message' && e.step === 2 && e.op === 'backward') {
      killed = true;
      for (const w of engine.threads as { terminate(): Promise<number> }[]) void w.terminate();
    }
  });
  try {
    for (let s = 0; s < 4; s++) await engine.step(batch(200 + s, 40, 20, 5));
  } finally {
    await engine.close();
  }
  if (kill) expect(killed).toBe(true);
  return { bytes: paramBytes(model), warnings };
}

describe('fault handling', () => {
  it('a worker thread killed mid-step is replaced, its messages re-run, and the run matches the undisturbed one bit for bit', async () => {
    const clean = await run(false);
    const faulty = await run(true);
    expect(clean.warnings).toEqual([]);
    expect(faulty.warnings.length).toBeGreaterThan(0);
    expect(faulty.warnings[0]).toMatch(/lost .*re-running it/);
    expect(faulty.bytes.equals(clean.bytes)).toBe(true);
  });

  class Exploding extends nn.Module {
    forward(x: Tensor): Tensor {
      if (this.training) throw new Error('boom: this layer always fails in training');
      return x;
    }
    spec() {
      return { type: 'Exploding' };
    }
  }
  nn.registerModuleType('Exploding', () => new Exploding());

  it('a layer that throws fails the step with an error naming the actor and the message; parameters are unchanged', async () => {
    const model = new nn.Sequential(...mlp(4, [20, 16, 5]).layers, new Exploding());
    const engine = await createEngine({ ...opts, model, placement: inline({ shards: 2 }) });
    const events: EngineEvent[] = [];
    engine.events$.subscribe((e) => events.push(e));
    const before = paramBytes(model);
    try {
      const err = await engine.step(batch(1, 8, 20, 5)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ActorError);
      expect((err as Error).message).toMatch(/actor layer 4:Exploding#0 failed on forward \(shard 0\): boom: this layer always fails in training/);
      expect(paramBytes(model).equals(before)).toBe(true);
      expect(events.some((e) => e.type === 'error' && /Exploding/.test(e.message))).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('a failure in the optimiser phase puts back every chunk already stepped, and the next step matches an undisturbed run', async () => {
    const run = async (sabotage: boolean) => {
      const model = mlp(6, [20, 300, 5], 0); // 6000-element weight: one chunk, plus small ones; 2 step messages
      const engine = await createEngine({ ...opts, model, placement: inline({ shards: 2 }) });
      try {
        await engine.step(batch(1, 8, 20, 5));
        if (sabotage) {
          // Corrupt one chunk's optimiser state: that step message fails after others may have applied.
          const states = engine.optimizerStates;
          const broken = [...states];
          broken[broken.length - 1] = { nonsense: true };
          engine.optimizerStates = broken;
          const before = paramBytes(model);
          await expect(engine.step(batch(2, 8, 20, 5))).rejects.toThrow(/failed on step/);
          expect(paramBytes(model).equals(before)).toBe(true);
          engine.optimizerStates = states;
        }
        await engine.step(batch(2, 8, 20, 5));
      } finally {
        await engine.close();
      }
      return paramBytes(model);
    };
    expect((await run(true)).equals(await run(false))).toBe(true);
  });

  it('after a roll-back, the restored optimiser state is not reused as scratch by later steps', async () => {
    // A 132 000-element weight is 3 optimiser chunks of equal size, whose state arrays a thread
    // could recycle for one another: a roll-back must not leave a restored state in that pool.
    const run = async (sabotage: boolean) => {
      const model = mlp(6, [20, 6600, 5], 0);
      const engine = await createEngine({ ...opts, model, placement: inline({ shards: 2 }) });
      try {
        await engine.step(batch(1, 8, 20, 5));
        if (sabotage) {
          const states = engine.optimizerStates;
          engine.optimizerStates = [...states.slice(0, -1), { nonsense: true }];
          await expect(engine.step(batch(2, 8, 20, 5))).rejects.toThrow(/failed on step/);
          engine.optimizerStates = states;
        }
        for (let s = 2; s < 5; s++) await engine.step(batch(s, 8, 20, 5));
      } finally {
        await engine.close();
      }
      return paramBytes(model);
    };
    expect((await run(true)).equals(await run(false))).toBe(true);
  });

  it('on the pool, a layer a worker cannot build fails the step naming the actor; parameters are unchanged', async () => {
    const model = new nn.Sequential(...mlp(4, [20, 16, 5]).layers, new Exploding());
    const engine = await createEngine({ ...opts, model, placement: dataParallel({ replicas: 2, threads: 2 }) });
    const before = paramBytes(model);
    try {
      await expect(engine.step(batch(1, 8, 20, 5))).rejects.toThrow(/actor layer 4:Exploding#\d failed on forward \(shard \d\): moduleFromSpec: unknown module type "Exploding"/);
      expect(paramBytes(model).equals(before)).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
