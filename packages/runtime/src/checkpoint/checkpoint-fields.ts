/**
 * Validation of what `saveCheckpoint` is given and of every `__metadata__` field `loadCheckpoint`
 * reads: a value that is missing or of the wrong shape is an error naming the file and the field,
 * never a `TypeError` from deep inside the trainer later.
 *
 * @module
 */
import { nn } from '@actorgrad/core';
import { FileFormatError } from '@actorgrad/io';
import type { EpochPosition, History } from '../run-state.js';
import type { CheckpointConfig } from './checkpoint.js';

/** Throws the `FileFormatError` `loadCheckpoint(file): problem`. */
export function fail(file: string, problem: string): never {
  throw new FileFormatError('loadCheckpoint', file, problem);
}

type Meta = Record<string, string>;

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function show(x: unknown): string {
  if (x === undefined) return '(missing)';
  let s: string;
  try {
    s = JSON.stringify(x) ?? String(x);
  } catch {
    s = String(x); // A bigint or a cycle.
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The metadata field `key` parsed as JSON. */
export function json(file: string, meta: Meta, key: string): unknown {
  const raw = meta[key];
  if (raw === undefined) fail(file, `__metadata__ has no '${key}'`);
  try {
    return JSON.parse(raw);
  } catch {
    return fail(file, `__metadata__ '${key}' is not valid JSON`);
  }
}

/** The metadata field `key` as a non-negative integer written in decimal digits. */
export function nonNegativeInteger(file: string, meta: Meta, key: string): number {
  const raw = meta[key];
  const n = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw) || !Number.isSafeInteger(n)) fail(file, `__metadata__ '${key}' must be a non-negative integer, got ${show(raw)}`);
  return n;
}

/** `lr_override`: null or a finite number. */
export function readLrOverride(file: string, meta: Meta): number | null {
  const v = json(file, meta, 'lr_override');
  if (v !== null && !(typeof v === 'number' && Number.isFinite(v))) fail(file, `__metadata__ 'lr_override' must be null or a number, got ${show(v)}`);
  return v as number | null;
}

/**
 * `position`: null (at an epoch's start; also when absent, in checkpoints written before positions
 * were recorded) or where inside the epoch the checkpoint was taken (see `EpochPosition`).
 */
export function readPosition(file: string, meta: Meta): EpochPosition | null {
  if (meta.position === undefined) return null;
  const p = json(file, meta, 'position');
  if (p === null) return null;
  const bad = (what: string, got: unknown): never => fail(file, `__metadata__ 'position' ${what}, got ${show(got)}`);
  if (!isRecord(p)) return bad('must be null or an object', p);
  for (const k of ['batch', 'rows', 'batchSize', 'seen'] as const) {
    if (!Number.isSafeInteger(p[k]) || (p[k] as number) < 0) bad(`'${k}' must be a non-negative integer`, p[k]);
  }
  if (typeof p.lossSum !== 'number') bad("'lossSum' must be a number", p.lossSum);
  const m = p.metrics;
  if (!isRecord(m) || !Number.isSafeInteger(m.count) || !isRecord(m.sums) || !Object.values(m.sums).every((v) => typeof v === 'number')) {
    bad("'metrics' must be {sums: {name: number}, count: integer}", m);
  }
  return p as unknown as EpochPosition;
}

/** `history`: {epochs: number[], metrics: {name: (number|null)[]}, stopReason: string, steps: number}. */
export function readHistory(file: string, meta: Meta): History {
  const h = json(file, meta, 'history');
  const bad = (what: string, got: unknown): never => fail(file, `__metadata__ 'history' ${what}, got ${show(got)}`);
  if (!isRecord(h)) return bad('must be an object', h);
  if (!Array.isArray(h.epochs) || !h.epochs.every(Number.isInteger)) bad("'epochs' must be an array of integers", h.epochs);
  if (!isRecord(h.metrics)) return bad("'metrics' must be an object of arrays", h.metrics);
  for (const [k, v] of Object.entries(h.metrics)) {
    // NaN and ±Infinity are written by JSON as null.
    if (!Array.isArray(v) || !v.every((x) => x === null || typeof x === 'number')) bad(`'metrics.${k}' must be an array of numbers`, v);
  }
  if (typeof h.stopReason !== 'string') bad("'stopReason' must be a string", h.stopReason);
  if (!Number.isInteger(h.steps)) bad("'steps' must be an integer", h.steps);
  return h as unknown as History;
}

