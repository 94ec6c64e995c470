import { defaultThreads } from './executor.js';

/**
 * Where the actors run. The result of a step depends only on the seed, the batch and `shards`;
 * never on `threads` or `replicas`.
 */
export type Placement =
  | { kind: 'inline'; shards?: number }
  | { kind: 'dataParallel'; replicas: number; shards?: number; threads?: number }
  | { kind: 'pipeline'; microBatches: number; threads?: number }
  | { kind: 'hybrid'; replicas: number; microBatches: number; threads?: number }
  | { kind: 'auto'; shards?: number; threads?: number };

/** Everything on the calling thread; `shards` micro-batches processed one after another. */
export const inline = (o: { shards?: number } = {}): Placement => ({ kind: 'inline', ...o });
/** `replicas` copies of each layer actor, sharing parameters and owning per-shard gradients. */
export const dataParallel = (o: { replicas?: number; shards?: number; threads?: number } = {}): Placement => ({
  kind: 'dataParallel',
  replicas: o.replicas ?? o.threads ?? defaultThreads(),
  ...(o.shards !== undefined && { shards: o.shards }),
  ...(o.threads !== undefined && { threads: o.threads }),
});
/** One actor per layer; `microBatches` shards flow through the layers concurrently. */
export const pipeline = (o: { microBatches: number; threads?: number }): Placement => ({ kind: 'pipeline', ...o });
/** Data parallelism and pipelining together: replicas × microBatches shards. */
export const hybrid = (o: { replicas: number; microBatches: number; threads?: number }): Placement => ({ kind: 'hybrid', ...o });
/** Let the engine choose: inline for models too small to gain from threads. */
export const auto = (o: { shards?: number; threads?: number } = {}): Placement => ({ kind: 'auto', ...o });

export interface ResolvedPlacement {
  kind: 'inline' | 'dataParallel' | 'pipeline' | 'hybrid';
  shards: number;
  replicas: number;
  threads: number;
  reason: string;
}

function positiveInt(where: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`${where}: ${name} must be a positive integer, got ${String(v)}`);
  return v as number;
}

/** Work per sample below which threads cost more than they save (multiply-adds per sample). */
export const AUTO_INLINE_MACS = 50_000;

/** Validates a placement and fills in its defaults. `macsPerSample` sizes the model for `auto`. */
export function resolvePlacement(p: Placement, macsPerSample: number): ResolvedPlacement {
  switch (p.kind) {
    case 'inline':
      return { kind: 'inline', shards: positiveInt('inline', 'shards', p.shards ?? 1), replicas: 1, threads: 0, reason: 'requested' };
    case 'dataParallel': {
      const replicas = positiveInt('dataParallel', 'replicas', p.replicas);
      const shards = positiveInt('dataParallel', 'shards', p.shards ?? replicas);
      if (replicas > shards) throw new RangeError(`dataParallel: ${replicas} replicas need at least ${replicas} shards, got shards = ${shards}`);
      return { kind: 'dataParallel', shards, replicas, threads: positiveInt('dataParallel', 'threads', p.threads ?? Math.min(replicas, defaultThreads())), reason: 'requested' };
    }
    case 'pipeline': {
      const shards = positiveInt('pipeline', 'microBatches', p.microBatches);
      return { kind: 'pipeline', shards, replicas: 1, threads: positiveInt('pipeline', 'threads', p.threads ?? defaultThreads()), reason: 'requested' };
    }
    case 'hybrid': {
      const replicas = positiveInt('hybrid', 'replicas', p.replicas);
      const shards = replicas * positiveInt('hybrid', 'microBatches', p.microBatches);
      return { kind: 'hybrid', shards, replicas, threads: positiveInt('hybrid', 'threads', p.threads ?? defaultThreads()), reason: 'requested' };
    }
    case 'auto': {
      const threads = positiveInt('auto', 'threads', p.threads ?? defaultThreads());
      if (macsPerSample < AUTO_INLINE_MACS || threads === 1) {
        return {
          kind: 'inline',
          shards: positiveInt('auto', 'shards', p.shards ?? 1),
          replicas: 1,
          threads: 0,
          reason: threads === 1 ? 'one thread available' : `model is small (${macsPerSample} multiply-adds per sample < ${AUTO_INLINE_MACS}): threads would cost more than they save`,
        };
      }
      const shards = positiveInt('auto', 'shards', p.shards ?? threads);
      return { kind: 'dataParallel', shards, replicas: Math.min(threads, shards), threads, reason: `model has ${macsPerSample} multiply-adds per sample: data-parallel over ${threads} threads` };
    }
    default:
      throw new RangeError(`placement: unknown kind ${JSON.stringify((p as { kind: unknown }).kind)}; expected inline, dataParallel, pipeline, hybrid or auto`);
  }
}
