import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Tensor, data } from '@actorgrad/core';
import { stateFromSafetensors, stateToSafetensors, writeFileAtomic } from '@actorgrad/io';
import type { JobSpec } from './schema.js';

/** The file in a run's directory that holds the fitted preprocessing. */
export const PREPROCESSING_FILE = 'preprocessing.safetensors';
const FORMAT = 'actorgrad.preprocessing/1';

export type PreprocessingKind = 'minmax' | 'zscore' | 'zca';
export type PreprocessingState = data.MinMaxScalerState | data.StandardScalerState | data.ZCAWhiteningState;
type Scaler = data.Preprocessor<PreprocessingState>;

/** A fitted preprocessing: its kind, its statistics, and the scaler that applies them. */
export interface FittedPreprocessing {
  kind: PreprocessingKind;
  state: PreprocessingState;
  transform(x: Tensor): Tensor;
}

/** The unfitted scaler of a spec's preprocessing, or null without one. */
export function makeScaler(p: JobSpec['preprocessing']): { kind: PreprocessingKind; scaler: Scaler } | null {
  if (p === undefined) return null;
  const o = typeof p === 'string' ? { kind: p } : p;
  if (o.kind === 'minmax') return { kind: 'minmax', scaler: new data.MinMaxScaler('featureRange' in o ? { featureRange: o.featureRange } : {}) as Scaler };
  if (o.kind === 'zscore') return { kind: 'zscore', scaler: new data.StandardScaler('eps' in o ? { eps: o.eps } : {}) as Scaler };
  return { kind: 'zca', scaler: new data.ZCAWhitening('eps' in o ? { eps: o.eps } : {}) as Scaler };
}

const FROM_STATE: Record<PreprocessingKind, (s: PreprocessingState) => Scaler> = {
  minmax: (s) => data.MinMaxScaler.fromState(s as data.MinMaxScalerState) as Scaler,
  zscore: (s) => data.StandardScaler.fromState(s as data.StandardScalerState) as Scaler,
  zca: (s) => data.ZCAWhitening.fromState(s as data.ZCAWhiteningState) as Scaler,
};

/** Number lists as Float64Array (binary in the file, exact), and back. */
const packed = (s: object) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k !== 'featureRange' && Array.isArray(v) ? Float64Array.from(v) : v]));
const unpacked = (s: object) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : v]));

/** Writes a fitted preprocessing to `runDir/preprocessing.safetensors`, atomically. */
export async function savePreprocessing(runDir: string, kind: PreprocessingKind, state: PreprocessingState): Promise<void> {
  const bytes = stateToSafetensors(packed(state), { format: FORMAT, kind });
  await writeFileAtomic(join(runDir, PREPROCESSING_FILE), bytes);
}

/** The preprocessing a run fitted (to apply to new inputs), or null when its job had none. */
export async function loadPreprocessing(runDir: string): Promise<FittedPreprocessing | null> {
  const file = join(runDir, PREPROCESSING_FILE);
  if (!existsSync(file)) return null;
  const { state, metadata } = stateFromSafetensors<object>(await readFile(file), file);
  const kind = metadata.kind as PreprocessingKind;
  if (metadata.format !== FORMAT || !(kind in FROM_STATE)) throw new TypeError(`loadPreprocessing(${file}): not a preprocessing file (format ${JSON.stringify(metadata.format ?? null)}, kind ${JSON.stringify(kind ?? null)})`);
  const s = unpacked(state) as PreprocessingState;
  const scaler = FROM_STATE[kind](s);
  return { kind, state: s, transform: (x) => scaler.transform(x) };
}
