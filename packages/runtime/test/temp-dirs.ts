import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folders `tempDir` made and `removeTempDirs` has not removed yet. */
const made = new Set<string>();

/** A fresh folder `<os temp dir>/<prefix>XXXXXX`; a test file that makes one calls `afterAll(removeTempDirs)`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes every folder `tempDir` made (with its contents). */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
