import { type Tensor, nn } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { ActorError, type Engine, type EngineEvent, NonFiniteError, type Placement, createEngine, dataParallel, inline, pipeline } from '../src/index.js';
import { batch, mlp, paramBytes } from './helpers.js';

/**
 * When every replica serves exactly one shard and has a thread, a step is one route per replica
 * (its shard's forward, loss and backward, then its share of the reduction and of the optimiser
 * step, synchronised through shared memory). These tests pin down that this changes no bit and
 * loses nothing on failure.
 */
const opts = { loss: 'crossEntropy' as const, optimizer: { name: 'adam', options: { lr: 1e-2 } }, seed: 5 };

async function train(placement: Placement, clipNorm: number | null, sizes = [20, 48, 24, 5], watch?: (e: Engine) => void): Promise<{ bytes: Buffer; tasks: number; warnings: string[] }> {
  const model = mlp(3, sizes);
  const engine = await createEngine({ ...opts, model, placement, clipNorm });
  const warnings: string[] = [];
  engine.events$.subscribe((e: EngineEvent) => {
    if (e.type === 'warning') warnings.push(e.message);
  });
  watch?.(engine);
  try {
    for (let s = 0; s < 5; s++) await engine.step(batch(300 + s, 24, sizes[0]!, 5));
    const tasks = (await engine.workerInfo()).reduce((a, w) => a + w.messages, 0);
    return { bytes: paramBytes(model), tasks, warnings };
  } finally {
    await engine.close();
  }
}

describe('synchronised steps', () => {
  it('change no bit: dataParallel equals message-by-message inline and pipeline, with and without clipping', async () => {
    for (const clip of [null, 0.05]) {
      const ref = await train(inline({ shards: 2 }), clip);
      const synced = await train(dataParallel({ replicas: 2, threads: 2 }), clip);
      const fewThreads = await train(dataParallel({ replicas: 2, threads: 1 }), clip); // a replica without a thread: message by message
      const piped = await train(pipeline({ microBatches: 2, threads: 2 }), clip);
      for (const [name, got] of [['synchronised', synced], ['one thread', fewThreads], ['pipeline', piped]] as const) {
        expect(got.bytes.equals(ref.bytes), `${name}, clipNorm ${clip}`).toBe(true);
      }
      // Pool tasks per step: synchronised, one per replica; with one thread, a route per shard and a
      // reduce and a step message per replica; pipeline, every message on its own.
      expect(synced.tasks).toBe(5 * 2);
      expect(fewThreads.tasks).toBe(5 * 6);
      expect(piped.tasks).toBeGreaterThan(5 * 20);
      expect(synced.warnings).toEqual([]);
    }
  });

  it('a non-finite gradient norm: no replica steps; parameters and optimiser state stay as they were', async () => {
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

  it('worker threads killed as the step is dispatched: the step re-runs message by message and matches the undisturbed run bit for bit', async () => {
    const placement = dataParallel({ replicas: 2, threads: 2 });
    const clean = await train(placement, null);
    let killed = false;
    // Per step, whether `stepTimes` describes it (it ran on the resident loops): not the step re-run message by message.
    const onLoops: boolean[] = [];
    const faulty = await train(placement, null, undefined, (engine) => {
      engine.events$.subscribe((e) => {
        if (!killed && e.type === 'message' && e.step === 2) {
          killed = true;
          for (const w of engine.threads as { terminate(): Promise<number> }[]) void w.terminate();
        }
        if (e.type === 'step') onLoops[e.step] = engine.stepTimes() !== null;
      });
    });
    expect(killed).toBe(true);
    expect(onLoops.slice(0, 4)).toEqual([true, true, false, true]);
    expect(clean.warnings).toEqual([]);
    expect(faulty.warnings.some((w) => /synchronised step lost .*re-running it message by message/.test(w))).toBe(true);
    expect(faulty.bytes.equals(clean.bytes)).toBe(true);
  });

  it('worker threads killed in the middle of the optimiser step: the chunks already stepped are put back, and the run matches bit for bit', async () => {
    // ≈ 1.1 M parameters: 17 chunks, a few ms of optimiser work to land in.
    const sizes = [1024, 1024, 64, 5];
    const placement = dataParallel({ replicas: 2, threads: 2 });
    const clean = await train(placement, null, sizes);
    let seenStepping = false;
    const faulty = await train(placement, null, sizes, (engine) => {
      engine.events$.subscribe((e) => {
        if (e.type !== 'message' || e.step !== 2 || e.op !== 'step' || seenStepping) return;
        seenStepping = true;
        // Once a chunk has been stepped (others are still to go), end both threads.
        const stepped = (engine as unknown as { sync: { stepped: Int32Array } }).sync.stepped;
        const poll = () => {
          if (stepped.includes(2)) for (const w of engine.threads as { terminate(): Promise<number> }[]) void w.terminate();
          else setImmediate(poll);
        };
        poll();
      });
    });
    expect(seenStepping).toBe(true);
    expect(faulty.warnings.some((w) => /synchronised step lost/.test(w))).toBe(true);
    expect(faulty.bytes.equals(clean.bytes)).toBe(true);
  });

  it('an optimiser failure in one replica stops the others and puts back every chunk they stepped', async () => {
    const run = async (sabotage: boolean) => {
      const model = mlp(6, [20, 6600, 5], 0);
      const engine = await createEngine({ ...opts, model, placement: dataParallel({ replicas: 2, threads: 2 }) });
      try {
        await engine.step(batch(1, 8, 20, 5));
        if (sabotage) {
          const states = engine.optimizerStates;
          engine.optimizerStates = [...states.slice(0, -1), { nonsense: true }];
          const before = paramBytes(model);
          await expect(engine.step(batch(2, 8, 20, 5))).rejects.toThrow(/^actor layer 0:Linear#[01] failed on step: /);
          expect(paramBytes(model).equals(before)).toBe(true);
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
