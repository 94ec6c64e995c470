import { readFileSync } from 'node:fs';

/**
 * A data file that cannot be read or does not hold what its format promises. The message names the
 * function, the file and the problem — `loadCsv(data.csv): line 7 has 4 columns, expected 5` — and
 * the parts are kept as `fn`, `path` and `problem` for programs that want them.
 */
export class DataFileError extends Error {
  override name = 'DataFileError';

  constructor(
    /** The public function that failed, e.g. `loadNpy`. */
    readonly fn: string,
    /** The file as the caller named it (or the `source` given to a `parse…` function). */
    readonly path: string,
    /** What is wrong, without the `fn(path): ` prefix. */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${fn}(${path}): ${problem}`, options);
  }
}

/** A thrower bound to one function and file, so parsers can just say what is wrong. */
export type Fail = (problem: string, cause?: unknown) => never;

/** @internal */
export function failer(fn: string, path: string): Fail {
  return (problem, cause) => {
    throw new DataFileError(fn, path, problem, cause === undefined ? undefined : { cause });
  };
}

/** @internal The whole file as bytes; a missing or unreadable file becomes a `DataFileError`. */
export function readFileBytes(fn: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    return failer(fn, path)(`cannot read the file: ${(e as Error).message}`, e);
  }
}

/** @internal "1 column", "4 columns". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
