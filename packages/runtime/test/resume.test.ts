import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './temp-dirs.js';
import { Trainer } from '../src/index.js';
import { paramBytes, resumeData, resumeModel, resumeOptions } from './resume-setup.js';

afterAll(removeTempDirs);

const child = new URL('./resume-child.ts', import.meta.url).pathname;
const run = (mode: string, dir: string) =>
  execFileSync(process.execPath, ['--conditions=@actorgrad/source', '--import', 'tsx', child, mode, dir], { cwd: new URL('..', import.meta.url).pathname, stdio: 'pipe' });

describe('checkpoint and resume', () => {
  it('3 epochs, checkpoint, a new process loads it and trains 2 more: bit-identical to 5 uninterrupted epochs', async () => {
    const model = resumeModel();
    await new Trainer().fit(model, resumeData(), resumeOptions(5));
    const uninterrupted = paramBytes(model);

    const dir = tempDir('actorgrad-resume-');
    run('first', dir);
    expect(readdirSync(dir).sort()).toEqual([
      'ckpt-0.optim.safetensors',
      'ckpt-0.safetensors',
      'ckpt-1.optim.safetensors',
      'ckpt-1.safetensors',
      'ckpt-2.optim.safetensors',
      'ckpt-2.safetensors',
    ]);
    run('second', dir);
    const resumed = readFileSync(join(dir, 'final.bin'));
    expect(resumed.length).toBe(uninterrupted.length);
    expect(resumed.equals(uninterrupted)).toBe(true);
    // And the 3-epoch weights really differ from the final ones (the second half did train).
    const after3 = readFileSync(join(dir, 'ckpt-2.safetensors'));
    expect(after3.includes(uninterrupted.subarray(0, 64))).toBe(false);
  }, 120_000);
});