/** `config`: the training configuration, each field checked for the shape `Trainer.fit` needs. */
export function readConfig(file: string, meta: Meta): CheckpointConfig {
  const c = json(file, meta, 'config');
  const bad = (what: string, got: unknown): never => fail(file, `__metadata__ 'config' ${what}, got ${show(got)}`);
  if (!isRecord(c)) return bad('must be an object', c);
  if (typeof c.loss !== 'string') bad("'loss' must be a loss name", c.loss);
  const o = c.optimizer;
  if (!isRecord(o) || typeof o.name !== 'string' || !isRecord(o.options)) bad("'optimizer' must be {name, options}", o);
  const s = c.schedule;
  if (s !== null && !(isRecord(s) && typeof s.name === 'string' && Array.isArray(s.args))) bad("'schedule' must be null or {name, args}", s);
  if (!(Number.isSafeInteger(c.batchSize) && (c.batchSize as number) > 0)) bad("'batchSize' must be a positive integer", c.batchSize);
  if (!(Number.isSafeInteger(c.epochs) && (c.epochs as number) >= 0)) bad("'epochs' must be a non-negative integer", c.epochs);
  if (!Number.isFinite(c.seed)) bad("'seed' must be a number", c.seed);
  if (!Array.isArray(c.metrics) || !c.metrics.every((m) => typeof m === 'string')) bad("'metrics' must be an array of names", c.metrics);
  if (c.clipNorm !== null && !(typeof c.clipNorm === 'number' && c.clipNorm > 0)) bad("'clipNorm' must be null or a positive number", c.clipNorm);
  return c as unknown as CheckpointConfig;
}

/** `loadCheckpoint`'s argument. */
export function checkLoadArgs(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') throw new TypeError(`loadCheckpoint: path must be a non-empty string, got ${show(path)}`);
}

/**
 * `saveCheckpoint`'s arguments: a path, and `{model, state, options}` with the fields it writes.
 * Without a state there is nothing to resume from: the message points to `saveModel`.
 */
export function checkSaveArgs(path: unknown, ctx: unknown): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`saveCheckpoint: path must be a non-empty string, got ${show(path)}`);
  const bad = (problem: string) => saveError(path, problem);
  if (!isRecord(ctx)) saveError(path, `the second argument must be {model, state, options}, got ${show(ctx)}`);
  if (!(ctx.model instanceof nn.Sequential)) bad(`'model' must be an nn.Sequential, got ${ctx.model === undefined ? '(missing)' : typeof ctx.model}`);
  const missing = ['state', 'options'].filter((k) => !isRecord(ctx[k]));
  if (missing.length > 0) {
    bad(
      `${missing.map((k) => `'${k}'`).join(' and ')} missing: a checkpoint holds the training state and options to resume from (a Trainer callback's ctx.saveCheckpoint passes them); to save only the weights, call saveModel(model, path)`,
    );
  }
  const state = ctx.state as Record<string, unknown>;
  for (const k of ['epoch', 'step']) if (!(Number.isSafeInteger(state[k]) && (state[k] as number) >= 0)) bad(`state.${k} must be a non-negative integer, got ${show(state[k])}`);
  if (!Array.isArray(state.optimizerStates)) bad(`state.optimizerStates must be an array, got ${show(state.optimizerStates)}`);
  if (!isRecord(state.callbacks)) bad(`state.callbacks must be a record, got ${show(state.callbacks)}`);
  if (!isRecord(state.history)) bad(`state.history must be a History, got ${show(state.history)}`);
  if (state.lrOverride !== null && typeof state.lrOverride !== 'number') bad(`state.lrOverride must be null or a number, got ${show(state.lrOverride)}`);
  const options = ctx.options as Record<string, unknown>;
  if (typeof options.loss !== 'string') bad(`options.loss must be a loss name, got ${show(options.loss)}`);
  if (!isRecord(options.optimizer) || typeof options.optimizer.name !== 'string') bad(`options.optimizer must be {name, options}, got ${show(options.optimizer)}`);
  for (const k of ['batchSize', 'epochs']) if (!Number.isSafeInteger(options[k])) bad(`options.${k} must be an integer, got ${show(options[k])}`);
}

function saveError(path: string, problem: string): never {
  throw new TypeError(`saveCheckpoint(${path}): ${problem}`);
}
