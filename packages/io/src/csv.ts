import { allocShared, checkDType, type DType, Tensor } from '@actorgrad/core';
import { type Fail, failer, plural, readFileBytes } from './errors.js';

/** What to do with a missing cell: throw (default), drop its row, or put this number in its place. */
export type CsvMissing = 'error' | 'skip-row' | number;

/** The cell strings that count as missing (after trimming); an empty cell always does. */
export const CSV_NA_VALUES: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL'];

export interface LoadCsvOptions {
  /** The first record names the columns (default true); without one the columns are named `'0'`, `'1'`, …. */
  header?: boolean;
  /**
   * The column that becomes `y`: its name, or its 0-based index (negative counts from the end, so
   * `-1` is the last column). Default none: every column goes into `x` and `y` is null.
   */
  labelColumn?: string | number | null;
  /** One character between fields (default `','`; `'\t'` for TSV, `';'`, …). */
  delimiter?: string;
  /** Element type of `x` and `y` (default `'float32'`). */
  dtype?: DType;
  /** Missing cells: `'error'` (default), `'skip-row'`, or a number to fill them with. */
  missing?: CsvMissing;
  /** Cell strings that mean "missing" (default {@link CSV_NA_VALUES}); an empty cell always does. */
  naValues?: readonly string[];
  /**
   * How the label column is read: `'number'` (default) — numeric like the features; `'category'`
   * — any strings, numbered by their sorted order (numerically if all are numbers) and listed in
   * `classes`, so a column of `setosa`/`versicolor`/`virginica` becomes 0/1/2.
   */
  labels?: 'number' | 'category';
}

/** A missing cell: where it was, so it can be reported. */
export interface CsvMissingCell {
  /** 0-based index of the data record in the file (the header not counted, skipped rows counted). */
  row: number;
  /** 1-based line of the file where the record starts. */
  line: number;
  /** The column's name. */
  column: string;
  /** 0-based index of the column in the file. */
  columnIndex: number;
  /** The cell as written (`''`, `'NA'`, …). */
  value: string;
}

export interface CsvData {
  /** The feature columns, `[N, F]`, in file order. */
  x: Tensor;
  /** The label column, `[N]`, or null without `labelColumn`. */
  y: Tensor | null;
  /** Names of the `F` columns of `x`. */
  columns: string[];
  /** Name of the label column, or null. */
  label: string | null;
  /** With `labels: 'category'`, the label strings in class-index order; otherwise null. */
  classes: string[] | null;
  /** Every missing cell found (also those of rows dropped by `missing: 'skip-row'`), in file order. */
  missing: CsvMissingCell[];
  /** 0-based data-record indices dropped by `missing: 'skip-row'`. */
  skippedRows: number[];
}

/**
 * Reads a CSV file of numbers into tensors: `x` `[N, F]` from every column but the label column,
 * `y` `[N]` from `labelColumn`. Fields may be quoted (`"a, b"`, with `""` for a quote, and line
 * breaks inside quotes); blank lines are skipped; `\n`, `\r\n` and a UTF-8 BOM are handled. A cell
 * that is not a number is an error naming its line and column; missing cells (empty, `NA`, `NaN`,
 * … see `naValues`) are listed in `missing` and handled per `options.missing`. Every error is a
 * {@link FileFormatError} naming the file and the problem, e.g.
 * `loadCsv(data.csv): line 7 has 4 columns, expected 5`.
 */
export function loadCsv(path: string, options: LoadCsvOptions = {}): CsvData {
  const bytes = readFileBytes('loadCsv', path);
  return csvFrom(bytes.toString('utf8'), failer('loadCsv', path), options);
}

/** {@link loadCsv} on CSV text already in memory; errors name `source` in place of a file. */
export function parseCsv(text: string, source = '<csv>', options: LoadCsvOptions = {}): CsvData {
  return csvFrom(text, failer('parseCsv', source), options);
}

interface CsvRecord {
  fields: string[];
  quoted: boolean[];
  line: number;
}

