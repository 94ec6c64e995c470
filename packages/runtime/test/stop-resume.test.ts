import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, data, randn, tensor } from '@actorgrad/core';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './temp-dirs.js';
import { type History, type ModelCheckpointOptions, NonFiniteLossError, Trainer, dataParallel, lambdaCallback, loadCheckpoint, modelCheckpoint } from '../src/index.js';
import { paramBytes } from './helpers.js';
import { STOP_EPOCHS, STOP_STEPS_PER_EPOCH, stopCallbacks, stopData, stopModel, stopOptions } from './support/stop-setup.js';

afterAll(removeTempDirs);

const tmp = () => tempDir('actorgrad-stop-');

/** The uninterrupted run: final parameters and history. */
async function uninterrupted(placement = stopOptions().placement) {
  const model = stopModel();
  const history = await new Trainer().fit(model, stopData().train, { ...stopOptions(), placement, callbacks: stopCallbacks() });
  return { bytes: paramBytes(model), history };
}

/** Loads the checkpoint a stop wrote and trains the rest of the run in a fresh trainer. */
async function resume(path: string, placement = stopOptions().placement) {
  const ck = await loadCheckpoint(path);
  const { train, validation } = stopData();
  const history = await new Trainer().fit(ck.model, train, { ...ck.fitOptions, epochs: STOP_EPOCHS, placement, validationData: validation, callbacks: stopCallbacks() });
  return { bytes: paramBytes(ck.model), history, state: ck.state };
}

/** A stop after `s` steps: the abort signal fires in the batch's callback. */
async function stopBySignal(dir: string, s: number, placement = stopOptions().placement): Promise<History> {
  const ac = new AbortController();
  const at = lambdaCallback('stopper', {
    onBatchEnd: (_step, _logs, ctx) => {
      if (ctx.step === s) ac.abort();
    },
  });
  const path = join(dir, 'ck-{epoch}.safetensors');
  return new Trainer().fit(stopModel(), stopData().train, { ...stopOptions(), placement, signal: ac.signal, callbacks: [...stopCallbacks(), at, modelCheckpoint({ path })] });
}

/**
 * Step `s` (0-based) fails: after `s` steps a NaN is written into a row of the batch that step will
 * take (the loader gathers a batch when it is reached), as a corrupt record streaming in would.
 */
async function stopByNonFinite(dir: string, s: number): Promise<unknown> {
  const { train } = stopData();
  const o = stopOptions();
  const order = new data.DataLoader(new data.TensorDataset(train.x, train.y), { batchSize: o.batchSize, shuffle: true, seed: o.seed }).order(Math.floor(s / STOP_STEPS_PER_EPOCH));
  const row = order[(s % STOP_STEPS_PER_EPOCH) * o.batchSize]!;
  const poison = lambdaCallback('poison', {
    onBatchEnd: (_step, _logs, ctx) => {
      if (ctx.step === s) train.x.data[row * train.x.shape[1]! + 1] = Number.NaN;
    },
  });
  // Step 0 has no batch before it: poison before the run starts.
  if (s === 0) train.x.data[row * train.x.shape[1]! + 1] = Number.NaN;
  const path = join(dir, 'ck-{epoch}.safetensors');
  return new Trainer().fit(stopModel(), train, { ...o, callbacks: [...stopCallbacks(), poison, modelCheckpoint({ path })] }).catch((e: unknown) => e);
}

