import { kernels } from '@actorgrad/core';
import { arraysIn } from '@actorgrad/optim';
import { describe, expect, it } from 'vitest';
import { createEngine, dataParallel, inline } from '../src/index.js';
import { batch, mlp } from './helpers.js';

describe('worker control API (comlink)', () => {
  it('each worker thread answers for itself: distinct thread ids, and its message counts add up to the messages sent', async () => {
    const engine = await createEngine({ model: mlp(2), loss: 'crossEntropy', optimizer: { name: 'sgd', options: { lr: 0.1 } }, placement: dataParallel({ replicas: 2, shards: 4, threads: 2 }) });
    let sent = 0;
    engine.events$.subscribe((e) => {
      if (e.type === 'message') sent++;
    });
    try {
      for (let s = 0; s < 3; s++) await engine.step(batch(s, 16, 20, 5));
      const info = await engine.workerInfo();
      expect(info).toHaveLength(2);
      expect(new Set(info.map((i) => i.threadId)).size).toBe(2);
      expect(info.every((i) => i.threadId > 0 && i.heapUsedBytes > 0)).toBe(true);
      expect(info.reduce((a, i) => a + i.messages, 0)).toBe(sent);
      expect(sent).toBe(3 * (4 * (7 + 1 + 7) + 2 + 2)); // per step: 4 shards × (7 fwd + loss + 7 bwd), one reduce and one optimiser step per replica
    } finally {
      await engine.close();
    }
  });

  it.runIf(kernels.wasmKernelsAvailable())("every worker adopted the engine's heap, where its optimiser states live", async () => {
    const engine = await createEngine({ model: mlp(2), loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 0.01 } }, placement: dataParallel({ replicas: 2, threads: 2 }) });
    try {
      await engine.step(batch(0, 16, 20, 5));
      const arrays = [...arraysIn(engine.optimizerStates)];
      expect(arrays.length).toBeGreaterThan(0);
      const heaps = new Set(arrays.map((a) => kernels.WasmHeap.of(a)));
      expect(heaps.size).toBe(1);
      const [heap] = [...heaps];
      expect(heap).toBeInstanceOf(kernels.WasmHeap);
      const info = await engine.workerInfo();
      // Both threads read the allocator's word of the same memory: the main thread's count.
      expect(info.map((i) => i.wasmHeapBytes)).toEqual([heap!.used, heap!.used]);
    } finally {
      await engine.close();
    }
  });

  it('inline has no worker threads to ask', async () => {
    const engine = await createEngine({ model: mlp(2), loss: 'crossEntropy', optimizer: { name: 'sgd', options: { lr: 0.1 } }, placement: inline() });
    expect(await engine.workerInfo()).toEqual([]);
    await engine.close();
  });
});
