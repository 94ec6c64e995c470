/** Writes apps/daemon/SPEC.md from the schema: `npx tsx --conditions=@actorgrad/source src/spec/write-reference.ts` in apps/daemon. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { specReference } from './reference.js';

writeFileSync(join(import.meta.dirname, '..', '..', 'SPEC.md'), specReference());
