import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { FileFormatError } from '../../src/errors.js';

/**
 * A temporary folder for one test file (removed after its tests) and `file(contents, name?)`,
 * which writes contents to a fresh file there and returns its path.
 */
export function tempFiles(prefix: string, ext: string): { dir: string; file: (contents: string | Uint8Array, name?: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), `actorgrad-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let counter = 0;
  return {
    dir,
    file(contents, name = `f${counter++}.${ext}`) {
      const p = join(dir, name);
      writeFileSync(p, contents);
      return p;
    },
  };
}

/** The `FileFormatError` that `fn` throws (fails the test if it throws nothing or something else). */
export function errorOf(fn: () => unknown): FileFormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FileFormatError);
    return e as FileFormatError;
  }
  throw new Error('expected an error');
}
