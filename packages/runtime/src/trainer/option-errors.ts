import { Tensor, fmtShape } from '@actorgrad/core';
import type { z } from 'zod';

/**
 * Turning zod's issues into the Trainer's messages: `fit: options.epochs must be a positive
 * integer, got 2.5`, `fit: unknown option 'momentun' in optimizer.options (sgd); did you mean
 * 'momentum'? valid: lr, momentum, …`. Every schema states what it expects in its `error`, so the
 * message is always "path must be expected, got found" (or "is required").
 */

/** A value as a message shows it: never `undefined`, never `[object Object]`. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (v instanceof Tensor) return `a ${v.dtype} Tensor of shape ${fmtShape(v.shape)}`;
  if (Array.isArray(v)) return v.length <= 4 && v.every((e) => typeof e !== 'object' || e === null) ? `[${v.map(show).join(', ')}]` : `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  const name = (v as object).constructor?.name;
  if (name && name !== 'Object') return `a ${name}`;
  const keys = Object.keys(v as object);
  return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}`;
}

/** Names people type for our keys and values, which edit distance alone would not find. */
const ALIASES: Record<string, string[]> = {
  lr: ['learningRate', 'learningrate', 'eta', 'alpha', 'stepSize', 'lrate'],
  betas: ['beta', 'beta1', 'beta2', 'b1', 'b2'],
  eps: ['epsilon'],
  weightDecay: ['decay', 'wd', 'l2', 'lambda'],
  momentum: ['mu', 'beta'],
  epochs: ['nEpochs', 'numEpochs', 'nbEpoch', 'maxEpochs', 'iterations'],
  batchSize: ['bs', 'miniBatchSize', 'minibatch', 'batch'],
  validationData: ['validation', 'valData', 'val', 'testData', 'evalData'],
  validationSplit: ['valSplit', 'validationFraction'],
  loss: ['lossFn', 'criterion', 'objective', 'lossFunction'],
  optimizer: ['optim', 'opt', 'optimiser'],
  schedule: ['scheduler', 'lrSchedule', 'lrScheduler'],
  clipNorm: ['clip', 'gradClip', 'maxNorm', 'clipGradNorm', 'gradientClipping', 'clipnorm'],
  signal: ['abortSignal'],
  seed: ['randomSeed', 'randomState'],
  metrics: ['metric'],
  callbacks: ['callback'],
  options: ['opts', 'params', 'args', 'config', 'hyperparameters'],
  x: ['inputs', 'input', 'features', 'data', 'X'],
  y: ['targets', 'target', 'labels', 'label', 'Y'],
  crossEntropy: ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'nll', 'ce', 'softmaxCrossEntropy'],
  mse: ['meanSquaredError', 'l2Loss'],
  mae: ['meanAbsoluteError', 'l1', 'l1Loss'],
  huber: ['smoothL1', 'huberLoss'],
  bce: ['binaryCrossentropy', 'binaryCrossEntropy'],
  bceWithLogits: ['sigmoidCrossEntropy', 'binaryCrossentropyWithLogits'],
  sgd: ['SGD', 'gradientDescent'],
  classes: ['labels', 'argmax'],
  probabilities: ['probs', 'softmax', 'proba'],
  onEpochBegin: ['onEpochStart'],
  onTrainBegin: ['onTrainStart', 'onFitStart'],
  onTrainEnd: ['onFitEnd'],
  onBatchEnd: ['onStepEnd'],
};

const squash = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');

/** Optimal-string-alignment distance (Levenshtein with adjacent transpositions). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The valid name a user most likely meant by `typed`, or null: alias table, then case/underscores, then edit distance. */
export function nearest(typed: string, valid: readonly string[]): string | null {
  const t = squash(typed);
  for (const v of valid) if (squash(v) === t) return v;
  for (const v of valid) if (ALIASES[v]?.some((a) => squash(a) === t)) return v;
  let best: string | null = null;
  let bestD = Math.max(1, Math.floor(typed.length / 3));
  for (const v of valid) {
    const dv = distance(t, squash(v));
    if (dv <= bestD && (best === null || dv < bestD)) {
      best = v;
      bestD = dv;
    }
  }
  return best;
}

/** `; did you mean 'x'?` or nothing. */
export function didYouMean(typed: string, valid: readonly string[]): string {
  const n = nearest(typed, valid);
  return n === null ? '' : `; did you mean '${n}'?`;
}

/** `fit: unknown option 'momentun' in optimizer.options (sgd); did you mean 'momentum'? valid: lr, momentum, …` */
export function unknownKey(fn: string, key: string, place: string, valid: readonly string[], others: readonly string[] = [], noun = 'option'): string {
  const dym = didYouMean(key, valid);
  const more = others.length > 0 ? ` (also unknown: ${others.map((k) => `'${k}'`).join(', ')})` : '';
  return `${fn}: unknown ${noun} '${key}' in ${place}${dym === '' ? ';' : dym} valid: ${valid.join(', ')}${more}`;
}

/** `options.optimizer.options.lr`, `options.metrics[1]`. */
export function pathOf(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : `${s}.${String(k)}`), root);
}

export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

export interface IssueContext {
  /** The entry point: `fit`, `evaluate`, `predict`. */
  fn: string;
  /** What the path starts from: `options`. */
  root: string;
  /** The value that was parsed (the issue's values are read from it, so nothing is lost to zod's coercions). */
  input: unknown;
  /** The keys a strict object at `path` allows (zod's issue does not carry them). */
  keysAt: (path: readonly PropertyKey[]) => readonly string[];
  /** How the object at `path` is named in an unknown-key message (default: its path). */
  placeOf?: (path: readonly PropertyKey[]) => string;
}

/** One message for one zod issue: "path must be expected, got found", "path is required (expected)" or an unknown key. */
export function formatIssue(c: IssueContext, issue: z.core.$ZodIssue): string {
  const at = pathOf(c.root, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const place = c.placeOf ? c.placeOf(issue.path) : at;
    return unknownKey(c.fn, issue.keys[0]!, place, c.keysAt(issue.path), issue.keys.slice(1));
  }
  const found = valueAt(c.input, issue.path);
  if (found === undefined) return `${c.fn}: ${at} is required (${issue.message})`;
  const values = issue.code === 'invalid_value' ? issue.values.map(String) : [];
  const dym = typeof found === 'string' && values.length > 0 ? didYouMean(found, values) : '';
  return `${c.fn}: ${at} must be ${issue.message}, got ${show(found)}${dym}`;
}

/** Parses with `schema` and throws the first issue as our message (unknown keys first: they explain the rest). */
export function parseOrThrow<T>(schema: z.ZodType<T>, c: IssueContext): T {
  const r = schema.safeParse(c.input);
  if (r.success) return r.data;
  const issues = [...r.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const first = issues[0]!;
  const Err = first.code === 'unrecognized_keys' || first.code === 'invalid_type' ? TypeError : RangeError;
  throw new Err(formatIssue(c, first));
}