/** The options with their defaults, each checked. */
function csvOptions(options: LoadCsvOptions, fail: Fail) {
  const { header = true, labelColumn = null, delimiter = ',', missing = 'error', labels = 'number' } = options;
  let dtype: DType;
  try {
    dtype = checkDType(options.dtype ?? 'float32', 'dtype');
  } catch (e) {
    return fail((e as Error).message);
  }
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    fail(`delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
  }
  if (!(missing === 'error' || missing === 'skip-row' || typeof missing === 'number')) {
    fail(`missing must be 'error', 'skip-row' or a number, got ${JSON.stringify(missing)}`);
  }
  if (labels !== 'number' && labels !== 'category') fail(`labels must be 'number' or 'category', got ${JSON.stringify(labels)}`);
  const na = new Set(options.naValues ?? CSV_NA_VALUES);
  na.add('');
  return { header, labelColumn, delimiter, missing, labels, dtype, na };
}

type CsvSettings = ReturnType<typeof csvOptions>;

/** The file's columns: their names, the label's index and the feature columns. */
interface CsvColumns {
  names: string[];
  li: number | null;
  featureCols: number[];
}

/** What the rows hold: features and labels row-major, label strings for categories, what was missing or skipped. */
interface CsvRows {
  xs: number[];
  ys: number[];
  /** With `labels: 'category'`: each kept row's label string, or null where a missing label was filled. */
  yStrings: (string | null)[];
  missingCells: CsvMissingCell[];
  skippedRows: number[];
}

function csvFrom(text: string, fail: Fail, options: LoadCsvOptions): CsvData {
  const o = csvOptions(options, fail);
  const records = tokenize(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, o.delimiter, fail);
  const first = records[0];
  if (first === undefined) fail(o.header ? 'the file is empty: no header' : 'the file is empty: no rows');
  const names = o.header ? first.fields.map((f, i) => (first.quoted[i] ? f : f.trim())) : first.fields.map((_, i) => String(i));
  const li = resolveLabel(o.labelColumn, names, fail);
  const cols: CsvColumns = { names, li, featureCols: names.map((_, i) => i).filter((i) => i !== li) };
  const data = o.header ? records.slice(1) : records;
  return csvResult(csvRows(data, cols, o, fail), data.length, cols, o);
}

/** Reads every record into numbers (and category strings), filling, skipping or refusing missing cells. */
function csvRows(data: CsvRecord[], { names, li, featureCols }: CsvColumns, o: CsvSettings, fail: Fail): CsvRows {
  const out: CsvRows = { xs: [], ys: [], yStrings: [], missingCells: [], skippedRows: [] };
  const ncol = names.length;
  const row = new Array<number>(ncol);
  for (let r = 0; r < data.length; r++) {
    const rec = data[r]!;
    if (rec.fields.length !== ncol) fail(`line ${rec.line} has ${plural(rec.fields.length, 'column')}, expected ${ncol}`, { line: rec.line, row: r });
    let skip = false;
    let labelText: string | null = null;
    for (let c = 0; c < ncol; c++) {
      const raw = rec.fields[c]!;
      const cell = raw.trim();
      if (o.na.has(cell)) {
        out.missingCells.push({ row: r, line: rec.line, column: names[c]!, columnIndex: c, value: raw });
        if (o.missing === 'error') {
          fail(`line ${rec.line}, ${where(c, names, o.header)}: missing value ${JSON.stringify(raw)} (pass missing: 'skip-row' or a fill value to accept missing cells)`, {
            line: rec.line,
            row: r,
            column: names[c]!,
          });
        }
        if (o.missing === 'skip-row') skip = true;
        else row[c] = o.missing;
        continue;
      }
      if (c === li && o.labels === 'category') {
        labelText = rec.quoted[c] ? raw : cell;
        continue;
      }
      const v = parseNumber(cell);
      if (v === null) fail(`line ${rec.line}, ${where(c, names, o.header)}: ${JSON.stringify(raw)} is not a number`, { line: rec.line, row: r, column: names[c]! });
      row[c] = v;
    }
    if (skip) {
      out.skippedRows.push(r);
      continue;
    }
    for (const c of featureCols) out.xs.push(row[c]!);
    if (li !== null) {
      if (o.labels === 'category') out.yStrings.push(labelText);
      out.ys.push(o.labels === 'category' && labelText !== null ? Number.NaN : row[li]!);
    }
  }
  return out;
}

/** The tensors over shared memory, and the categories' class names (sorted) as labels 0, 1, …. */
function csvResult(rows: CsvRows, records: number, { names, li, featureCols }: CsvColumns, o: CsvSettings): CsvData {
  const n = records - rows.skippedRows.length;
  const x = allocShared(o.dtype, n * featureCols.length);
  x.set(rows.xs);
  let y: Tensor | null = null;
  let classes: string[] | null = null;
  if (li !== null) {
    const yd = allocShared(o.dtype, n);
    if (o.labels === 'category') {
      classes = sortedClasses(rows.yStrings);
      const index = new Map(classes.map((s, i) => [s, i]));
      // A filled missing label keeps the fill value; the others get their class index.
      for (let i = 0; i < n; i++) {
        const s = rows.yStrings[i] as string | null;
        yd[i] = s === null ? rows.ys[i]! : index.get(s)!;
      }
    } else {
      yd.set(rows.ys);
    }
    y = new Tensor(yd, [n]);
  }
  return {
    x: new Tensor(x, [n, featureCols.length]),
    y,
    columns: featureCols.map((c) => names[c]!),
    label: li === null ? null : names[li]!,
    classes,
    missing: rows.missingCells,
    skippedRows: rows.skippedRows,
  };
}

/** "column 3 ("age")" — 1-based, with the name when the file has a header. */
function where(c: number, names: string[], header: boolean): string {
  return header ? `column ${c + 1} (${JSON.stringify(names[c])})` : `column ${c + 1}`;
}

function resolveLabel(labelColumn: string | number | null | undefined, names: string[], fail: Fail): number | null {
  if (labelColumn === null || labelColumn === undefined) return null;
  const list = names.map((s) => JSON.stringify(s)).join(', ');
  if (typeof labelColumn === 'number') {
    const n = names.length;
    if (!Number.isInteger(labelColumn) || labelColumn < -n || labelColumn >= n) {
      fail(`label column index ${labelColumn} is out of range for ${plural(n, 'column')} (${list})`);
    }
    return labelColumn < 0 ? labelColumn + n : labelColumn;
  }
  if (typeof labelColumn !== 'string') fail(`labelColumn must be a column name or index, got ${typeof labelColumn}`);
  const hits = names.flatMap((s, i) => (s === labelColumn ? [i] : []));
  if (hits.length === 0) fail(`label column ${JSON.stringify(labelColumn)} not found; the columns are ${list}`);
  if (hits.length > 1) fail(`label column ${JSON.stringify(labelColumn)} is ambiguous: columns ${hits.map((i) => i + 1).join(' and ')} have that name`);
  return hits[0]!;
}

/** Class names in a stable order: numerically if every label is a number, otherwise by code unit. */
function sortedClasses(labels: (string | null)[]): string[] {
  const distinct = [...new Set(labels.filter((s): s is string => s !== null))];
  if (distinct.every((s) => parseNumber(s.trim()) !== null)) return distinct.sort((a, b) => parseNumber(a.trim())! - parseNumber(b.trim())!);
  return distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?inf(?:inity)?$/i;

/** A decimal number (or ±inf), strictly: no hex, no thousands separators, no trailing text. */
function parseNumber(s: string): number | null {
  if (NUMBER.test(s)) return Number(s);
  if (INFINITY.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return null;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** RFC 4180 records with their starting line; blank (empty or whitespace-only) lines are dropped. */
function tokenize(text: string, delimiter: string, fail: Fail): CsvRecord[] {
  const delim = delimiter.charCodeAt(0);
  const n = text.length;
  const out: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    const quoted: boolean[] = [];
    for (;;) {
      // Spaces before an opening quote are allowed (`a, "b"`).
      let j = i;
      while (j < n && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x09) && text.charCodeAt(j) !== delim) j++;
      if (j < n && text.charCodeAt(j) === QUOTE) {
        i = j + 1;
        let value = '';
        let from = i;
        for (;;) {
          if (i >= n) fail(`line ${start}: unterminated quoted field (a '"' opened on line ${start} is never closed)`, { line: start });
          const ch = text.charCodeAt(i);
          if (ch === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += text.slice(from, i + 1);
              i += 2;
              from = i;
              continue;
            }
            value += text.slice(from, i);
            i++;
            break;
          }
          if (ch === LF) line++;
          i++;
        }
        while (i < n && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09) && text.charCodeAt(i) !== delim) i++;
        if (i < n) {
          const ch = text.charCodeAt(i);
          if (ch !== delim && ch !== LF && ch !== CR) {
            fail(`line ${line}: unexpected ${JSON.stringify(text[i])} after the closing quote of a field`, { line });
          }
        }
        fields.push(value);
        quoted.push(true);
      } else {
        let k = i;
        while (k < n) {
          const ch = text.charCodeAt(k);
          if (ch === delim || ch === LF || ch === CR) break;
          k++;
        }
        fields.push(text.slice(i, k));
        quoted.push(false);
        i = k;
      }
      if (i < n && text.charCodeAt(i) === delim) {
        i++;
        continue;
      }
      // End of record: consume one line break (\n, \r\n or \r).
      if (i < n) {
        if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i += 2;
        else i++;
        line++;
      }
      break;
    }
    const blank = fields.length === 1 && !quoted[0] && fields[0]!.trim() === '';
    if (!blank) out.push({ fields, quoted, line: start });
  }
  return out;
}
