import { readFileSync } from 'node:fs';

/** Where in a file a {@link FileFormatError} was found, when the format has such a place. */
export interface FileFormatLocation {
  /** Text files (CSV): the 1-based line of the file. */
  line?: number;
  /** CSV: the 0-based index of the data record (the header not counted), as in `CsvMissingCell.row`. */
  row?: number;
  /** CSV: the column's name (its header, or its 0-based index as a string without a header). */
  column?: string;
  /** Binary files: the byte offset where the problem is. */
  offset?: number;
}

/**
 * A file that cannot be read or does not hold what its format promises — safetensors, NPY, IDX,
 * CSV, the mnist digits. The message names the function, the file and the problem,
 * `fn(path): problem` (`loadCsv(data.csv): line 7 has 4 columns, expected 5`); the parts are kept
 * as `fn`, `path` and `problem`, and where the format has a place, `line`/`row`/`column` (CSV) or
 * `offset` (bytes), for programs that want them.
 */
export class FileFormatError extends Error {
  override name = 'FileFormatError';
  readonly line?: number;
  readonly row?: number;
  readonly column?: string;
  readonly offset?: number;

  constructor(
    /** The public function that failed, e.g. `loadNpy`. */
    readonly fn: string,
    /** The file as the caller named it (or the `source` given to a `parse…`/`decode…` function). */
    readonly path: string,
    /** What is wrong, without the `fn(path): ` prefix. */
    readonly problem: string,
    options: FileFormatLocation & { cause?: unknown } = {},
  ) {
    const { cause, ...at } = options;
    super(`${fn}(${path}): ${problem}`, cause === undefined ? undefined : { cause });
    for (const k of ['line', 'row', 'column', 'offset'] as const) if (at[k] !== undefined) Object.assign(this, { [k]: at[k] });
  }
}

/** A thrower bound to one function and file, so parsers can just say what is wrong (and where). */
export type Fail = (problem: string, at?: FileFormatLocation & { cause?: unknown }) => never;

/** @internal */
export function failer(fn: string, path: string): Fail {
  return (problem, at) => {
    throw new FileFormatError(fn, path, problem, at);
  };
}

/** @internal The whole file as bytes; a missing or unreadable file becomes a `FileFormatError`. */
export function readFileBytes(fn: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    return failer(fn, path)(`cannot read the file: ${(e as Error).message}`, { cause: e });
  }
}

/** @internal "1 column", "4 columns". */
export function plural(n: number | bigint, word: string): string {
  return `${n} ${word}${n === 1 || n === 1n ? '' : 's'}`;
}
