import type { z } from 'zod';
import { type DataShape, inspectData } from './data-shape.js';
import type { FileOptions } from './files.js';
import { dataFitProblems } from './fit-check.js';
import { modelProblems } from './model-check.js';
import { type SpecProblem, issueProblems, problem } from './problems.js';
import { callbackProblems, metricProblems, optimizerProblems, sectionProblems } from './runtime-checks.js';
import { type JobSpec, callbacksSchema, dataSchema, jobSpecSchema, modelSchema, optimizerSchema, placementSchema, scheduleSchema } from './schema.js';

export type ParseResult = { ok: true; spec: JobSpec } | { ok: false; problems: SpecProblem[] };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; in?: z.ZodType };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object schema `schema` has for `value`: options unwrapped, a union's option chosen by its discriminator. */
function objectFor(schema: z.ZodType, value: unknown): Def | null {
  const d = defOf(schema);
  if (d.type === 'object') return d;
  if (d.innerType) return objectFor(d.innerType, value);
  if (d.type === 'pipe' && d.in) return objectFor(d.in, value);
  if (d.type !== 'union' || !d.options) return null;
  const objects = d.options.map((o) => objectFor(o, value)).filter((o): o is Def => o !== null);
  const matches = (o: Def) =>
    Object.entries(o.shape ?? {}).some(([k, s]) => defOf(s).type === 'literal' && isObject(value) && (s as z.ZodLiteral).values.has(value[k] as never));
  return objects.find(matches) ?? objects[0] ?? null;
}

/** The keys the schema allows at `path` of `input` (for an unknown key's suggestion). */
function keysAt(input: unknown, path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType | undefined = jobSpecSchema;
  let value = input;
  for (const k of path) {
    if (!schema) return [];
    const d = defOf(schema);
    const unwrapped: Def = d.type === 'optional' || d.type === 'default' ? defOf(d.innerType!) : d;
    schema = typeof k === 'number' ? unwrapped.element : objectFor(schema, value)?.shape?.[String(k)];
    value = isObject(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[k] : undefined;
  }
  return schema ? Object.keys(objectFor(schema, value)?.shape ?? {}) : [];
}

/**
 * One issue's problems. A union none of whose options matched reports the option that fits the
 * value's form (an object given for `'inline' | {kind, …}` gets the object's own problems).
 */
function problemsOf(issue: z.core.$ZodIssue, input: unknown): SpecProblem[] {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const atRoot = (branch: z.core.$ZodIssue[], codes: string[]) => branch.some((i) => i.path.length === 0 && codes.includes(i.code));
    let fitting = issue.errors.filter((branch) => !atRoot(branch, ['invalid_type', 'invalid_value', 'invalid_union']));
    if (fitting.length !== 1) fitting = issue.errors.filter((branch) => !atRoot(branch, ['invalid_type']));
    if (fitting.length === 1) {
      const here = issue.path;
      return fitting[0]!.flatMap((i) => problemsOf({ ...i, path: [...here, ...i.path] } as z.core.$ZodIssue, input));
    }
  }
  return issueProblems(issue, input, (p) => keysAt(input, p));
}

/** A section's value if its schema accepts it, else undefined (its problems are the schema's). */
function valid<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** What the schema cannot check, for every section the schema accepted. */
function semanticProblems(o: Record<string, unknown>, files: FileOptions): { problems: SpecProblem[]; resolved: Record<string, string> } {
  const problems: SpecProblem[] = [];
  const data = valid(dataSchema, o.data);
  let shape: DataShape | null = null;
  let resolved: Record<string, string> = {};
  if (data) {
    const r = inspectData(data, files);
    shape = r.shape;
    resolved = r.resolved;
    problems.push(...r.problems);
    if (shape) problems.push(...dataFitProblems(shape, o.loss, o.validationSplit));
  }
  const model = valid(modelSchema, o.model);
  const loss = typeof o.loss === 'string' ? o.loss : null;
  if (model) problems.push(...modelProblems(model.layers, shape, loss));
  if (valid(optimizerSchema, o.optimizer) !== undefined) problems.push(...optimizerProblems(o.optimizer));
  if (o.schedule !== undefined && valid(scheduleSchema, o.schedule)) problems.push(...sectionProblems('schedule', o.schedule));
  if (o.placement !== undefined && valid(placementSchema, o.placement) !== undefined) problems.push(...sectionProblems('placement', o.placement));
  if (Array.isArray(o.metrics) && o.metrics.every((m) => typeof m === 'string')) problems.push(...metricProblems(o.metrics));
  if (isObject(o.callbacks)) {
    const c = o.callbacks;
    const ok = (['earlyStopping', 'reduceLROnPlateau'] as const).filter((k) => c[k] !== undefined && valid(callbacksSchema.shape[k], c[k]) !== undefined);
    problems.push(...callbackProblems(Object.fromEntries(ok.map((k) => [k, c[k]]))));
  }
  return { problems, resolved };
}

/**
 * Checks a job spec (the parsed JSON or YAML document) and returns it typed with its defaults, or
 * every problem found: the schema's (types, keys, ranges), then the shape chain of the layers
 * against the data and the loss, the data files (inside `allowedDirs`, existing, their headers),
 * and the optimiser's, schedule's, placement's, metrics' and callbacks' own checks. In the spec
 * returned, data file paths are the absolute real paths that were checked (links and `..`
 * resolved), so the stored job does not depend on the directory it was submitted from.
 */
export function parseJobSpec(input: unknown, opts: { allowedDirs: string[]; baseDir: string }): ParseResult {
  if (!isObject(input)) return { ok: false, problems: [problem([], 'a job spec object {name, model, data, loss, optimizer, epochs, batchSize, …}', input)] };
  const r = jobSpecSchema.safeParse(input);
  const problems = r.success ? [] : r.error.issues.flatMap((i) => problemsOf(i, input));
  const semantic = semanticProblems(input, opts);
  problems.push(...semantic.problems);
  if (problems.length > 0 || !r.success) return { ok: false, problems };
  return { ok: true, spec: { ...r.data, data: { ...r.data.data, ...semantic.resolved } } };
}
