import { tensor } from '@actorgrad/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inline } from '../../main/placement.js';
import type { Logs, TrainContext } from '../callback.js';
import { Trainer } from '../trainer.js';
import { progressBar, progressForVerbose } from './progress-bar.js';
import { diverging, spirals, spiralsFitOptions, spiralsNet } from '../../../test/helpers.js';

/** A stream that records what is written, and a clock the test moves. */
function fakes(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  const clock = { t: 0 };
  return { chunks, clock, stream: { isTTY, columns, write: (s: string) => chunks.push(s) }, now: () => clock.t };
}

function fakeCtx(over: Partial<TrainContext> = {}): TrainContext {
  return { epoch: 0, epochs: 2, stepsPerEpoch: 10, batchInEpoch: 0, stopReason: null, ...over } as TrainContext;
}

/** Runs one epoch of `batches` batches, `ms` apart, `samples` rows each, loss i at batch i. */
function epoch(cb: ReturnType<typeof progressBar>, f: ReturnType<typeof fakes>, ctx: TrainContext, { batches = 10, ms = 20, samples = 32 } = {}) {
  cb.onEpochBegin?.(ctx.epoch, ctx);
  for (let i = 1; i <= batches; i++) {
    f.clock.t += ms;
    cb.onBatchEnd?.(i, { loss: i, lr: 0.01, gradNorm: 1, samples } as Logs, ctx);
  }
  f.clock.t += 50;
  cb.onEpochEnd?.(ctx.epoch, { loss: 0.5, accuracy: 0.9, val_loss: 0.25 }, ctx);
}

describe('progressBar on a TTY (verbose 1)', () => {
  it('redraws in place with epoch, batch/total, ETA, samples/s and the running loss, then one summary line', () => {
    const f = fakes(true);
    const cb = progressBar({ mode: 'bar', stream: f.stream, now: f.now, width: 10 });
    epoch(cb, f, fakeCtx());
    // Batches end at 20, 40, …, 200 ms; redraws at most every 100 ms: after batches 1 and 6.
    expect(f.chunks).toHaveLength(3);
    expect(f.chunks[0]).toBe('\repoch 1/2 [>         ] 1/10 · ETA 0.2 s · 1 600 samples/s · loss 1.0000\x1b[K');
    // 6 batches in 120 ms: 4 left take 80 ms; 192 rows / 0.12 s; loss mean(1..6) = 3.5.
    expect(f.chunks[1]).toBe('\repoch 1/2 [=====>    ] 6/10 · ETA 0.1 s · 1 600 samples/s · loss 3.5000\x1b[K');
    expect(f.chunks[2]).toBe('\r\x1b[Kepoch 1/2 · 0.3 s · 1 600 samples/s · loss 0.5000 · accuracy 0.9000 · val_loss 0.2500\n');
  });

  it('redraws at most ~10 times a second however fast the batches come', () => {
    const f = fakes(true);
    const cb = progressBar({ mode: 'bar', stream: f.stream, now: f.now });
    epoch(cb, f, fakeCtx({ stepsPerEpoch: 2000 }), { batches: 2000, ms: 1 });
    const redraws = f.chunks.filter((c) => c.startsWith('\repoch'));
    expect(redraws).toHaveLength(20); // 2 s of batches
    expect(redraws[19]).toContain('1901/2000');
    expect(f.chunks.filter((c) => c.endsWith('\n'))).toHaveLength(1);
  });

  it('cuts the bar line to the terminal width so that it can be redrawn', () => {
    const f = fakes(true, 40);
    const cb = progressBar({ stream: f.stream, now: f.now });
    epoch(cb, f, fakeCtx());
    // 'epoch 1/2 [==>' and the bar's spaces, cut at 39 characters (one short of the width).
    expect(f.chunks[0]).toBe(`\r${'epoch 1/2 [==>'.padEnd(39)}\x1b[K`);
  });

  it('ends a run that did not complete with its own line saying why, over the bar', () => {
    const f = fakes(true);
    const cb = progressBar({ stream: f.stream, now: f.now });
    const ctx = fakeCtx({ stopReason: 'non-finite loss at step 12' });
    cb.onEpochBegin?.(0, ctx);
    f.clock.t += 20;
    cb.onBatchEnd?.(12, { loss: 1, samples: 8 }, ctx);
    cb.onTrainEnd?.(ctx);
    expect(f.chunks.at(-1)).toBe('\r\x1b[Kstopped: non-finite loss at step 12\n');
  });

  it('a run resumed inside an epoch counts on from the batches done before; a stop inside an epoch says where', () => {
    const f = fakes(true);
    const cb = progressBar({ mode: 'bar', stream: f.stream, now: f.now, width: 10 });
    const ctx = fakeCtx({ batchInEpoch: 6 });
    cb.onEpochBegin?.(0, ctx);
    f.clock.t += 200;
    cb.onBatchEnd?.(7, { loss: 1, samples: 32 }, ctx);
    // 7 of 10 batches done; this run's 1 batch took 0.2 s, so 3 more take 0.6 s.
    expect(f.chunks[0]).toBe('\repoch 1/2 [======>   ] 7/10 · ETA 0.6 s · 160 samples/s · loss 1.0000\x1b[K');
    cb.onTrainEnd?.(fakeCtx({ batchInEpoch: 7, stopReason: 'aborted' }));
    expect(f.chunks.at(-1)).toBe('\r\x1b[Kstopped: aborted (inside epoch 1/2, after batch 7/10)\n');
  });

  it('says nothing more when the run completed', () => {
    const f = fakes(true);
    const cb = progressBar({ stream: f.stream, now: f.now });
    epoch(cb, f, fakeCtx());
    const before = f.chunks.length;
    cb.onTrainEnd?.(fakeCtx({ stopReason: null }));
    expect(f.chunks).toHaveLength(before);
  });
});

