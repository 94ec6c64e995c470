import { z } from 'zod';
import { type IssueContext, parseOrThrow, show } from '../option-errors.js';

/**
 * The options of the callback factories, checked like fit's: `earlyStopping: options.patience
 * must be a non-negative integer, got -1`, `modelCheckpoint: unknown option 'pth' in options; did
 * you mean 'path'? valid: …`. Each factory declares a strict schema from these atoms.
 */
export const atoms = {
  string: (what = 'a string') => z.string({ error: what }),
  path: () => z.string({ error: 'a non-empty path' }).min(1, { error: 'a non-empty path' }),
  positiveInt: () => z.number({ error: 'a positive integer' }).int({ error: 'a positive integer' }).min(1, { error: 'a positive integer' }),
  count: () => z.number({ error: 'a non-negative integer' }).int({ error: 'a non-negative integer' }).min(0, { error: 'a non-negative integer' }),
  number: () => z.number({ error: 'a finite number' }).finite({ error: 'a finite number' }),
  nonNegative: () => z.number({ error: 'a finite number ≥ 0' }).finite({ error: 'a finite number ≥ 0' }).min(0, { error: 'a finite number ≥ 0' }),
  boolean: () => z.boolean({ error: 'true or false' }),
  mode: () => z.enum(['min', 'max', 'auto'], { error: "'min', 'max' or 'auto'" }),
  fn: (what = 'a function') => z.custom<(...a: never[]) => unknown>((v) => typeof v === 'function', { error: what }),
};

/**
 * Checks `input` (the options object of `fn`, or undefined when `required` is false) against a
 * strict schema and returns it typed; the first problem is thrown as `fn: options.key must be …`.
 */
export function parseOptions<S extends z.ZodObject>(fn: string, schema: S, input: unknown, required = false): z.output<S> {
  if (input === undefined && !required) return {} as z.output<S>;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`${fn}: options must be an object {${Object.keys(schema.shape).join(', ')}}, got ${show(input)}`);
  }
  const c: IssueContext = { fn, root: 'options', input, keysAt: () => Object.keys(schema.shape), placeOf: () => 'options' };
  return parseOrThrow(schema, c) as z.output<S>;
}

/** Checks a positional string argument: `csvLogger: path must be a non-empty path, got 5`. */
export function checkPath(fn: string, name: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new TypeError(`${fn}: ${name} must be a non-empty ${name === 'path' ? 'path' : 'string'}, got ${show(v)}`);
  return v;
}
