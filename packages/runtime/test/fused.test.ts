import { type Tensor, nn } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { ActorError, type Engine, type EngineEvent, NonFiniteError, type Placement, createEngine, dataParallel, inline, pipeline } from '../src/index.js';
import { batch, mlp, paramBytes } from './helpers.js';

/**
 * When every replica serves exactly one shard, the engine sends a shard's forward, loss and
 * backward messages as one route, and (without clipping) a group's reduction and optimiser step as
 * one route. These tests pin down that this changes no bit and loses nothing on failure.
 */
const opts = { loss: 'crossEntropy' as const, optimizer: { name: 'adam', options: { lr: 1e-2 } }, seed: 5 };

async function train(placement: Placement, clipNorm: number | null, watch?: (e: Engine) => void): Promise<{ bytes: Buffer; tasks: number; warnings: string[] }> {
  const model = mlp(3, [20, 48, 24, 5]);
  const engine = await createEngine({ ...opts, model, placement, clipNorm });
  const warnings: string[] = [];
  engine.events$.subscribe((e: EngineEvent) => {
    if (e.type === 'warning') warnings.push(e.message);
  });
  watch?.(engine);
  try {
    for (let s = 0; s < 5; s++) await engine.step(batch(300 + s, 24, 20, 5));
    const tasks = (await engine.workerInfo()).reduce((a, w) => a + w.messages, 0);
    return { bytes: paramBytes(model), tasks, warnings };
  } finally {
    await engine.close();
  }
}

describe('fused routes', () => {
  it('change no bit: routed dataParallel equals message-by-message inline and pipeline, with and without the fused step', async () => {
    const ref = await train(inline({ shards: 2 }), null);
    const routed = await train(dataParallel({ replicas: 2, threads: 2 }), null);
    const routedClipped = await train(dataParallel({ replicas: 2, threads: 2 }), 1e9); // clipping never bites, step not fused
    const piped = await train(pipeline({ microBatches: 2, threads: 2 }), null);
    expect(routed.bytes.equals(ref.bytes)).toBe(true);
    expect(routedClipped.bytes.equals(ref.bytes)).toBe(true);
    expect(piped.bytes.equals(ref.bytes)).toBe(true);
    // Pool tasks per step: routed, 2 passes + 2 reduce-and-step routes; with clipping 2 + 2 + 2;
    // message by message (pipeline: one replica), 2 shards × (3 layers × 2 … ) — many more.
    expect(routed.tasks).toBe(5 * 4);
    expect(routedClipped.tasks).toBe(5 * 6);
    expect(piped.tasks).toBeGreaterThan(5 * 20);
  });

  it('a non-finite gradient norm after a fused reduce-and-step rolls the step back: parameters and optimiser state as before', async () => {
    const run = async (poison: boolean) => {
      const model = mlp(8, [20, 16, 5], 0);
      const engine = await createEngine({ ...opts, model, placement: dataParallel({ replicas: 2, threads: 2 }) });
      try {
        await engine.step(batch(1, 8, 20, 5));
        if (poison) {
          // First-layer weights at zero keep the loss finite whatever the input (huge second-layer
          // weights make it ≈ 1e29, still finite), but the first layer's weight gradient,
          // ≈ 1e30 · 1e10, overflows float32.
          const [l0, , l2] = model.layers as [nn.Linear, nn.Module, nn.Linear];
          const saved = [Float32Array.from(l0.weight.data), Float32Array.from(l2.weight.data)] as const;
          l0.weight.data.fill(0);
          for (let i = 0; i < l2.weight.size; i++) l2.weight.data[i]! *= 1e30;
          const bad = batch(2, 8, 20, 5);
          bad.x.data.fill(1e10, 0, 20);
          const before = paramBytes(model);
          const states = JSON.stringify(engine.optimizerStates, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
          const err = await engine.step(bad).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(NonFiniteError);
          expect(Number.isFinite((err as NonFiniteError).value)).toBe(false);
          expect((err as NonFiniteError).what).toBe('gradient norm');
          expect(paramBytes(model).equals(before)).toBe(true);
          expect(JSON.stringify(engine.optimizerStates, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v))).toBe(states);
          expect(engine.stepCount).toBe(1);
          l0.weight.data.set(saved[0]);
          l2.weight.data.set(saved[1]);
        }
        for (let s = 2; s < 5; s++) await engine.step(batch(s, 8, 20, 5));
      } finally {
        await engine.close();
      }
      return paramBytes(model);
    };
    expect((await run(true)).equals(await run(false))).toBe(true);
  });

  for (const op of ['forward', 'step'] as const) {
    it(`a worker thread killed as a routed ${op} is dispatched: the route re-runs and the run matches the undisturbed one bit for bit`, async () => {
      const placement = dataParallel({ replicas: 2, threads: 2 });
      const clean = await train(placement, null);
      let killed = false;
      const faulty = await train(placement, null, (engine) => {
        engine.events$.subscribe((e) => {
          if (!killed && e.type === 'message' && e.step === 2 && e.op === op) {
            killed = true;
            for (const w of engine.threads as { terminate(): Promise<number> }[]) void w.terminate();
          }
        });
      });
      expect(killed).toBe(true);
      expect(clean.warnings).toEqual([]);
      expect(faulty.warnings.some((w) => /route from .* lost .*re-running it/.test(w))).toBe(true);
      expect(faulty.bytes.equals(clean.bytes)).toBe(true);
    });
  }

  it('a stop that fails inside a route fails the step naming that stop\'s actor, message and shard; parameters unchanged', async () => {
    class Unknown extends nn.Module {
      forward(x: Tensor): Tensor {
        return x;
      }
      spec() {
        return { type: 'NotKnownToWorkers' };
      }
    }
    // The second stop of each shard's route fails: a worker cannot build this layer.
    const model = new nn.Sequential(new nn.Linear(20, 16), new Unknown(), new nn.Linear(16, 5));
    const engine = await createEngine({ ...opts, model, placement: dataParallel({ replicas: 2, threads: 2 }) });
    const before = paramBytes(model);
    try {
      const err = (await engine.step(batch(1, 8, 20, 5)).catch((e: unknown) => e)) as ActorError;
      expect(err).toBeInstanceOf(ActorError);
      expect(err.message).toMatch(/^actor layer 1:NotKnownToWorkers#([01]) failed on forward \(shard \1\): moduleFromSpec: unknown module type "NotKnownToWorkers"/);
      expect(paramBytes(model).equals(before)).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
