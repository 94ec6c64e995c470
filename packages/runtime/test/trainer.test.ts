import { Rng, type Tensor, data, nn, tensor } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { type EngineEvent, MetricAccumulator, NonFiniteLossError, Trainer, createEngine, earlyStopping, inline, lambdaCallback, reduceLROnPlateau, terminateOnNaN } from '../src/index.js';
import { paramBytes, diverging } from './helpers.js';

function spirals(seed: number) {
  const s = data.twoSpirals({ n: 200, noise: 0.05, seed });
  return { x: s.x, y: s.y.reshape([-1]) };
}
function net(seed: number, hidden = 16) {
  const rng = new Rng(seed);
  return new nn.Sequential(new nn.Linear(2, hidden, { rng }), nn.Tanh(), new nn.Linear(hidden, 2, { rng }));
}
const base = { loss: 'crossEntropy' as const, batchSize: 32, placement: inline({ shards: 2 }), seed: 3 };

describe('Trainer.fit', () => {
  it('trains, validates, reports metrics per epoch and publishes run/epoch events', async () => {
    const trainer = new Trainer();
    const events: EngineEvent[] = [];
    trainer.events$.subscribe((e) => events.push(e));
    const d = spirals(1);
    const h = await trainer.fit(net(1), d, { ...base, optimizer: { name: 'adam', options: { lr: 0.03 } }, epochs: 8, validationSplit: 0.2, metrics: ['accuracy'] });
    expect(h.epochs).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Object.keys(h.metrics).sort()).toEqual(['accuracy', 'loss', 'lr', 'val_accuracy', 'val_loss']);
    expect(h.metrics.loss!.at(-1)!).toBeLessThan(h.metrics.loss![0]!);
    expect(h.stopReason).toBe('completed');
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(8);
    expect(events.filter((e) => e.type === 'step')).toHaveLength(8 * 5); // 160 training rows / 32
    expect(events.find((e) => e.type === 'run' && e.phase === 'end')).toMatchObject({ reason: 'completed' });
  });

  it.each([
    ['when it stops the run itself', 2, 40],
    ['when the epochs run out', 100, 12],
  ])('earlyStopping({restoreBestWeights}) restores the best epoch’s weights %s', async (_name, patience, epochs) => {
    const d = spirals(2);
    const model = net(2);
    const snapshots: Buffer[] = [];
    const record = lambdaCallback('record', {
      onEpochEnd: (_e, _logs, ctx) => {
        snapshots.push(paramBytes(ctx.model));
      },
    });
    const es = earlyStopping({ monitor: 'val_loss', patience, restoreBestWeights: true });
    // A large learning rate makes val_loss bounce, so the best epoch is not the last one.
    const h = await new Trainer().fit(model, d, { ...base, optimizer: { name: 'sgd', options: { lr: 2.5, momentum: 0.9 } }, epochs, validationSplit: 0.25, callbacks: [record, es] });
    const vl = h.metrics.val_loss!;
    const bestEpoch = vl.indexOf(Math.min(...vl));
    expect(es.bestEpoch).toBe(bestEpoch);
    expect(bestEpoch).toBeLessThan(vl.length - 1);
    expect(paramBytes(model).equals(snapshots[bestEpoch]!)).toBe(true);
    expect(paramBytes(model).equals(snapshots.at(-1)!)).toBe(false);
    if (patience === 2) expect(h.stopReason).toMatch(/^early stopping: val_loss did not improve for 3 epochs/);
    else expect(h.stopReason).toBe('completed');
  });

  it('an AbortSignal stops the run at the next batch; earlyStopping still restores', async () => {
    const ctl = new AbortController();
    const d = spirals(3);
    const model = net(3);
    const es = earlyStopping({ monitor: 'loss', patience: 100, restoreBestWeights: true });
    const snapshots: Buffer[] = [];
    const stopper = lambdaCallback('stopper', {
      onEpochEnd: (e, _l, ctx) => {
        snapshots.push(paramBytes(ctx.model));
        if (e === 2) ctl.abort();
      },
    });
    const h = await new Trainer().fit(model, d, { ...base, optimizer: { name: 'sgd', options: { lr: 3, momentum: 0.9 } }, epochs: 50, callbacks: [es, stopper], signal: ctl.signal });
    expect(h.stopReason).toBe('aborted');
    expect(h.epochs).toEqual([0, 1, 2]);
    const losses = h.metrics.loss!;
    const best = losses.indexOf(Math.min(...losses));
    expect(paramBytes(model).equals(snapshots[best]!)).toBe(true);
  });

  it('reduceLROnPlateau lowers the learning rate when the monitored value stalls', async () => {
    const d = spirals(4);
    // A metric that never improves after epoch 0: the plateau rule fires every `patience + 1` epochs.
    const stall = lambdaCallback('stall', {
      onEpochEnd: (_e, logs) => {
        logs.stall = 1;
      },
    });
    const seen: number[] = [];
    const lrSeen = lambdaCallback('lrSeen', { onEpochEnd: (_e, _l, ctx) => void seen.push(ctx.currentLr()) });
    await new Trainer().fit(net(4), d, { ...base, optimizer: { name: 'sgd', options: { lr: 0.1 } }, epochs: 6, callbacks: [stall, reduceLROnPlateau({ monitor: 'stall', patience: 1, factor: 0.5 }), lrSeen] });
    // torch semantics: bad epochs 1, 2 → reduce after epoch 2; then 3, 4 → reduce after epoch 4.
    expect(seen).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  });

  it('a non-finite loss stops the run with an event naming the step; the parameters are those after the last good step', async () => {
    const { data: { x, y }, model } = diverging();
    const trainer = new Trainer();
    const events: EngineEvent[] = [];
    trainer.events$.subscribe((e) => events.push(e));
    let lastGood: Buffer | null = null;
    const watch = lambdaCallback('watch', {
      onBatchEnd: (_s, _l, ctx) => {
        lastGood = paramBytes(ctx.model);
      },
    });
    const h = await trainer.fit(model, { x, y }, { loss: 'mse', batchSize: 8, placement: inline(), optimizer: { name: 'sgd', options: { lr: 10 } }, epochs: 50, onNonFinite: 'stop', callbacks: [watch, terminateOnNaN()] });
    const ev = events.find((e) => e.type === 'nonfinite') as Extract<EngineEvent, { type: 'nonfinite' }>;
    expect(ev).toBeDefined();
    expect(h.stopReason).toBe(`non-finite ${ev.what} at step ${ev.step}`);
    expect(ev.step).toBeGreaterThan(0);
    expect(lastGood).not.toBeNull();
    expect(paramBytes(model).equals(lastGood!)).toBe(true);
    for (const [, p] of model.namedParameters()) expect(p.data.every(Number.isFinite)).toBe(true);
  });

  it("by default a non-finite loss rejects fit with a NonFiniteLossError that names the step and carries the history", async () => {
    const { data: { x, y }, model } = diverging();
    const trainer = new Trainer();
    const events: EngineEvent[] = [];
    trainer.events$.subscribe((e) => events.push(e));
    const err = await trainer.fit(model, { x, y }, { loss: 'mse', batchSize: 8, placement: inline(), optimizer: { name: 'sgd', options: { lr: 10 } }, epochs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    const e = err as NonFiniteLossError;
    const ev = events.find((v) => v.type === 'nonfinite') as Extract<EngineEvent, { type: 'nonfinite' }>;
    expect(e.step).toBe(ev.step);
    expect(e.message).toMatch(new RegExp(`^fit: the ${ev.what} of step ${ev.step} is (-?Infinity|NaN); training stopped with the parameters of step ${ev.step - 1}\\.`));
    expect(e.history.stopReason).toBe(`non-finite ${ev.what} at step ${ev.step}`);
    expect(e.history.steps).toBe(ev.step);
    expect(e.history.epochs).toEqual(Array.from({ length: Math.floor(ev.step / 4) }, (_, i) => i));
    expect(events.at(-1)).toMatchObject({ type: 'run', phase: 'end', reason: e.history.stopReason });
  });
});

describe('default learning rates', () => {
  it("the engine on its own (no schedule, no lr) steps with the optimiser's default too", async () => {
    const engine = await createEngine({ model: net(9), loss: 'crossEntropy', optimizer: { name: 'rmsprop', options: {} }, placement: inline() });
    try {
      const d = spirals(9);
      const r = await engine.step({ x: d.x.narrow(0, 0, 16), y: d.y.narrow(0, 0, 16) });
      expect(r.lr).toBe(1e-2);
    } finally {
      await engine.close();
    }
  });

  it.each([
    ['rmsprop', 1e-2],
    ['adagrad', 1e-2],
    ['adamax', 2e-3],
    ['adadelta', 1],
  ] as const)('%s without lr trains with PyTorch\'s default %s, bit for bit as with it given', async (name, lr) => {
    const implicit = net(9);
    const given = net(9);
    const o = { ...base, epochs: 2 };
    const h = await new Trainer().fit(implicit, spirals(9), { ...o, optimizer: name });
    await new Trainer().fit(given, spirals(9), { ...o, optimizer: { name, options: { lr } } });
    expect(h.metrics.lr).toEqual([lr, lr]);
    expect(paramBytes(implicit).equals(paramBytes(given))).toBe(true);
  });
});

describe('Trainer.evaluate and predict', () => {
  it('evaluate computes the mean loss and accuracy in eval mode; predict returns every row', () => {
    const model = net(6);
    const d = spirals(6);
    const t = new Trainer();
    const r = t.evaluate(model, d, { loss: 'crossEntropy', metrics: ['accuracy', 'topK:2'], batchSize: 64 });
    const p = t.predict(model, d.x, { batchSize: 64 });
    expect(p.shape).toEqual([200, 2]);
    const labels = d.y.data;
    let hits = 0;
    for (let i = 0; i < 200; i++) hits += Number((p.data[2 * i + 1]! > p.data[2 * i]! ? 1 : 0) === labels[i]);
    expect(r.accuracy).toBeCloseTo(hits / 200, 12);
    expect(r['topK:2']).toBe(1);
    const logits = p as Tensor;
    expect(r.loss).toBeGreaterThan(0);
    expect(logits.data.every(Number.isFinite)).toBe(true);
  });
});

describe('MetricAccumulator', () => {
  it("computes a batch's loss from the predictions, or takes the sum the caller has; the metrics either way", () => {
    const pred = tensor([[2, 0], [0, 1], [1, 3], [5, 4]]);
    const target = tensor([0, 1, 0, 1]);
    const computed = new MetricAccumulator('crossEntropy', ['accuracy']);
    computed.add(pred, target);
    const given = new MetricAccumulator('crossEntropy', ['accuracy']);
    given.add(pred, target, 10);
    // Mean cross-entropy of the four rows: log(1 + e^-2), log(1 + e^-1), log(1 + e^2), log(1 + e^1).
    const ce = [-2, -1, 2, 1].reduce((a, z) => a + Math.log1p(Math.exp(z)), 0) / 4;
    expect(computed.result().loss).toBeCloseTo(ce, 6);
    expect(given.result().loss).toBe(10 / 4);
    expect(computed.result().accuracy).toBe(0.5);
    expect(given.result().accuracy).toBe(0.5);
  });
});