describe('progressBar in a log (verbose 2)', () => {
  it('writes exactly one line per epoch and never a carriage return, also in bar mode on a non-TTY', () => {
    for (const mode of ['lines', 'bar', 'auto'] as const) {
      const f = fakes(false);
      const cb = progressBar({ mode, stream: f.stream, now: f.now });
      for (let e = 0; e < 3; e++) epoch(cb, f, fakeCtx({ epoch: e, epochs: 3 }));
      cb.onTrainEnd?.(fakeCtx({ epoch: 3, epochs: 3 }));
      expect(f.chunks.join('')).not.toContain('\r');
      expect(f.chunks.join('').split('\n')).toEqual([
        'epoch 1/3 · 0.3 s · 1 600 samples/s · loss 0.5000 · accuracy 0.9000 · val_loss 0.2500',
        'epoch 2/3 · 0.3 s · 1 600 samples/s · loss 0.5000 · accuracy 0.9000 · val_loss 0.2500',
        'epoch 3/3 · 0.3 s · 1 600 samples/s · loss 0.5000 · accuracy 0.9000 · val_loss 0.2500',
        '',
      ]);
    }
  });

  it("'lines' on a TTY draws no bar either", () => {
    const f = fakes(true);
    const cb = progressBar({ mode: 'lines', stream: f.stream, now: f.now });
    epoch(cb, f, fakeCtx());
    expect(f.chunks).toEqual(['epoch 1/2 · 0.3 s · 1 600 samples/s · loss 0.5000 · accuracy 0.9000 · val_loss 0.2500\n']);
  });
});

describe('FitOptions.verbose', () => {
  const net = spiralsNet;
  const opts = spiralsFitOptions();

  /** What fit writes to stdout while `run` goes on. */
  async function stdout(run: () => Promise<unknown>): Promise<string> {
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => chunks.push(String(s)) > 0);
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return chunks.join('');
  }
  afterEach(() => vi.restoreAllMocks());

  it('is silent by default', async () => {
    expect(await stdout(() => new Trainer().fit(net(), spirals(), opts))).toBe('');
  });

  it('2 prints exactly one line per epoch of a 3-epoch run, with the time, samples/s and every log', async () => {
    const lines = (await stdout(() => new Trainer().fit(net(), spirals(), { ...opts, verbose: 2 }))).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    for (const [i, l] of lines.entries()) {
      expect(l).toMatch(new RegExp(`^epoch ${i + 1}/3 · \\d+\\.\\d s · [\\d ]+(\\.\\d)? samples/s · loss \\d\\.\\d{4} · accuracy \\d\\.\\d{4} · val_loss \\d\\.\\d{4} · val_accuracy \\d\\.\\d{4} · lr 0\\.0200$`));
    }
  });

  it('2 adds one line saying why when the run stops on a non-finite loss', async () => {
    const { data: { x, y }, model } = diverging();
    let history: Awaited<ReturnType<Trainer['fit']>> | null = null;
    const out = await stdout(async () => {
      history = await new Trainer().fit(model, { x, y }, { loss: 'mse', batchSize: 8, placement: inline(), optimizer: { name: 'sgd', options: { lr: 10 } }, epochs: 50, verbose: 2, onNonFinite: 'stop' });
    });
    const lines = out.trimEnd().split('\n');
    expect(history!.stopReason).toMatch(/^non-finite .* at step \d+$/);
    const steps = history!.steps;
    const inside = steps % 4 > 0 ? ` (inside epoch ${Math.floor(steps / 4) + 1}/50, after batch ${steps % 4}/4)` : '';
    expect(lines.at(-1)).toBe(`stopped: ${history!.stopReason}${inside}`);
    expect(lines.slice(0, -1).every((l) => /^epoch \d+\/50 · /.test(l))).toBe(true);
    expect(lines.length - 1).toBe(history!.epochs.length);
  });

  it("'auto' is the bar on a TTY and lines elsewhere; other values are refused", () => {
    const tty = fakes(true);
    const [viaTty] = progressForVerbose('auto', tty.stream);
    viaTty!.onEpochBegin?.(0, fakeCtx());
    viaTty!.onBatchEnd?.(0, { loss: 1, samples: 4 }, fakeCtx());
    expect(tty.chunks[0]).toMatch(/^\repoch 1\/2 \[/);
    const log = fakes(false);
    const [viaLog] = progressForVerbose('auto', log.stream);
    viaLog!.onEpochBegin?.(0, fakeCtx());
    viaLog!.onBatchEnd?.(0, { loss: 1, samples: 4 }, fakeCtx());
    expect(log.chunks).toEqual([]);
    expect(viaTty!.name).toBe('progressBar');
    expect(progressForVerbose(0)).toEqual([]);
    expect(() => progressForVerbose(3 as 2)).toThrow("fit: verbose must be 0, 1, 2 or 'auto', got 3");
  });
});
