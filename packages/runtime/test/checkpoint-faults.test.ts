/**
 * Faults injected into checkpoints: a writer killed with SIGKILL at each point of
 * `saveCheckpoint`'s sequence, bits flipped in saved files, a checkpoint directory that cannot
 * be written.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, data, nn } from '@actorgrad/core';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './temp-dirs.js';
import {
  type Checkpoint,
  type EngineEvent,
  type FitOptions,
  Trainer,
  inline,
  loadCheckpoint,
  modelCheckpoint,
} from '../src/index.js';
import { CHECKSUMS_KEY, FileFormatError, decodeSafetensors, encodeSafetensors } from '@actorgrad/io';
import { paramBytes } from './resume-setup.js';

afterAll(removeTempDirs);

const tmp = () => tempDir('actorgrad-faults-');
const child = new URL('./checkpoint-faults-child.ts', import.meta.url).pathname;

/** Runs the child until it says it has paused at `pause` in its save number `saves`, then SIGKILLs it. */
function killWhenPaused(dir: string, saves: number, pause: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--conditions=@actorgrad/source', '--import', 'tsx', child, dir, String(saves), pause], {
      cwd: new URL('..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let paused = false;
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (!paused && out.includes('PAUSED\n')) {
        paused = true;
        p.kill('SIGKILL');
      }
    });
    p.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (paused && signal === 'SIGKILL') resolve();
      else reject(new Error(`checkpoint-faults-child exited (code ${code}, signal ${signal}) without pausing at ${pause}:\n${out}\n${err}`));
    });
  });
}

const bytesOf = (ck: Checkpoint) => paramBytes(ck.model);