describe('a stop at any step, then a resume, equals the uninterrupted run bit for bit', () => {
  const total = STOP_EPOCHS * STOP_STEPS_PER_EPOCH;
  const rng = new Rng(2026);
  // 20 seeded random stop points in [1, total - 1]; even cases stop by the abort signal, odd ones by a non-finite loss.
  const cases = Array.from({ length: 20 }, (_, i) => ({ s: 1 + rng.int(total - 1), how: i % 2 === 0 ? 'signal' : 'non-finite' }));

  it.each(cases)('stop after $s steps ($how)', async ({ s, how }) => {
    const ref = await uninterrupted();
    const dir = tmp();
    if (how === 'signal') {
      const h = await stopBySignal(dir, s);
      expect(h.stopReason).toBe('aborted');
      expect(h.steps).toBe(s);
    } else {
      const err = await stopByNonFinite(dir, s);
      expect(err).toBeInstanceOf(NonFiniteLossError);
      expect((err as NonFiniteLossError).step).toBe(s);
      expect((err as NonFiniteLossError).history.steps).toBe(s);
    }
    const epoch = Math.floor(s / STOP_STEPS_PER_EPOCH);
    const r = await resume(join(dir, `ck-${epoch}.safetensors`));
    // The checkpoint of the stop says where inside the epoch it was taken.
    expect(r.state.step).toBe(s);
    expect(r.state.epoch).toBe(epoch);
    expect(r.state.position?.batch ?? 0).toBe(s % STOP_STEPS_PER_EPOCH);
    expect(r.history).toEqual(ref.history);
    expect(r.bytes.equals(ref.bytes)).toBe(true);
  });

  it('the issue example: 10 steps an epoch, abort after 4 steps of epoch 2, resume to 3 epochs: 30 steps, not 24', async () => {
    const dir = tmp();
    const rows = 10 * stopOptions().batchSize;
    const rng = new Rng(3);
    const train = { x: randn([rows, 6], { rng }), y: tensor(Array.from({ length: rows }, () => rng.int(3))) };
    const ac = new AbortController();
    const stopper = lambdaCallback('stopper', {
      onBatchEnd: (_s, _l, ctx) => {
        if (ctx.step === 14) ac.abort();
      },
    });
    const model = stopModel(2);
    const o = { ...stopOptions(), validationData: undefined, epochs: 3 };
    const h = await new Trainer().fit(model, train, { ...o, signal: ac.signal, callbacks: [stopper, modelCheckpoint({ path: join(dir, 'ck.safetensors') })] });
    expect(h.epochs).toEqual([0]); // epoch 2 (index 1) was cut short: not in the history
    const ck = await loadCheckpoint(join(dir, 'ck.safetensors'));
    expect([ck.state.epoch, ck.state.step, ck.state.position?.batch]).toEqual([1, 14, 4]);
    const steps: number[] = [];
    const count = lambdaCallback('count', { onBatchEnd: (step) => void steps.push(step) });
    const more = await new Trainer().fit(ck.model, train, { ...ck.fitOptions, epochs: 3, placement: o.placement, callbacks: [count] });
    expect(more.steps).toBe(30);
    expect(steps).toEqual(Array.from({ length: 16 }, (_, i) => 14 + i));
    expect(more.epochs).toEqual([0, 1, 2]);
  });

  it('on dataParallel(2) too: stops at 3 seeded steps by the abort signal', async () => {
    const placement = dataParallel({ replicas: 2, shards: 2, threads: 2 });
    const ref = await uninterrupted(placement);
    for (const s of [5, 9, 16]) {
      const dir = tmp();
      await stopBySignal(dir, s, placement);
      const r = await resume(join(dir, `ck-${Math.floor(s / STOP_STEPS_PER_EPOCH)}.safetensors`), placement);
      expect(r.history).toEqual(ref.history);
      expect(r.bytes.equals(ref.bytes)).toBe(true);
    }
  });

  it('Ctrl-C (SIGINT) with stopOnSignals: the child stops at the step boundary, saves, exits normally; the resume is exact', async () => {
    const ref = await uninterrupted();
    const dir = tmp();
    const child = new URL('./support/stop-child.ts', import.meta.url).pathname;
    const out = execFileSync(process.execPath, ['--conditions=@actorgrad/source', '--import', 'tsx', child, dir, '9'], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' });
    expect(out).toMatch(/stopReason: interrupted by SIGINT, steps: 9/);
    expect(readdirSync(dir).filter((f) => !f.startsWith('.')).sort()).toEqual(['ck-0.optim.safetensors', 'ck-0.safetensors', 'ck-1.optim.safetensors', 'ck-1.safetensors']);
    const r = await resume(join(dir, 'ck-1.safetensors'));
    expect(r.state.step).toBe(9);
    expect(r.history).toEqual(ref.history);
    expect(r.bytes.equals(ref.bytes)).toBe(true);
  });

  it('a resume with other data than the checkpoint was taken with is refused, naming both', async () => {
    const dir = tmp();
    await stopBySignal(dir, 3);
    const ck = await loadCheckpoint(join(dir, 'ck-0.safetensors'));
    const { train } = stopData();
    const fewer = { x: train.x.narrow(0, 0, 90), y: train.y.narrow(0, 0, 90) };
    await expect(new Trainer().fit(ck.model, fewer, { ...ck.fitOptions, placement: stopOptions().placement })).rejects.toThrow(
      'fit: resume: the checkpoint was taken 3 batches into epoch 1, of 100 training rows in batches of 16; this run has 90 rows in batches of 16, so that epoch cannot continue in the same order',
    );
  });

  it('modelCheckpoint on stop: saveOnStop false and saveBestOnly write nothing; log placeholders take the last epoch (or skip with a warning before one ends)', async () => {
    const run = async (s: number, path: string, more: Partial<ModelCheckpointOptions>) => {
      const dir = tmp();
      const ac = new AbortController();
      const stopper = lambdaCallback('stopper', { onBatchEnd: (_a, _b, ctx) => void (ctx.step === s && ac.abort()) });
      const trainer = new Trainer();
      const warnings: string[] = [];
      trainer.events$.subscribe((e) => e.type === 'warning' && warnings.push(e.message));
      await trainer.fit(stopModel(), stopData().train, { ...stopOptions(), signal: ac.signal, callbacks: [stopper, modelCheckpoint({ path: join(dir, path), ...more })] });
      return { files: readdirSync(dir).filter((f) => f.endsWith('.safetensors') && !f.includes('.optim.')).sort(), warnings };
    };
    expect((await run(9, 'ck-{epoch}.safetensors', { saveOnStop: false })).files).toEqual(['ck-0.safetensors']);
    expect((await run(9, 'best.safetensors', { saveBestOnly: true, monitor: 'val_loss' })).files).toEqual(['best.safetensors']);
    const withLoss = await run(9, 'ck-{epoch}-{val_loss:.3f}.safetensors', {});
    expect(withLoss.files).toHaveLength(2);
    expect(withLoss.files[1]!.slice(0, 5)).toBe('ck-1-');
    expect(withLoss.files[1]!.slice(5)).toBe(withLoss.files[0]!.slice(5)); // epoch 0's val_loss in both names
    const early = await run(3, 'ck-{val_loss}.safetensors', {});
    expect(early.files).toEqual([]);
    expect(early.warnings).toEqual([expect.stringMatching(/^modelCheckpoint: no checkpoint on stop: .*'\{val_loss\}' .* is not a known value/)]);
  });
});
