import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type Engine, type EngineEvent, type OptimizerConfig, type Placement, createEngine, dataParallel, inline } from '../src/index.js';
import type { ActorMsg } from '../src/protocol.js';
import { batch, mlp, paramBytes } from './helpers.js';

/**
 * The synchronised step runs as a step program: its routes are sent to the threads once and re-run
 * each step — on a pool by resident loops woken by a bell, inline by a small program message — and
 * the optimiser states stay in slots of shared memory. These tests check that this changes no bit —
 * of the parameters or of the optimiser states — whatever happens between steps.
 */

const stateBytes = (e: Engine) =>
  Buffer.concat(
    e.optimizerStates.flatMap((s) => {
      const out: Buffer[] = [];
      const walk = (v: unknown): void => {
        if (ArrayBuffer.isView(v)) out.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
        else if (typeof v === 'number') out.push(Buffer.from(new Float64Array([v]).buffer));
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(s);
      return out;
    }),
  );

interface Run {
  params: Buffer;
  states: Buffer;
  warnings: string[];
  /** Program-related pool tasks: 'loop' (a resident loop started), 'program+' / 'program' (a program message with / without the program). */
  posts: string[];
}

async function train(placement: Placement, optimizer: OptimizerConfig, sizes: number[], between?: (e: Engine, step: number) => Promise<void> | void): Promise<Run> {
  const model = mlp(11, [20, 40, 24, 5]);
  // A schedule: each step's learning rate reaches the threads through the program's parameters.
  const engine = await createEngine({ model, loss: 'crossEntropy', optimizer, placement, seed: 3, clipNorm: 0.5, schedule: (s) => 0.01 * 0.8 ** s });
  const warnings: string[] = [];
  engine.events$.subscribe((e: EngineEvent) => {
    if (e.type === 'warning') warnings.push(e.message);
  });
  const posts = watchPosts(engine);
  try {
    for (const [s, n] of sizes.entries()) {
      await between?.(engine, s);
      await engine.step(batch(500 + s, n, 20, 5));
    }
    return { params: paramBytes(model), states: stateBytes(engine), warnings, posts };
  } finally {
    await engine.close();
  }
}

/** Records the program-related tasks an engine posts (see `Run.posts`). */
function watchPosts(engine: Engine): string[] {
  const posts: string[] = [];
  const executor = (engine as unknown as { executor: { run: (m: ActorMsg) => unknown } }).executor;
  const run = executor.run.bind(executor);
  executor.run = (m: ActorMsg) => {
    if (m.op === 'resident') posts.push('loop');
    if (m.op === 'program') posts.push(m.program ? 'program+' : 'program');
    return run(m);
  };
  return posts;
}

const adam = { name: 'adam', options: { lr: 1e-2 } };
const sizes = [24, 24, 24, 24, 24, 24];

describe('step programs', () => {
  it.each([adam, { name: 'rmsprop', options: { lr: 1e-2, momentum: 0.9 } }, { name: 'adamw', options: { lr: 1e-2, weightDecay: 0.1 } }])(
    '$name: parameters and optimiser states are the bits of message-by-message steps; the loops start once',
    async (optimizer) => {
      const ref = await train(inline({ shards: 2 }), optimizer, sizes);
      const got = await train(dataParallel({ replicas: 2, threads: 2 }), optimizer, sizes);
      expect(ref.posts).toEqual([]); // two shards on one thread: message by message
      expect(got.params.equals(ref.params)).toBe(true);
      expect(got.states.equals(ref.states)).toBe(true);
      expect(got.warnings).toEqual([]);
      // Two replicas: two resident loops, started by the first step, run all six.
      expect(got.posts).toEqual(['loop', 'loop']);
    },
  );

  it('a new batch size builds a new program, and going back runs the first again; every step keeps the bits', async () => {
    const varied = [24, 24, 16, 16, 24, 24];
    const ref = await train(inline({ shards: 2 }), adam, varied);
    const got = await train(dataParallel({ replicas: 2, threads: 2 }), adam, varied);
    expect(got.params.equals(ref.params)).toBe(true);
    expect(got.states.equals(ref.states)).toBe(true);
    expect(got.posts).toEqual(Array(6).fill('loop')); // the loops start three times (programs 1, 2, 1), two each
    // Inline, the program messages show it: each of the two programs is sent once, with its body.
    const one = await train(inline(), adam, varied);
    expect(one.posts).toEqual(['program+', 'program', 'program+', 'program', 'program', 'program']);
  });

  it("an epoch's last, smaller batch, epoch after epoch: the programs share the optimiser states' slots (no new shared memory for them), same bits", async () => {
    const epochs = [24, 24, 16, 24, 24, 16, 24, 24, 16];
    const ref = await train(inline({ shards: 2 }), adam, epochs);
    // Memory is a buffer and a byte offset (small arrays share slabs), counted as "offset@buffer".
    const buffers = new Set<string>();
    const ids = new Map<ArrayBufferLike, number>();
    const stateBuffers = (e: Engine) => {
      const out: string[] = [];
      const walk = (v: unknown): void => {
        if (ArrayBuffer.isView(v)) {
          if (!ids.has(v.buffer)) ids.set(v.buffer, ids.size);
          out.push(`${v.byteOffset}@${ids.get(v.buffer)}`);
        } else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(e.optimizerStates);
      return out;
    };
    const fresh: number[] = [];
    const got = await train(dataParallel({ replicas: 2, threads: 2 }), adam, epochs, (e, s) => {
      if (s === 0) return;
      const seen = stateBuffers(e);
      expect(seen.length).toBeGreaterThan(0);
      fresh.push(seen.filter((b) => !buffers.has(b)).length);
      for (const b of seen) buffers.add(b);
    });
    expect(got.params.equals(ref.params)).toBe(true);
    expect(got.states.equals(ref.states)).toBe(true);
    // New arrays after the first two steps (one per slot), none after: eight steps, six with a program switch.
    expect(fresh.slice(2).every((n) => n === 0)).toBe(true);
    expect(fresh[0]).toBeGreaterThan(0);
  });

  it('optimiser states set between steps (a checkpoint loaded) go into new slots', async () => {
    const ref = await train(inline({ shards: 2 }), adam, sizes);
    const got = await train(dataParallel({ replicas: 2, threads: 2 }), adam, sizes, (e, s) => {
      // Copies, as a checkpoint would load them: the program must take them over.
      if (s === 3) e.optimizerStates = structuredClone(e.optimizerStates);
    });
    expect(got.params.equals(ref.params)).toBe(true);
    expect(got.states.equals(ref.states)).toBe(true);
    expect(got.posts).toEqual(Array(4).fill('loop'));
  });

  it('a thread replaced between steps ends its loop: the loops start again and the run goes on, bit for bit', async () => {
    const placement = dataParallel({ replicas: 2, threads: 2 });
    const ref = await train(placement, adam, sizes);
    const got = await train(placement, adam, sizes, async (e, s) => {
      if (s !== 3) return;
      const [w] = e.threads as { terminate(): Promise<number> }[];
      await w!.terminate();
    });
    expect(got.params.equals(ref.params)).toBe(true);
    expect(got.states.equals(ref.states)).toBe(true);
    expect(got.warnings).toEqual([]); // not lost, not re-run message by message
    expect(got.posts).toEqual(Array(4).fill('loop'));
  });

  it('inline, a program message per step; a thread that no longer holds the program (it holds four) asks for it again', async () => {
    const placement = inline();
    const alone = await train(placement, adam, sizes);
    expect(alone.posts).toEqual(['program+', ...Array(sizes.length - 1).fill('program')]);
    // Five engines on one thread, stepped in turn: each step finds its program evicted by the others'.
    const models = Array.from({ length: 5 }, () => mlp(11, [20, 40, 24, 5]));
    const engines = await Promise.all(models.map((model) => createEngine({ model, loss: 'crossEntropy', optimizer: adam, placement, seed: 3, clipNorm: 0.5, schedule: (s) => 0.01 * 0.8 ** s })));
    const posts = engines.map(watchPosts);
    try {
      for (const [s, n] of sizes.entries()) for (const e of engines) await e.step(batch(500 + s, n, 20, 5));
    } finally {
      await Promise.all(engines.map((e) => e.close()));
    }
    for (const [i, model] of models.entries()) {
      expect(paramBytes(model).equals(alone.params), `engine ${i}`).toBe(true);
      expect(posts[i]![0]).toBe('program+');
      expect(posts[i]!.slice(1).filter((p) => p === 'program+').length, `engine ${i}: resent programs`).toBe(sizes.length - 1);
    }
  });

  it("the batch's rows are copied after the bell, while the threads wake: a batch that takes far longer to copy than a wake-up still gives the bits", async () => {
    // 2 × 8192 rows of 784 floats: ≈ 50 MB to copy per step, milliseconds against a wake-up of ≈ 0.1 ms.
    const big = [16384, 16384, 16384];
    const run = async (placement: Placement) => {
      const model = mlp(5, [784, 4, 3], 0);
      const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: adam, placement, seed: 3 });
      const posts = watchPosts(engine);
      try {
        for (const [s, n] of big.entries()) await engine.step(batch(700 + s, n, 784, 3));
        return { params: paramBytes(model), posts };
      } finally {
        await engine.close();
      }
    };
    const ref = await run(inline({ shards: 2 }));
    const got = await run(dataParallel({ replicas: 2, threads: 2 }));
    expect(got.posts).toEqual(['loop', 'loop']);
    expect(got.params.equals(ref.params)).toBe(true);
  }, 60_000);

  it('a copy of the rows that throws after the bell: the replicas are let go and stopped, the step is re-run message by message, same bits', async () => {
    const placement = dataParallel({ replicas: 2, threads: 2 });
    const ref = await train(placement, adam, sizes);
    const got = await train(placement, adam, sizes, (e, s) => {
      const own = (e as unknown as { program: { own: { x: { data: Float32Array } }[] } }).program?.own;
      // Before step 2, shard 1's input refuses to be written; before step 3, it is mended.
      if (s === 2) own[1]!.x.data.set = () => { throw new Error('copy refused'); };
      if (s === 3) own[1]!.x.data.set = Float32Array.prototype.set;
    });
    expect(got.params.equals(ref.params)).toBe(true);
    expect(got.states.equals(ref.states)).toBe(true);
    expect(got.warnings).toEqual(['synchronised step lost (copy refused); re-running it message by message']);
    // The loops ended with the lost step, and started again for the next.
    expect(got.posts).toEqual(['loop', 'loop', 'loop', 'loop']);
  });

  it("returnPredictions: the outputs a program step leaves in its buffers are the batch's predictions", async () => {
    const outputs = async (placement: Placement) => {
      const engine = await createEngine({ model: mlp(4, [20, 16, 5], 0), loss: 'crossEntropy', optimizer: adam, placement, returnPredictions: true });
      try {
        const got: Buffer[] = [];
        for (const n of [24, 24, 16, 24]) {
          const { predictions } = await engine.step(batch(n, n, 20, 5));
          got.push(Buffer.from(predictions!.data.buffer, predictions!.data.byteOffset, predictions!.data.byteLength));
        }
        return Buffer.concat(got);
      } finally {
        await engine.close();
      }
    };
    expect((await outputs(dataParallel({ replicas: 2, threads: 2 }))).equals(await outputs(inline({ shards: 2 })))).toBe(true);
  });

  it('a process that never closes its engine still exits: idle resident loops end by themselves', () => {
    const child = new URL('./support/unclosed-child.ts', import.meta.url).pathname;
    const t0 = Date.now();
    const out = spawnSync(process.execPath, ['--conditions=@actorgrad/source', '--import', 'tsx', child], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8', timeout: 30_000 });
    expect(out.error, 'the child did not exit by itself within 30 s').toBeUndefined();
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('stepped\n');
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 40_000);

  it('idle resident loops end 100 ms after the last step — not while steps keep coming, however long the run', async () => {
    const placement = dataParallel({ replicas: 2, threads: 2 });
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    // Five gaps of 30 ms: 150 ms after the first step, but never 100 ms without one.
    const busy = await train(placement, adam, sizes, (_, s) => (s > 0 ? sleep(30) : undefined));
    expect(busy.posts).toEqual(['loop', 'loop']); // one loop per replica, started once
    // A 300 ms pause before the fourth step: the loops ended, and start again.
    const paused = await train(placement, adam, sizes, (_, s) => (s === 3 ? sleep(300) : undefined));
    expect(paused.posts).toEqual(['loop', 'loop', 'loop', 'loop']);
    expect(paused.params.equals(busy.params)).toBe(true);
  });

  it('worker reports asked for while stepping take turns with the steps (the loops hold the threads): same bits, every thread reports', async () => {
    const placement = dataParallel({ replicas: 2, threads: 2 });
    const ref = await train(placement, adam, sizes);
    const reports: number[] = [];
    const got = await train(placement, adam, sizes, async (e, s) => {
      if (s === 0) return;
      // Not awaited by the step: the report waits for the step before it, the step after it for the report.
      const info = e.workerInfo().then((ws) => reports.push(ws.length));
      if (s === sizes.length - 1) await info;
    });
    expect(got.params.equals(ref.params)).toBe(true);
    expect(reports).toEqual(Array(sizes.length - 1).fill(2));
    expect(got.posts).toEqual(Array(2 * sizes.length).fill('loop')); // the loops start again after each report
    // A second step while one runs is refused, and does not pass for the running one.
    {
      const e = await createEngine({ model: mlp(11, [20, 40, 24, 5]), loss: 'crossEntropy', optimizer: adam, placement, seed: 3 });
      try {
        const first = e.step(batch(1, 24, 20, 5));
        await expect(e.step(batch(2, 24, 20, 5))).rejects.toThrow(/a step is already running; await it first/);
        const [result, ws] = await Promise.all([first, e.workerInfo()]);
        expect([result.step, ws.length]).toEqual([0, 2]);
      } finally {
        await e.close();
      }
    }
    // Asked for while a step runs: it waits for that step.
    const e = await createEngine({ model: mlp(11, [20, 40, 24, 5]), loss: 'crossEntropy', optimizer: adam, placement, seed: 3 });
    try {
      const first = e.step(batch(1, 24, 20, 5));
      const [result, ws] = await Promise.all([first, e.workerInfo()]);
      expect(result.step).toBe(0);
      expect(ws.map((w) => w.messages).reduce((a, b) => a + b, 0)).toBe(2); // the step's two routes, counted
      expect((await e.step(batch(2, 24, 20, 5))).step).toBe(1);
    } finally {
      await e.close();
    }
  });

  it('stepTimes: a step on the loops is cut into ordered phases, with every message of both routes; null for a step not on the loops', async () => {
    const e = await createEngine({ model: mlp(11, [20, 40, 24, 5]), loss: 'crossEntropy', optimizer: adam, placement: dataParallel({ replicas: 2, threads: 2 }), seed: 3 });
    const inl = await createEngine({ model: mlp(11, [20, 40, 24, 5]), loss: 'crossEntropy', optimizer: adam, placement: inline(), seed: 3 });
    try {
      expect(e.stepTimes()).toBeNull(); // no step yet
      const t0 = performance.timeOrigin + performance.now();
      await e.step(batch(1, 24, 20, 5));
      const t1 = performance.timeOrigin + performance.now();
      const times = e.stepTimes()!;
      expect(times.replicas).toHaveLength(2);
      expect(t0).toBeLessThanOrEqual(times.bellAt);
      for (const rep of times.replicas) {
        // Clocks of different threads: the same epoch, to well under a millisecond.
        expect(rep.wokeAt).toBeGreaterThan(times.bellAt - 0.5);
        expect(rep.reportedAt).toBeGreaterThan(rep.wokeAt);
        expect(times.sawAt).toBeGreaterThan(rep.reportedAt - 0.5);
        // The route: forward through the 7 layers (Linear, ReLU, Dropout twice, then Linear), the loss, backward,
        // a barrier, the reduction, a barrier, the optimiser.
        expect(rep.messages.map((m) => m.op)).toEqual([...Array(7).fill('forward'), 'loss', ...Array(7).fill('backward'), 'sync', 'reduce', 'sync', 'step']);
        expect(rep.messages.every((m) => m.micros >= 0)).toBe(true);
        const busy = rep.messages.reduce((a, m) => a + m.micros, 0) / 1000;
        expect(busy).toBeLessThanOrEqual(rep.reportedAt - rep.wokeAt + 0.01);
      }
      expect(times.sawAt).toBeLessThanOrEqual(t1);
      // The loops end after 100 ms without a step (a ring that tells them to quit): the times stay the step's.
      await new Promise((r) => setTimeout(r, 250));
      expect(e.stepTimes()).toEqual(times);
      await inl.step(batch(1, 24, 20, 5));
      expect(inl.stepTimes()).toBeNull(); // inline runs no loops
    } finally {
      await Promise.all([e.close(), inl.close()]);
    }
  });
});
