import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, data, nn } from '@actorgrad/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../test/temp-dirs.js';
import { inline } from '../main/placement.js';
import { modelCheckpoint } from '../trainer/callbacks/model-checkpoint.js';
import { type FitOptions, Trainer } from '../trainer/trainer.js';
import { type Checkpoint, CHECKPOINT_FORMAT, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { CHECKSUMS_KEY, decodeSafetensors, encodeSafetensors } from '@actorgrad/io';

afterAll(removeTempDirs);

const tmp = () => tempDir('actorgrad-checkpoint-');
const opts: FitOptions = { loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 0.02 } }, epochs: 1, batchSize: 50, placement: inline(), seed: 1 };

/** A checkpoint of a short real run, loaded back: a model, a state and options to save again. */
async function trained(): Promise<Checkpoint> {
  const dir = tmp();
  const s = data.twoSpirals({ n: 100, noise: 0.05, seed: 1 });
  const rng = new Rng(1);
  const model = new nn.Sequential(new nn.Linear(2, 8, { rng }), nn.Tanh(), new nn.Linear(8, 2, { rng }));
  await new Trainer().fit(model, { x: s.x, y: s.y.reshape([-1]) }, { ...opts, callbacks: [modelCheckpoint({ path: join(dir, 'ck.safetensors') })] });
  return loadCheckpoint(join(dir, 'ck.safetensors'));
}

const weightsOf = (ck: Checkpoint) => ck.model.namedParameters().map(([k, p]) => [k, Array.from(p.data)]);

/** Rewrites a safetensors file with its metadata changed by `edit`, with or without checksums. */
function rewrite(path: string, edit: (meta: Record<string, string>) => Record<string, string>, checksums: boolean): void {
  const d = decodeSafetensors(readFileSync(path));
  writeFileSync(path, encodeSafetensors(d.tensors, edit({ ...d.metadata }), { checksums }));
}

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

let ck: Checkpoint;
beforeAll(async () => {
  ck = await trained();
});
const save = (path: string) => saveCheckpoint(path, { model: ck.model, state: ck.state, options: ck.fitOptions });

