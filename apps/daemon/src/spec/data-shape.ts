import { MNIST_PIXELS } from '@actorgrad/io';
import { type FileOptions, checkDataFile, csvColumns, idxShape, npyShape } from './files.js';
import { type SpecProblem, describeValue, problemText, suggestion } from './problems.js';
import type { DataSpec } from './schema.js';

/**
 * What the model must fit, as far as it is known before loading the data: the inputs' width and
 * the targets' form. `null` is unknown (a CSV's classes are only known once the file is read).
 */
export interface DataShape {
  /** What the data is, for messages: `xor`, `mnist`, `data.csv`. */
  what: string;
  features: number | null;
  /** Rows, when the header or the set's options say. */
  rows: number | null;
  /** Real-valued targets (a regression set), which crossEntropy and the bce losses cannot take. */
  realValued?: boolean;
  /** `labels`: y is [N] (class labels or a single target); `columns`: y is [N, width]. */
  targets: { form: 'labels' | 'columns'; width: number | null; classes: number | null };
}

const rowsOf = (d: DataSpec, n: number) => ('n' in d && typeof d.n === 'number' ? d.n : n);

const BUILTIN: Record<string, (d: DataSpec) => DataShape> = {
  xor: () => ({ what: 'xor', features: 2, rows: 4, targets: { form: 'columns', width: 1, classes: 2 } }),
  twoSpirals: (d) => ({ what: 'twoSpirals', features: 2, rows: rowsOf(d, 200), targets: { form: 'columns', width: 1, classes: 2 } }),
  linearRegression: (d) => ({ what: 'linearRegression', features: 1, rows: rowsOf(d, 30), realValued: true, targets: { form: 'columns', width: 1, classes: null } }),
  mnist: (d) => ({ what: 'mnist', features: MNIST_PIXELS, rows: rowsOf(d, 10_000), targets: { form: 'labels', width: null, classes: 10 } }),
};

/** The data's shape, and every problem with its files (missing, outside the allowed directories, unknown columns, bad headers). */
/** What inspecting the data found: its shape, its problems, and the real paths of the files that were checked. */
export interface DataInspection {
  shape: DataShape | null;
  problems: SpecProblem[];
  /** Key of the data spec (`path`, `x`, `y`) → the absolute real path that was checked. */
  resolved: Record<string, string>;
}

export function inspectData(d: DataSpec, o: FileOptions): DataInspection {
  const builtin = BUILTIN[d.source];
  if (builtin) return { shape: builtin(d), problems: [], resolved: {} };
  if (d.source === 'csv') return inspectCsv(d, o);
  if (d.source === 'npy' || d.source === 'idx') return inspectArrays(d, o);
  return { shape: null, problems: [], resolved: {} };
}

function inspectCsv(d: Extract<DataSpec, { source: 'csv' }>, o: FileOptions): DataInspection {
  const f = checkDataFile(d.path, '$.data.path', o);
  if ('problem' in f) return { shape: null, problems: [f.problem], resolved: {} };
  let columns: string[];
  try {
    columns = csvColumns(f.path, d.header ?? true, d.delimiter ?? ',');
  } catch (e) {
    return { shape: null, problems: [problemText('$.data.path', 'a readable CSV file', (e as Error).message)], resolved: {} };
  }
  const problems: SpecProblem[] = [];
  const header = `the columns of ${d.path} (${columns.join(', ')})`;
  let label: string | undefined;
  if (typeof d.label === 'number') {
    label = columns[d.label < 0 ? columns.length + d.label : d.label];
    if (label === undefined) problems.push(problemText('$.data.label', `a column index in [${-columns.length}, ${columns.length})`, describeValue(d.label)));
  } else if (columns.includes(d.label)) label = d.label;
  else problems.push(columnProblem('$.data.label', d.label, columns, header));
  d.features?.forEach((c, i) => {
    if (!columns.includes(c)) problems.push(columnProblem(`$.data.features[${i}]`, c, columns, header));
    else if (c === label) problems.push(problemText(`$.data.features[${i}]`, 'a column other than the label', `'${c}', the label column`));
  });
  const features = d.features?.length ?? columns.length - 1;
  return { shape: { what: d.path, features, rows: null, targets: { form: 'labels', width: null, classes: null } }, problems, resolved: { path: f.path } };
}

function columnProblem(at: string, name: string, columns: string[], header: string): SpecProblem {
  const found = describeValue(name);
  return problemText(at, `one of ${header}`, found, `${at}: no column ${found} in the header${suggestion(name, columns)}; ${header}`);
}

/** NPY or IDX: both files checked, their header shapes read, their rows compared. */
function inspectArrays(d: Extract<DataSpec, { source: 'npy' | 'idx' }>, o: FileOptions): DataInspection {
  const problems: SpecProblem[] = [];
  const resolved: Record<string, string> = {};
  const shapes: (number[] | null)[] = (['x', 'y'] as const).map((k) => {
    const at = `$.data.${k}`;
    const f = checkDataFile(d[k], at, o);
    if ('problem' in f) {
      problems.push(f.problem);
      return null;
    }
    resolved[k] = f.path;
    const s = d.source === 'npy' ? npyShape(f.path) : idxShape(f.path);
    if (typeof s === 'string') problems.push(problemText(at, `an ${d.source.toUpperCase()} file`, s));
    else if (s.length < (k === 'x' ? 2 : 1) || s.length > (k === 'x' ? 4 : 2)) problems.push(problemText(at, k === 'x' ? 'inputs of shape [N, …features]' : 'targets of shape [N] or [N, k]', `shape [${s.join(', ')}]`));
    else return s;
    return null;
  });
  const [x, y] = shapes;
  if (x && y && x[0] !== y[0]) problems.push(problemText('$.data.y', `${x[0]} rows, as many as ${d.x}`, `${y[0]} rows`));
  const features = x ? x.slice(1).reduce((a, b) => a * b, 1) : null;
  const targets: DataShape['targets'] = y?.length === 2 ? { form: 'columns', width: y[1]!, classes: null } : { form: 'labels', width: null, classes: null };
  return { shape: { what: d.x, features, rows: x?.[0] ?? null, targets }, problems, resolved };
}
