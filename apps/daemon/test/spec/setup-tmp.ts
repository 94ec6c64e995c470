import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@actorgrad/core';
import { saveNpy } from '@actorgrad/io';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'spec');

/**
 * A temporary tree: `allowed/` (the data files, `link.csv` → outside, `sub/inside.csv` → `../flowers.csv`),
 * `allowed-link` → `allowed`, and `outside/secret.csv`.
 */
export function makeTree(): { root: string; allowed: string; cleanup: () => void } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'actorgrad-spec-')));
  const allowed = join(root, 'allowed');
  mkdirSync(allowed);
  mkdirSync(join(root, 'outside'));
  for (const f of ['flowers.csv', 'x.npy', 'y.npy', 'images-idx3-ubyte.gz', 'labels-idx1-ubyte']) copyFileSync(join(FIXTURES, f), join(allowed, f));
  writeFileSync(join(root, 'outside', 'secret.csv'), 'a,b,c,d,species\n1,2,3,4,x\n');
  symlinkSync(join(root, 'outside', 'secret.csv'), join(allowed, 'link.csv'));
  mkdirSync(join(allowed, 'sub'));
  symlinkSync(join(allowed, 'flowers.csv'), join(allowed, 'sub', 'inside.csv'));
  symlinkSync(allowed, join(root, 'allowed-link'));
  saveNpy(join(allowed, 'y10.npy'), tensor(Array.from({ length: 10 }, (_, i) => i % 2)));
  return { root, allowed, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
