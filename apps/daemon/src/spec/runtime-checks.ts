import { ALIAS_OPTION_KEYS, type OptionAliasName } from '@actorgrad/optim';
import { earlyStopping, parseFitOptions, reduceLROnPlateau } from '@actorgrad/runtime';
import { type SpecProblem, describeValue, jsonPath, problem, problemText, unknownKeyProblem } from './problems.js';

/**
 * The checks the runtime and optim already make — an optimiser's option ranges (`sgd: momentum
 * must be in [0, 1)`), a schedule's arguments, a placement's numbers, metric names, the callbacks'
 * options — run on the spec's values and turned into problems at the spec's paths. They throw one
 * message per call, so each key is checked on its own: every problem is found, not just the first.
 */

const BASE = { loss: 'mse', optimizer: 'sgd', epochs: 1, batchSize: 1 };

/** The runtime's message for these fit options, or null when they are valid. */
function fitMessage(options: Record<string, unknown>): string | null {
  try {
    parseFitOptions({ ...BASE, ...options } as never);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** `fit: options.x.y must be E, got F (sgd)` → a problem at `$.x.y`; anything else at `fallback`. */
export function fromRuntimeMessage(raw: string, fallback: string, value: unknown, pathOverride?: string): SpecProblem {
  const msg = raw.replace(/^\w+: /, '');
  const m = /^options\.(\S+) must be ([\s\S]+?), got ([\s\S]+?)(?: \((\w+)\))?(; did you mean '[^']*'\?)?$/.exec(msg);
  if (m) return problemText(pathOverride ?? `$.${m[1]}`, m[2]!, m[3]!, `${pathOverride ?? `$.${m[1]}`} must be ${m[2]}, got ${m[3]}${m[4] ? ` (${m[4]})` : ''}${m[5] ?? ''}`);
  const r = /^options\.(\S+) is required \(([\s\S]+)\)$/.exec(msg);
  if (r) return problem(pathOverride ?? `$.${r[1]}`, r[2]!, undefined);
  const u = /^unknown option '([^']+)' in ([^;\s]+)[\s\S]*valid: ([^(]*)/.exec(msg);
  if (u) {
    const place = [...u[2]!.matchAll(/(\w+)|\[(\d+)\]/g)].map((t) => (t[2] === undefined ? t[1]! : Number(t[2])));
    return unknownKeyProblem(place, u[1]!, u[3]!.trim().split(', '));
  }
  const inner = msg.replace(/^options\.\S+(?: \(\w+\))?: /, '').replace(/^\w+: /, '');
  const needs = /^(\w+) needs ([\s\S]+?), got ([\s\S]+)$/.exec(inner);
  if (needs) return problemText(fallback, `${needs[2]} (${needs[1]} needs it)`, needs[3]!, `${fallback}: ${inner}`);
  const n = /^([\s\S]+?) must be ([\s\S]+?), got ([\s\S]+)$/.exec(inner);
  if (n) {
    const expected = fallback.endsWith(`.${n[1]}`) ? n[2]! : `${n[1]}: ${n[2]}`;
    return problemText(fallback, expected, n[3]!, `${fallback}: ${inner}`);
  }
  return problemText(fallback, inner, describeValue(value), `${fallback}: ${inner}`);
}

const LR = 'a learning rate: a finite number > 0';

/** The runtime's problem with these optimiser options, or null. */
function optimizerMessage(name: string, options: Record<string, unknown>): SpecProblem | null {
  const m = fitMessage({ optimizer: { name, options } });
  return m ? fromRuntimeMessage(m, '$.optimizer.options', options) : null;
}

/**
 * The optimiser's options: unknown keys (with the nearest valid one) and lr first, then each key
 * on its own — and, if it fails alone, again beside the keys that pass, so that `nesterov` is not
 * blamed for a `momentum` given beside it — then all together.
 */
export function optimizerProblems(input: unknown): SpecProblem[] {
  const o = typeof input === 'string' ? { name: input, options: {} } : (input as { name: OptionAliasName; options?: Record<string, unknown> });
  const options = o.options ?? {};
  const valid: readonly string[] = ALIAS_OPTION_KEYS[o.name as OptionAliasName];
  const problems: SpecProblem[] = [];
  const checked: [string, unknown][] = [];
  for (const [k, v] of Object.entries(options)) {
    if (!valid.includes(k)) problems.push(unknownKeyProblem(['optimizer', 'options'], k, valid));
    else if (k === 'lr' && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) problems.push(problem(['optimizer', 'options', k], LR, v));
    else checked.push([k, v]);
  }
  const alone = new Map(checked.map(([k, v]) => [k, optimizerMessage(o.name, { [k]: v })]));
  const fine = Object.fromEntries(checked.filter(([k]) => alone.get(k) === null));
  for (const [k, v] of checked) {
    const p = alone.get(k) ? optimizerMessage(o.name, { ...fine, [k]: v }) : null;
    if (p) problems.push(p);
  }
  if (problems.length > 0) return problems;
  const whole = optimizerMessage(o.name, options);
  return whole ? [whole] : [];
}

/** A section the runtime checks as a whole: the schedule or the placement. */
export function sectionProblems(key: 'schedule' | 'placement', value: unknown): SpecProblem[] {
  const m = fitMessage({ [key]: value });
  return m ? [fromRuntimeMessage(m, `$.${key}`, value)] : [];
}

/** Each metric name, checked by the runtime. */
export function metricProblems(metrics: readonly string[]): SpecProblem[] {
  return metrics.flatMap((name, i) => {
    const m = fitMessage({ metrics: [name] });
    return m ? [fromRuntimeMessage(m, `$.metrics[${i}]`, name, `$.metrics[${i}]`)] : [];
  });
}

const FACTORIES = { earlyStopping, reduceLROnPlateau } as Record<string, (o: object) => unknown>;

/** The callbacks' options, key by key, checked by the runtime's own factories. */
export function callbackProblems(callbacks: Record<string, unknown>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const [name, make] of Object.entries(FACTORIES)) {
    const options = callbacks[name] as Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(options ?? {})) {
      try {
        make({ [k]: v });
      } catch (e) {
        const at = `$.callbacks.${name}.${k}`;
        problems.push(fromRuntimeMessage((e as Error).message, at, v, at));
      }
    }
  }
  return problems;
}
