import { describe, expect, it } from 'vitest';
import { type Engine, type EngineEvent, type OptimizerConfig, type Placement, createEngine, dataParallel, inline } from '../src/index.js';
import type { ActorMsg } from '../src/protocol.js';
import { batch, mlp, paramBytes } from './helpers.js';

/**
 * The synchronised step runs as a step program: its routes are sent to the threads once and re-run
 * each step with the step number, learning rate, slot parity and the batch's rows, and the
 * optimiser states stay in slots of shared memory. These tests check that this changes no bit —
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
  /** The program messages posted: whether each carried the program. */
  posts: boolean[];
}

async function train(placement: Placement, optimizer: OptimizerConfig, sizes: number[], between?: (e: Engine, step: number) => Promise<void> | void): Promise<Run> {
  const model = mlp(11, [20, 40, 24, 5]);
  const engine = await createEngine({ model, loss: 'crossEntropy', optimizer, placement, seed: 3, clipNorm: 0.5 });
  const warnings: string[] = [];
  engine.events$.subscribe((e: EngineEvent) => {
    if (e.type === 'warning') warnings.push(e.message);
  });
  const posts: boolean[] = [];
  const executor = (engine as unknown as { executor: { run: (m: ActorMsg) => unknown } }).executor;
  const run = executor.run.bind(executor);
  executor.run = (m: ActorMsg) => {
    if (m.op === 'program') posts.push(m.program !== undefined);
    return run(m);
  };
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

const adam = { name: 'adam', options: { lr: 1e-2 } };
const sizes = [24, 24, 24, 24, 24, 24];

describe('step programs', () => {
  it.each([adam, { name: 'rmsprop', options: { lr: 1e-2, momentum: 0.9 } }, { name: 'adamw', options: { lr: 1e-2, weightDecay: 0.1 } }])(
    '$name: parameters and optimiser states are the bits of message-by-message steps; the program is sent once',
    async (optimizer) => {
      const ref = await train(inline({ shards: 2 }), optimizer, sizes);
      const got = await train(dataParallel({ replicas: 2, threads: 2 }), optimizer, sizes);
      expect(ref.posts).toEqual([]); // two shards on one thread: message by message
      expect(got.params.equals(ref.params)).toBe(true);
      expect(got.states.equals(ref.states)).toBe(true);
      expect(got.warnings).toEqual([]);
      // Two replicas: the first step's two messages bring the program, the others do not.
      expect(got.posts).toEqual([true, true, ...Array(2 * (sizes.length - 1)).fill(false)]);
    },
  );

  it('a new batch size builds a new program, and going back builds another; every step keeps the bits', async () => {
    const varied = [24, 24, 16, 16, 24, 24];
    const ref = await train(inline({ shards: 2 }), adam, varied);
    const got = await train(dataParallel({ replicas: 2, threads: 2 }), adam, varied);
    expect(got.params.equals(ref.params)).toBe(true);
    expect(got.states.equals(ref.states)).toBe(true);
    expect(got.posts.map((p) => (p ? 1 : 0))).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]);
  });

  it('optimiser states set between steps (a checkpoint loaded) go into new slots', async () => {
    const ref = await train(inline({ shards: 2 }), adam, sizes);
    const got = await train(dataParallel({ replicas: 2, threads: 2 }), adam, sizes, (e, s) => {
      // Copies, as a checkpoint would load them: the program must take them over.
      if (s === 3) e.optimizerStates = structuredClone(e.optimizerStates);
    });
    expect(got.params.equals(ref.params)).toBe(true);
    expect(got.states.equals(ref.states)).toBe(true);
    expect(got.posts.filter((p) => p).length).toBe(4);
  });

  it('a thread replaced between steps does not hold the program: it asks for it and the step goes on, bit for bit', async () => {
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
    // Step 3 (messages 6 and 7): one thread no longer had the program and got it again.
    expect(got.posts.slice(0, 6)).toEqual([true, true, false, false, false, false]);
    expect(got.posts.slice(6).filter((p) => p)).toEqual([true]);
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
});
