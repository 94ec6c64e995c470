/**
 * Vitest globalSetup of every package: the package's tests run with a private temporary folder
 * (TMPDIR, TMP, TEMP point into it, so `os.tmpdir()` in every test worker and child process
 * returns it), and the run fails, naming what was left, if any test leaves a file or folder
 * there. Runs of other packages or other checkouts on the machine cannot make it fail, since
 * nothing else writes into that folder. The folder itself is removed either way.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const VARS = ['TMPDIR', 'TMP', 'TEMP'];
/** Tools' own caches, reused across runs rather than leaked: tsx's compile cache (`tsx-<uid>`, child processes run with tsx). */
const TOOL_CACHES = [/^tsx-\d+$/];

export default function setup() {
  const saved = VARS.map((k) => process.env[k]);
  const dir = mkdtempSync(join(tmpdir(), 'actorgrad-vitest-'));
  for (const k of VARS) process.env[k] = dir;
  return () => {
    VARS.forEach((k, i) => {
      if (saved[i] === undefined) delete process.env[k];
      else process.env[k] = saved[i];
    });
    const left = readdirSync(dir).filter((name) => !TOOL_CACHES.some((re) => re.test(name)));
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(
        `tests left ${left.length} temporary ${left.length === 1 ? 'entry' : 'entries'} in the OS temp dir: ${left.join(', ')} (remove them in afterEach/afterAll)`,
      );
    }
  };
}
