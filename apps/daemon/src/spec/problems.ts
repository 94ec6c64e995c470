import { distance } from 'fastest-levenshtein';
import type { z } from 'zod';

/**
 * One thing wrong with a job spec: where (a JSON path from the document's root, `$.optimizer.options.lr`,
 * `$.model.layers[2].args.inFeatures`), what was expected there and what was found.
 */
export interface SpecProblem {
  path: string;
  expected: string;
  found: string;
  /** The whole sentence, as the CLI prints it. */
  message: string;
}

export type PathKey = string | number;

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `['model', 'layers', 2, 'args']` → `$.model.layers[2].args`; odd keys are quoted: `$['my key']`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => {
    if (typeof k === 'number') return `${s}[${k}]`;
    const key = String(k);
    return IDENT.test(key) ? `${s}.${key}` : `${s}[${JSON.stringify(key)}]`;
  }, '$');
}

/** The value at `path` inside `input`, or undefined. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** A found value as a problem shows it: `-0.1`, `'adm'`, `an object with keys a, b`, `nothing`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v).replace(/^"|"$/g, "'");
  if (Array.isArray(v)) {
    const flat = v.length <= 4 && v.every((e) => e === null || typeof e !== 'object');
    return flat ? `[${v.map(describeValue).join(', ')}]` : `an array of ${v.length}`;
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`;
  }
  return typeof v;
}

const fold = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');

/** The valid name closest to `typed` (case and `_`/`-` ignored, then Levenshtein distance ≤ max(2, a third of its length)), or null. */
export function nearestName(typed: string, valid: readonly string[]): string | null {
  const t = fold(typed);
  const same = valid.find((v) => fold(v) === t);
  if (same !== undefined) return same;
  let best: string | null = null;
  let bestD = Math.max(2, Math.floor(typed.length / 3));
  for (const v of valid) {
    const d = distance(t, fold(v));
    if (d < bestD || (d === bestD && best === null)) {
      best = v;
      bestD = d;
    }
  }
  return best;
}

/** ` (did you mean 'adam'?)` or nothing. */
export function suggestion(typed: unknown, valid: readonly string[]): string {
  const n = typeof typed === 'string' ? nearestName(typed, valid) : null;
  return n === null ? '' : ` (did you mean '${n}'?)`;
}

/** A problem at `path`: "$.x must be E, got F" (or "$.x is required (E)" when nothing is there). */
export function problem(path: readonly PropertyKey[] | string, expected: string, found: unknown, note = ''): SpecProblem {
  const at = typeof path === 'string' ? path : jsonPath(path);
  const shown = describeValue(found);
  const message = found === undefined ? `${at} is required: expected ${expected}${note}` : `${at} must be ${expected}, got ${shown}${note}`;
  return { path: at, expected, found: shown, message };
}

/** A problem whose found value is already described (a file's header, a computed width). */
export function problemText(path: string, expected: string, found: string, message?: string): SpecProblem {
  return { path, expected, found, message: message ?? `${path} must be ${expected}, got ${found}` };
}

/** An unknown key: `$.epocs`, expected "a key of $ (did you mean 'epochs'?)". */
export function unknownKeyProblem(parent: readonly PropertyKey[], key: string, valid: readonly string[]): SpecProblem {
  const at = jsonPath([...parent, key]);
  const dym = suggestion(key, valid);
  const expected = `one of the keys ${valid.join(', ')}`;
  return { path: at, expected, found: `unknown key '${key}'`, message: `unknown key '${key}' in ${jsonPath(parent)}${dym}; valid keys: ${valid.join(', ')}` };
}

/** The keys a zod object schema at `path` allows, found by walking the schema along the input. */
export type KeysAt = (path: readonly PropertyKey[]) => readonly string[];

/** Every zod issue as problems (an unrecognized-keys issue gives one problem per key). */
export function issueProblems(issue: z.core.$ZodIssue, input: unknown, keysAt: KeysAt, base: readonly PropertyKey[] = []): SpecProblem[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => unknownKeyProblem(path, k, keysAt(issue.path)));
  const found = valueAt(input, issue.path);
  let valid: string[] = [];
  if (issue.code === 'invalid_value') valid = issue.values.map(String);
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) valid = issue.options.map(String);
  return [problem(path, issue.message, found, suggestion(found, valid))];
}

/** The human text of a problem list, one line per problem, as `actorgrad submit` prints it. */
export function formatProblems(problems: readonly SpecProblem[]): string {
  if (problems.length === 0) return 'the job spec is valid';
  const head = `the job spec has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`;
  const lines = problems.map((p) => `  ${p.path}: expected ${p.expected}; found ${p.found}${tail(p)}`);
  return [head, ...lines].join('\n');
}

/** What the message says beyond path, expected and found (a suggestion, the valid keys), if anything. */
function tail(p: SpecProblem): string {
  const m = /\(did you mean '[^']*'\?\)/.exec(p.message);
  return m && !p.expected.includes(m[0]) ? ` ${m[0]}` : '';
}
