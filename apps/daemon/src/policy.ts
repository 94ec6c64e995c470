/**
 * The checkpoint policy of a job spec (`callbacks.checkpoint`, see its description in the schema):
 * without one, a checkpoint every 100 steps and at every epoch's end; with one, what it states
 * (every epoch when it gives neither steps nor epochs); the 3 newest periodic ones kept.
 *
 * @module
 */
export interface CheckpointPolicy {
  everySteps: number | null;
  everyEpochs: number | null;
  keep: number;
  best: { monitor: string; mode: 'min' | 'max' } | null;
}

export const DEFAULT_POLICY: CheckpointPolicy = { everySteps: 100, everyEpochs: 1, keep: 3, best: null };

/** The policy of a validated spec. */
export function checkpointPolicy(spec: { callbacks?: { checkpoint?: Partial<CheckpointPolicy> & { best?: { monitor: string; mode?: 'min' | 'max' | 'auto' } } } }): CheckpointPolicy {
  const c = spec.callbacks?.checkpoint;
  if (!c) return DEFAULT_POLICY;
  const best = c.best ? { monitor: c.best.monitor, mode: c.best.mode === 'max' || (c.best.mode !== 'min' && /acc/i.test(c.best.monitor)) ? ('max' as const) : ('min' as const) } : null;
  return {
    everySteps: c.everySteps ?? null,
    everyEpochs: c.everyEpochs ?? (c.everySteps ? null : 1),
    keep: c.keep ?? DEFAULT_POLICY.keep,
    best,
  };
}
