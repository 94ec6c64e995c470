import { closeSync, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { constants, inflateSync, gunzipSync } from 'node:zlib';
import { parseCsv } from '@actorgrad/io';
import { type SpecProblem, problemText } from './problems.js';

/**
 * The files a job spec names: where they are (relative paths against the spec's directory, `..`
 * and symbolic links resolved), whether they are inside the allowed directories, and what their
 * first bytes say (a CSV header, an NPY or IDX shape) — read without loading the data.
 */

export interface FileOptions {
  /** Directories data files must be inside (after resolving links). */
  allowedDirs: readonly string[];
  /** Relative paths are taken from here (the spec file's directory). */
  baseDir: string;
}

/** The real path of `p` (or of its nearest existing parent, plus the rest), so links cannot hide where it points. */
function realish(p: string): string {
  if (existsSync(p)) return realpathSync(p);
  const parent = dirname(p);
  return parent === p ? p : resolve(realish(parent), relative(parent, p));
}

const inside = (dir: string, p: string) => {
  const r = relative(dir, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/** The checked absolute path of a data file, or a problem: outside the allowed directories first, then missing. */
export function checkDataFile(given: string, at: string, o: FileOptions): { path: string } | { problem: SpecProblem } {
  const abs = resolve(o.baseDir, given);
  const real = realish(abs);
  const dirs = o.allowedDirs.map((d) => realish(resolve(d)));
  if (!dirs.some((d) => inside(d, real))) {
    const shown = real === abs ? `'${given}' (${abs})` : `'${given}' (${abs} → ${real})`;
    return { problem: problemText(at, `a file inside the allowed directories (${dirs.join(', ') || 'none'})`, shown, `${at}: ${shown} is outside the allowed directories (${dirs.join(', ') || 'none'}); allow its directory with --allow`) };
  }
  if (!existsSync(real) || !statSync(real).isFile()) {
    const what = existsSync(real) ? 'not a regular file' : 'no such file';
    return { problem: problemText(at, 'an existing data file', `${what}: ${abs}`, `${at}: ${what}: ${abs}`) };
  }
  return { path: real };
}

/** The first `n` bytes of a file. */
function head(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** The column names of a CSV file from its first record (names `'0'`, `'1'`, … without a header). */
export function csvColumns(path: string, header: boolean, delimiter: string): string[] {
  const text = head(path, 1 << 16).toString('utf8');
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return parseCsv(`${first}\n`, path, { header: true, delimiter }).columns.map((c, i) => (header ? c : String(i)));
}

/** The shape an NPY file declares in its header, or a description of why it cannot be read. */
export function npyShape(path: string): number[] | string {
  const b = head(path, 1 << 12);
  if (b.length < 10 || b[0] !== 0x93 || b.toString('latin1', 1, 6) !== 'NUMPY') return 'not an .npy file (no \\x93NUMPY magic)';
  const m = /'shape':\s*\(([^)]*)\)/.exec(b.toString('latin1', 8));
  if (!m) return 'an .npy header without a shape';
  return m[1]!.split(',').filter((s) => s.trim() !== '').map((s) => Number(s.trim()));
}

/** The shape an IDX file (gzipped or not) declares in its header, or why it cannot be read. */
export function idxShape(path: string): number[] | string {
  let b: Uint8Array = head(path, 1 << 12);
  if (b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      b = inflateSync(b.subarray(10), { finishFlush: constants.Z_SYNC_FLUSH });
    }
  }
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0) return 'not an IDX file (bad magic number)';
  const ndim = b[3]!;
  if (b.length < 4 + 4 * ndim) return 'an IDX file whose header is cut short';
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: ndim }, (_, i) => v.getUint32(4 + 4 * i, false));
}