describe('a writer killed (SIGKILL) inside saveCheckpoint', () => {
  // [pause point, save number it is killed in, what is left beside the checkpoint, what loads]
  const cases: [string, number, RegExp, 'none' | 1 | 2][] = [
    ['optim-written', 1, /^\.ck\.optim\.safetensors\.next\.\d+\.\d+\.[0-9a-f]{12}\.tmp$/, 'none'],
    ['staged', 1, /^ck\.optim\.safetensors\.next$/, 'none'],
    ['weights-written', 1, /^\.ck\.safetensors\.\d+\.\d+\.[0-9a-f]{12}\.tmp$/, 'none'],
    ['before-final-rename', 1, /^ck\.optim\.safetensors\.next$/, 1],
    ['optim-written', 2, /^\.ck\.optim\.safetensors\.next\.\d+\.\d+\.[0-9a-f]{12}\.tmp$/, 1],
    ['staged', 2, /^ck\.optim\.safetensors\.next$/, 1],
    ['weights-written', 2, /^\.ck\.safetensors\.\d+\.\d+\.[0-9a-f]{12}\.tmp$/, 1],
    ['before-final-rename', 2, /^ck\.optim\.safetensors\.next$/, 2],
  ];
  it.each(cases)('at %s of save %i: the checkpoint loads whole (or, with none yet, a clear error); nothing stale is left', async (pause, saves, leftover, expected) => {
    const dir = tmp();
    const path = join(dir, 'ck.safetensors');
    await killWhenPaused(dir, saves, pause);
    // The kill did land inside the window: its trace is there.
    expect(readdirSync(dir).filter((f) => leftover.test(f)).length).toBe(1);
    if (expected === 'none') {
      await expect(loadCheckpoint(path)).rejects.toThrow(`loadCheckpoint(${path}): no checkpoint at this path (the weights file does not exist)`);
    } else {
      const ck = await loadCheckpoint(path);
      expect(bytesOf(ck).equals(readFileSync(join(dir, `save-${expected}.bin`)))).toBe(true);
      // Whole: the optimiser state and position are those of the same save as the weights.
      expect(ck.state.step).toBe(Number(readFileSync(join(dir, `save-${expected}.step`), 'utf8')));
      expect(ck.state.optimizerStates.length).toBeGreaterThan(0);
    }
    const files = readdirSync(dir).filter((f) => !f.startsWith('save-'));
    expect(files.sort()).toEqual(expected === 'none' ? [] : ['ck.optim.safetensors', 'ck.safetensors']);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------

const opts: FitOptions = { loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 0.02 } }, epochs: 1, batchSize: 50, placement: inline(), seed: 4 };
function spirals() {
  const s = data.twoSpirals({ n: 200, noise: 0.05, seed: 4 });
  return { x: s.x, y: s.y.reshape([-1]) };
}
function net() {
  const rng = new Rng(4);
  return new nn.Sequential(new nn.Linear(2, 16, { rng }), nn.Tanh(), new nn.Linear(16, 2, { rng }));
}

/** mulberry32: a small seeded generator of uniform [0, 1) numbers. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('bits flipped in a saved checkpoint', () => {
  it('every flip is refused with an error naming the file (and the tensor for data); none loads changed weights or throws a TypeError', async () => {
    const dir = tmp();
    const path = join(dir, 'ck.safetensors');
    await new Trainer().fit(net(), spirals(), { ...opts, callbacks: [modelCheckpoint({ path })] });
    const good = bytesOf(await loadCheckpoint(path));
    const rand = uniform(13);
    const problems: string[] = [];
    let flips = 0;
    for (const file of [path, join(dir, 'ck.optim.safetensors')]) {
      const original = readFileSync(file);
      const dataStart = 8 + Number(original.readBigUInt64LE(0));
      for (const [region, count] of [['data', 40] as const, ['header', 20] as const]) {
        for (let i = 0; i < count; i++) {
          const at = region === 'data' ? dataStart + Math.floor(rand() * (original.length - dataStart)) : Math.floor(rand() * dataStart);
          const bit = Math.floor(rand() * 8);
          const bad = Buffer.from(original);
          bad[at]! ^= 1 << bit;
          writeFileSync(file, bad);
          flips++;
          const what = `${region} flip of bit ${bit} at byte ${at} of ${file}`;
          const e = await loadCheckpoint(path).then(
            (ck) => (bytesOf(ck).equals(good) ? new Error('loaded') : new Error('loaded changed weights')),
            (err: Error) => err,
          );
          if (e instanceof TypeError) problems.push(`${what}: TypeError ${e.message}`);
          else if (!e.message.includes(`(${file})`)) problems.push(`${what}: the error does not name the file: ${e.message}`);
          else if (region === 'data' && !/: tensor "[^"]+": checksum mismatch \(sha256 [0-9a-f]{64} expected, [0-9a-f]{64} found\); the file is corrupted$/.test(e.message)) {
            problems.push(`${what}: not a checksum mismatch naming the tensor: ${e.message}`);
          } else if (region === 'header' && !(e instanceof FileFormatError || /checksum/.test(e.message))) problems.push(`${what}: ${e.message}`);
        }
      }
      writeFileSync(file, original);
    }
    expect(flips).toBe(120);
    expect(problems).toEqual([]);
    expect(bytesOf(await loadCheckpoint(path)).equals(good)).toBe(true);
  });
});

describe('an optimiser file that lost its checksums entry', () => {
  it("is refused, naming the file (a flipped bit in the key's name used to load it unverified)", async () => {
    const dir = tmp();
    const path = join(dir, 'ck.safetensors');
    await new Trainer().fit(net(), spirals(), { ...opts, epochs: 1, callbacks: [modelCheckpoint({ path })] });
    const optPath = join(dir, 'ck.optim.safetensors');
    const d = decodeSafetensors(readFileSync(optPath));
    const { [CHECKSUMS_KEY]: _sums, ...rest } = d.metadata;
    writeFileSync(optPath, encodeSafetensors(d.tensors, { ...rest, 'actorgrad.chesksums': _sums! }));
    await expect(loadCheckpoint(path)).rejects.toThrow(`(${optPath})`);
    await expect(loadCheckpoint(path)).rejects.toThrow(`__metadata__ has no '${CHECKSUMS_KEY}'`);
  });
});

describe('bits flipped in the header of a checkpoint without checksums (format 1)', () => {
  it('each load either succeeds or throws an error naming the file, never a TypeError', async () => {
    const dir = tmp();
    const path = join(dir, 'ck.safetensors');
    await new Trainer().fit(net(), spirals(), { ...opts, callbacks: [modelCheckpoint({ path })] });
    const files = [path, join(dir, 'ck.optim.safetensors')];
    for (const file of files) {
      const d = decodeSafetensors(readFileSync(file));
      writeFileSync(file, encodeSafetensors(d.tensors, { ...d.metadata, format: 'actorgrad.checkpoint/1' }));
    }
    await loadCheckpoint(path);
    const rand = uniform(29);
    const problems: string[] = [];
    let loaded = 0;
    for (const file of files) {
      const original = readFileSync(file);
      const headerEnd = 8 + Number(original.readBigUInt64LE(0));
      for (let i = 0; i < 150; i++) {
        const at = Math.floor(rand() * headerEnd);
        const bad = Buffer.from(original);
        bad[at]! ^= 1 << Math.floor(rand() * 8);
        writeFileSync(file, bad);
        const e = await loadCheckpoint(path).then(
          () => null,
          (err: Error) => err,
        );
        if (e === null) loaded++;
        else if (e instanceof TypeError || !e.message.includes(`(${file})`)) problems.push(`byte ${at} of ${file}: ${e.name}: ${e.message}`);
      }
      writeFileSync(file, original);
    }
    expect(problems).toEqual([]);
    // Some flips (inside a string or a number) still parse: those are what the checksums are for.
    expect(loaded).toBeLessThan(300);
  });
});

// ---------------------------------------------------------------------------------------------

describe('checkpoint directories', () => {
  it('modelCheckpoint creates missing directories, placeholders in the directory included', async () => {
    const dir = tmp();
    await new Trainer().fit(net(), spirals(), { ...opts, epochs: 2, callbacks: [modelCheckpoint({ path: join(dir, 'runs', 'a', 'e{epoch}', 'ck.safetensors') })] });
    expect(readdirSync(join(dir, 'runs', 'a')).sort()).toEqual(['e0', 'e1']);
    expect((await loadCheckpoint(join(dir, 'runs', 'a', 'e1', 'ck.safetensors'))).state.epoch).toBe(2);
  });

  it('an unwritable directory fails Trainer.fit before the first step, naming the directory', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'file'), 'not a directory');
    const trainer = new Trainer();
    const events: EngineEvent[] = [];
    trainer.events$.subscribe((e) => events.push(e));
    const blocked = join(dir, 'file', 'ckpts');
    await expect(
      trainer.fit(net(), spirals(), { ...opts, epochs: 3, callbacks: [modelCheckpoint({ path: join(blocked, 'ck-{epoch}.safetensors') })] }),
    ).rejects.toThrow(`modelCheckpoint: cannot write checkpoints to ${blocked} (ENOTDIR: not a directory, mkdir '${blocked}')`);
    expect(events.filter((e) => e.type === 'step')).toEqual([]);
    expect(readdirSync(dir)).toEqual(['file']);
  });
});
