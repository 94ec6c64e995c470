/** Which direction of a monitored value is better: 'auto' reads it from the name (acc/accuracy → max). */
export type Mode = 'min' | 'max' | 'auto';

export function resolveMode(mode: Mode, monitor: string): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') throw new RangeError(`mode must be 'min', 'max' or 'auto', got ${JSON.stringify(mode)}`);
  return /acc|accuracy|top/.test(monitor) ? 'max' : 'min';
}

/** True when `value` improves on `best` by more than `minDelta` in the given direction. */
export function improves(value: number, best: number, mode: 'min' | 'max', minDelta = 0): boolean {
  return mode === 'min' ? value < best - minDelta : value > best + minDelta;
}

/** Reads the monitored value from the logs, or throws naming what is there. */
export function monitored(logs: Record<string, number>, monitor: string, who: string): number {
  const v = logs[monitor];
  if (v === undefined) throw new RangeError(`${who}: monitored value '${monitor}' is not in the logs (have: ${Object.keys(logs).join(', ')})`);
  return v;
}
