import { type MessagePort, threadId } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { kernels } from '@actorgrad/core';
import { nodeEndpoint } from '../comlink-endpoint.js';
import type { ControlApi, WorkerInfo } from '../protocol.js';


const counters = { messages: 0, busyMicros: 0 };
/** The engine's heap, adopted when the thread started; held for the thread's life (the pool is the engine's). */
let heap: kernels.WasmHeap | null = null;

/**
 * Adopts the engine's heap (its `WebAssembly.Memory`, from `workerData`): the kernels then work in
 * place on the engine's arrays there. Only speed: a thread without it computes the same bits.
 */
export function adoptHeap(memory: kernels.WasmMemory): void {
  heap = kernels.WasmHeap.adopt(memory);
}

/** Counts one handled actor message (called by the task entry). */
export function countMessage(micros: number): void {
  counters.messages++;
  counters.busyMicros += micros;
}

/** The control API each worker exposes over comlink: a call fits better than a message here. */
export const controlApi: ControlApi = {
  info(): WorkerInfo {
    return { threadId, ...counters, heapUsedBytes: process.memoryUsage().heapUsed, kernels: kernels.kernelChoice(), wasmHeapBytes: heap?.used ?? null, entry: import.meta.url };
  },
  ping(x: number): number {
    return x + 1;
  },
};

/**
 * Serves the control API on `port` once every one of `parties` workers has joined (a barrier in
 * shared memory: holding each worker until all have arrived guarantees one port per thread).
 */
export function serveControl(port: MessagePort, barrier: Int32Array, parties: number): void {
  joinBarrier(barrier, parties);
  Comlink.expose(controlApi, nodeEndpoint(port));
}

/** Holds this thread until `parties` threads have arrived, so each of them takes exactly one such task. */
function joinBarrier(barrier: Int32Array, parties: number): void {
  Atomics.add(barrier, 0, 1);
  Atomics.notify(barrier, 0);
  const deadline = Date.now() + 10_000;
  for (let seen = Atomics.load(barrier, 0); seen < parties; seen = Atomics.load(barrier, 0)) {
    if (Date.now() > deadline) throw new Error(`control: only ${seen} of ${parties} workers joined`);
    Atomics.wait(barrier, 0, seen, 50);
  }
}

/** Lets the event loop turn (so the control port is served) until the main thread sets `done[0]`. */
export async function pumpControl(barrier: Int32Array, parties: number, done: Int32Array): Promise<void> {
  joinBarrier(barrier, parties);
  const deadline = Date.now() + 10_000;
  while (Atomics.load(done, 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
}