describe('saveCheckpoint / loadCheckpoint arguments', () => {
  it('saveCheckpoint without a state says what is missing and points to saveModel; writes nothing', async () => {
    const dir = tmp();
    const path = join(dir, 'w.safetensors');
    await expect(saveCheckpoint(path, { model: ck.model } as never)).rejects.toThrow(
      `saveCheckpoint(${path}): 'state' and 'options' missing: a checkpoint holds the training state and options to resume from (a Trainer callback's ctx.saveCheckpoint passes them); to save only the weights, call saveModel(model, path)`,
    );
    await expect(saveCheckpoint(path, { model: ck.model, state: { ...ck.state, step: -1 }, options: ck.fitOptions })).rejects.toThrow(
      `saveCheckpoint(${path}): state.step must be a non-negative integer, got -1`,
    );
    await expect(saveCheckpoint(path, { model: {}, state: ck.state, options: ck.fitOptions } as never)).rejects.toThrow(/'model' must be an nn\.Sequential, got object/);
    await expect(saveCheckpoint('', { model: ck.model, state: ck.state, options: ck.fitOptions })).rejects.toThrow(/^saveCheckpoint: path must be a non-empty string, got ""$/);
    await expect(loadCheckpoint(7 as never)).rejects.toThrow(/^loadCheckpoint: path must be a non-empty string, got 7$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('creates a missing directory; a path without a checkpoint is an error naming it', async () => {
    const path = join(tmp(), 'a', 'b', 'ck.safetensors');
    await expect(loadCheckpoint(path)).rejects.toThrow(`loadCheckpoint(${path}): no checkpoint at this path (the weights file does not exist)`);
    await expect(loadCheckpoint(path)).rejects.toMatchObject({ name: 'FileFormatError', fn: 'loadCheckpoint', path, problem: 'no checkpoint at this path (the weights file does not exist)' });
    await save(path);
    expect(weightsOf(await loadCheckpoint(path))).toEqual(weightsOf(ck));
    const blocked = join(path, 'd', 'c.safetensors'); // a directory under a file
    await expect(save(blocked)).rejects.toThrow(new RegExp(`^saveCheckpoint\\(${blocked.replace(/\./g, '\\.')}\\): cannot create the directory .*ENOTDIR`));
  });
});

describe('checksums of checkpoint files', () => {
  it('both files carry them; the current format without them is refused', async () => {
    const path = join(tmp(), 'ck.safetensors');
    await save(path);
    for (const f of [path, path.replace(/\.safetensors$/, '.optim.safetensors')]) {
      const meta = decodeSafetensors(readFileSync(f)).metadata;
      expect(meta.format).toBe(CHECKPOINT_FORMAT);
      expect(JSON.parse(meta[CHECKSUMS_KEY]!).algorithm).toBe('sha256');
    }
    rewrite(path, (m) => m, false);
    await expect(loadCheckpoint(path)).rejects.toThrow(`loadCheckpoint(${path}): __metadata__ has no 'actorgrad.checksums', which every 'actorgrad.checkpoint/2' file has; the file is corrupted`);
  });

  it('an older checkpoint (format 1, no checksums) still loads, with the same weights and state', async () => {
    const path = join(tmp(), 'old.safetensors');
    await save(path);
    const old = (m: Record<string, string>) => ({ ...m, format: 'actorgrad.checkpoint/1' });
    rewrite(path, old, false);
    rewrite(path.replace(/\.safetensors$/, '.optim.safetensors'), old, false);
    expect(decodeSafetensors(readFileSync(path)).metadata[CHECKSUMS_KEY]).toBeUndefined();
    const back = await loadCheckpoint(path);
    expect(weightsOf(back)).toEqual(weightsOf(ck));
    expect(back.state.step).toBe(ck.state.step);
    expect(back.fitOptions.optimizer).toEqual(ck.fitOptions.optimizer);
  });
});

describe('metadata fields are validated', () => {
  type Meta = Record<string, string>;
  const cases: [string, (m: Meta) => Meta, string][] = [
    ['config without optimizer', (m) => ({ ...m, config: JSON.stringify({ ...JSON.parse(m.config!), optimizer: undefined }) }), `__metadata__ 'config' 'optimizer' must be {name, options}, got (missing)`],
    ['config not an object', (m) => ({ ...m, config: '[1]' }), `__metadata__ 'config' must be an object, got [1]`],
    ['epoch not a number', (m) => ({ ...m, epoch: '1e3' }), `__metadata__ 'epoch' must be a non-negative integer, got "1e3"`],
    ['history without metrics', (m) => ({ ...m, history: '{"epochs":[0],"stopReason":"completed","steps":2}' }), `__metadata__ 'history' 'metrics' must be an object of arrays, got (missing)`],
    ['lr_override a string', (m) => ({ ...m, lr_override: '"x"' }), `__metadata__ 'lr_override' must be null or a number, got "x"`],
    ['model_spec of an unknown type', (m) => ({ ...m, model_spec: '{"type":"Sequentiam"}' }), `__metadata__ 'model_spec' does not describe a model: moduleFromSpec: unknown module type "Sequentiam"`],
    ['no model_spec', ({ model_spec: _, ...m }) => m, `__metadata__ has no 'model_spec'`],
    ['position without its batch', (m) => ({ ...m, position: '{"rows":10,"batchSize":5,"lossSum":1,"seen":5,"metrics":{"sums":{},"count":5}}' }), `__metadata__ 'position' 'batch' must be a non-negative integer, got (missing)`],
    ['position with bad metric sums', (m) => ({ ...m, position: '{"batch":1,"rows":10,"batchSize":5,"lossSum":1,"seen":5,"metrics":{"sums":{"loss":"x"},"count":5}}' }), `__metadata__ 'position' 'metrics' must be {sums: {name: number}, count: integer}, got {"sums":{"loss":"x"},"count":5}`],
  ];
  it.each(cases)('%s: an error naming the file and the field', async (_name, edit, message) => {
    const path = join(tmp(), 'ck.safetensors');
    await save(path);
    // With fresh checksums, so the field check itself is what refuses the file.
    rewrite(path, edit, true);
    const err = await loadCheckpoint(path).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).not.toBeInstanceOf(TypeError);
    expect(err?.message).toContain(`loadCheckpoint(${path}): ${message}`);
  });
});

describe('what a killed writer left', () => {
  it("stale temporary files of the checkpoint are removed on load; a live writer's are kept", async () => {
    const dir = tmp();
    const path = join(dir, 'ck.safetensors');
    await save(path);
    const dead = deadPid();
    const stale = [`.ck.safetensors.${dead}.1.0123456789ab.tmp`, `.ck.optim.safetensors.${dead}.2.0123456789ab.tmp`, `.ck.optim.safetensors.next.${dead}.3.0123456789ab.tmp`];
    const kept = [`.ck.safetensors.${process.pid}.4.0123456789ab.tmp`, `.other.safetensors.${dead}.1.0123456789ab.tmp`];
    for (const n of [...stale, ...kept]) writeFileSync(join(dir, n), 'x'.repeat(100));
    await loadCheckpoint(path);
    expect(readdirSync(dir).sort()).toEqual(['ck.optim.safetensors', 'ck.safetensors', ...kept].sort());
    // And on save.
    for (const n of stale) writeFileSync(join(dir, n), 'x');
    await save(path);
    expect(readdirSync(dir).sort()).toEqual(['ck.optim.safetensors', 'ck.safetensors', ...kept].sort());
  });

  it("a dead writer's staged optimiser file is removed when it is not the weights', kept while its writer lives", async () => {
    const dir = tmp();
    const path = join(dir, 'ck.safetensors');
    const next = join(dir, 'ck.optim.safetensors.next');
    await save(path);
    const optim = readFileSync(join(dir, 'ck.optim.safetensors'));
    const staged = (pid: number) => {
      writeFileSync(next, optim);
      rewrite(next, (m) => ({ ...m, checkpoint_id: 'another', writer_pid: String(pid) }), true);
    };
    staged(process.pid);
    await loadCheckpoint(path);
    expect(existsSync(next)).toBe(true);
    staged(deadPid());
    expect((await loadCheckpoint(path)).state.step).toBe(ck.state.step);
    expect(existsSync(next)).toBe(false);
  });

  it("a dead writer's staged file that belongs to the weights is moved into place (a crash between the renames)", async () => {
    const dir = tmp();
    const path = join(dir, 'ck.safetensors');
    await save(path);
    const optPath = join(dir, 'ck.optim.safetensors');
    writeFileSync(`${optPath}.next`, readFileSync(optPath));
    rewrite(`${optPath}.next`, (m) => ({ ...m, writer_pid: String(deadPid()) }), true);
    rewrite(optPath, (m) => ({ ...m, checkpoint_id: 'previous' }), true);
    await loadCheckpoint(path);
    expect(readdirSync(dir).sort()).toEqual(['ck.optim.safetensors', 'ck.safetensors']);
    expect(decodeSafetensors(readFileSync(optPath)).metadata.checkpoint_id).not.toBe('previous');
  });
});
