import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, data, nn, tensor } from '@actorgrad/core';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './temp-dirs.js';
import { CHUNK, type EngineEvent, type FitOptions, Trainer, inline, lambdaCallback, loadCheckpoint, modelCheckpoint, saveCheckpoint } from '../src/index.js';
import { diverging } from './helpers.js';

afterAll(removeTempDirs);

const tmp = () => tempDir('actorgrad-ckpt-');
function spirals(seed: number) {
  const s = data.twoSpirals({ n: 200, noise: 0.05, seed });
  return { x: s.x, y: s.y.reshape([-1]) };
}
function net(seed: number) {
  const rng = new Rng(seed);
  return new nn.Sequential(new nn.Linear(2, 16, { rng }), nn.Tanh(), new nn.Linear(16, 2, { rng }));
}
const opts: FitOptions = { loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 0.02 } }, epochs: 2, batchSize: 50, placement: inline(), seed: 1 };

/** An independent reader of the safetensors layout (not the library's decoder). */
function readHeader(bytes: Buffer) {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  return { n, header, dataBytes: bytes.length - 8 - n };
}

describe('checkpoint files', () => {
  it('parse with an independent header reader: LE length, JSON, offsets cover the data exactly, header padded to 8; PyTorch names and layouts', async () => {
    const dir = tmp();
    const model = net(1);
    await new Trainer().fit(model, spirals(1), { ...opts, callbacks: [modelCheckpoint({ path: join(dir, 'ck.safetensors'), every: 2 })] });
    for (const file of ['ck.safetensors', 'ck.optim.safetensors']) {
      const bytes = readFileSync(join(dir, file));
      const { n, header, dataBytes } = readHeader(bytes);
      expect(n % 8).toBe(0);
      const spans = Object.entries(header)
        .filter(([k]) => k !== '__metadata__')
        .map(([, v]) => (v as { data_offsets: [number, number]; shape: number[]; dtype: string }))
        .sort((a, b) => a.data_offsets[0] - b.data_offsets[0]);
      let at = 0;
      for (const s of spans) {
        expect(s.data_offsets[0]).toBe(at); // no hole, no overlap
        const size = s.shape.reduce((a, b) => a * b, 1) * { F32: 4, F64: 8, I32: 4 }[s.dtype as 'F32']!;
        expect(s.data_offsets[1] - s.data_offsets[0]).toBe(size);
        at = s.data_offsets[1];
      }
      expect(at).toBe(dataBytes);
      const meta = header.__metadata__ as Record<string, string>;
      for (const v of Object.values(meta)) expect(typeof v).toBe('string');
    }
    const { header } = readHeader(readFileSync(join(dir, 'ck.safetensors')));
    expect(Object.keys(header).filter((k) => k !== '__metadata__').sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
    expect((header['0.weight'] as { shape: number[] }).shape).toEqual([16, 2]); // [out, in] like torch.nn.Linear
    const meta = header.__metadata__ as Record<string, string>;
    expect(JSON.parse(meta.model_spec!).type).toBe('Sequential');
    expect(meta.epoch).toBe('2');
    expect(meta.step).toBe('8');
    expect(JSON.parse(meta.config!).optimizer).toEqual({ name: 'adam', options: { lr: 0.02 } });
    expect(JSON.parse(meta.random_state!)).toEqual({ seed: 1, epoch: 2, step: 8 });
    // And the library loads what it wrote into an identical model.
    const ck = await loadCheckpoint(join(dir, 'ck.safetensors'));
    expect(ck.state.step).toBe(8);
    // The optimiser states say how big their chunks are, so another chunk size can still load them.
    expect(ck.state.optimizerChunk).toBe(CHUNK);
    for (const [k, p] of ck.model.namedParameters()) expect(Array.from(p.data)).toEqual(Array.from(model.parameters()[k]!.data));
  });

  it('a truncated or corrupted file is refused with an error naming it', async () => {
    const dir = tmp();
    await new Trainer().fit(net(2), spirals(2), { ...opts, callbacks: [modelCheckpoint({ path: join(dir, 'ck.safetensors'), every: 2 })] });
    const path = join(dir, 'ck.safetensors');
    const good = readFileSync(path);
    writeFileSync(path, good.subarray(0, good.length - 10));
    await expect(loadCheckpoint(path)).rejects.toThrow(new RegExp(`loadSafetensors\\(${path.replace(/[.]/g, '\\.')}\\): .*`));
    const bad = Buffer.from(good);
    bad[8] = 0x5d; // ']' where the JSON header opens
    writeFileSync(path, bad);
    await expect(loadCheckpoint(path)).rejects.toThrow(/loadSafetensors\(.*ck\.safetensors\): .*JSON/);
    writeFileSync(path, good);
    writeFileSync(join(dir, 'ck.optim.safetensors'), readFileSync(join(dir, 'ck.optim.safetensors')).subarray(0, 100));
    await expect(loadCheckpoint(path)).rejects.toThrow(/ck\.optim\.safetensors/);
  });

  it('a failed write leaves the previous checkpoint intact, byte for byte, with no stray files', async () => {
    const dir = tmp();
    const path = join(dir, 'ck.safetensors');
    const model = net(3);
    let saved: { state: Parameters<typeof saveCheckpoint>[1]['state'] } | null = null;
    const grab = lambdaCallback('grab', {
      async onEpochEnd(_e, _l, ctx) {
        await ctx.saveCheckpoint(path, 'test');
        saved = { state: { epoch: ctx.epoch, step: ctx.step, optimizerStates: ctx.engine.optimizerStates, lrOverride: null, callbacks: {}, history: ctx.history } };
      },
    });
    await new Trainer().fit(model, spirals(3), { ...opts, epochs: 1, callbacks: [grab] });
    const before = [readFileSync(path), readFileSync(join(dir, 'ck.optim.safetensors'))];
    // Train on (changes the weights), then fail the write of the new weights after its bytes are out.
    model.parameters()['0.weight']!.data[0] = 123;
    await expect(
      saveCheckpoint(path, { model, state: saved!.state, options: opts }, { weights: { _hook: (stage) => (stage === 'written' ? Promise.reject(new Error('disk full')) : undefined) } }),
    ).rejects.toThrow(/disk full/);
    expect(readFileSync(path).equals(before[0]!)).toBe(true);
    expect(readFileSync(join(dir, 'ck.optim.safetensors')).equals(before[1]!)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['ck.optim.safetensors', 'ck.safetensors']);
    expect((await loadCheckpoint(path)).model.parameters()['0.weight']!.data[0]).not.toBe(123);
  });

  it('modelCheckpoint best-only keeps exactly the best k files', async () => {
    const dir = tmp();
    const cb = modelCheckpoint({ path: join(dir, 'best-{epoch}.safetensors'), saveBestOnly: true, monitor: 'val_loss', keepBest: 2 });
    const h = await new Trainer().fit(net(4), spirals(4), { ...opts, optimizer: { name: 'sgd', options: { lr: 2, momentum: 0.9 } }, epochs: 10, validationSplit: 0.25, callbacks: [cb] });
    const vl = h.metrics.val_loss!;
    const best2 = [...vl.keys()].sort((a, b) => vl[a]! - vl[b]!).slice(0, 2).sort((a, b) => a - b);
    expect(readdirSync(dir).sort()).toEqual(best2.flatMap((e) => [`best-${e}.optim.safetensors`, `best-${e}.safetensors`]).sort());
    expect(cb.kept().length).toBe(2);
  });

  it('a non-finite loss stops the run with an event naming the step; the last good checkpoint is intact', async () => {
    const dir = tmp();
    const { data: { x, y }, model } = diverging();
    const trainer = new Trainer();
    const events: EngineEvent[] = [];
    trainer.events$.subscribe((e) => events.push(e));
    const h = await trainer.fit(model, { x, y }, { loss: 'mse', batchSize: 32, placement: inline(), optimizer: { name: 'sgd', options: { lr: 0.05 } }, epochs: 50, onNonFinite: 'stop', callbacks: [modelCheckpoint({ path: join(dir, 'last.safetensors') })] });
    const nf = events.find((e) => e.type === 'nonfinite') as Extract<EngineEvent, { type: 'nonfinite' }>;
    expect(nf).toBeDefined();
    expect(h.stopReason).toBe(`non-finite ${nf.what} at step ${nf.step}`);
    const ck = await loadCheckpoint(join(dir, 'last.safetensors'));
    expect(ck.state.step).toBe(nf.step);
    for (const [, p] of ck.model.namedParameters()) expect(p.data.every(Number.isFinite)).toBe(true);
    expect(events.filter((e) => e.type === 'checkpoint').length).toBe(nf.step);
  });
});
