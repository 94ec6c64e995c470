import { describe, expect, it } from 'vitest';
import { FIT_OPTION_KEYS, parseEvaluateOptions, parseFitOptions, parsePredictOptions } from './fit-options.js';
import { nearest } from './option-errors.js';

const base = { loss: 'mse', epochs: 2, batchSize: 4 };

describe('parseFitOptions', () => {
  it('knows every key of FitOptions, including those other branches are adding', () => {
    expect([...FIT_OPTION_KEYS].sort()).toEqual(
      ['loss', 'optimizer', 'schedule', 'epochs', 'batchSize', 'validationData', 'validationSplit', 'metrics', 'callbacks', 'placement', 'seed', 'shuffle', 'clipNorm', 'signal', 'resume', 'checkpointWriter', 'onNonFinite', 'stopOnSignals', 'verbose'].sort(),
    );
  });

  it("normalises optimizer: 'adam' to {name: 'adam', options: {}} and leaves the caller's object alone", () => {
    const input = { ...base, optimizer: 'adam' };
    expect(parseFitOptions(input).optimizer).toEqual({ name: 'adam', options: {} });
    expect(input.optimizer).toBe('adam');
    expect(parseFitOptions({ ...base, optimizer: { name: 'sgd' } }).optimizer).toEqual({ name: 'sgd', options: {} });
    expect(parseFitOptions({ ...base, optimizer: { name: 'sgd', options: { lr: 0.1, momentum: 0.9 } } }).optimizer).toEqual({ name: 'sgd', options: { lr: 0.1, momentum: 0.9 } });
  });

  it('keeps callbacks, signals and placements as the same objects (checked by shape, not copied)', () => {
    const signal = new AbortController().signal;
    const cb = { name: 'x', onEpochEnd: () => undefined };
    const placement = { kind: 'inline' as const, shards: 2 };
    const o = parseFitOptions({ ...base, optimizer: 'sgd', signal, callbacks: [cb], placement });
    expect(o.signal).toBe(signal);
    expect(o.callbacks![0]).toBe(cb);
    expect(o.placement).toBe(placement);
  });

  it('checks schedules inside linearWarmup too', () => {
    expect(() => parseFitOptions({ ...base, optimizer: 'sgd', schedule: { name: 'linearWarmup', args: [{ name: 'stepLR', args: [0.1, { stepsize: 3 }] }, 5] } })).toThrow(
      "fit: unknown option 'stepsize' in schedule.args[0].args[1] (stepLR); did you mean 'stepSize'? valid: stepSize, gamma",
    );
  });
});

describe('evaluate and predict options', () => {
  it('default what is left out', () => {
    expect(parseEvaluateOptions({ loss: 'mae' })).toEqual({ loss: 'mae' });
    expect(parsePredictOptions(undefined)).toEqual({});
    expect(parsePredictOptions({ returns: 'classes', batchSize: 3 })).toEqual({ returns: 'classes', batchSize: 3 });
  });
});

describe('nearest', () => {
  it.each([
    ['momentun', ['lr', 'momentum'], 'momentum'],
    ['learningRate', ['lr', 'momentum'], 'lr'],
    ['learning_rate', ['lr', 'momentum'], 'lr'],
    ['weight_decay', ['lr', 'weightDecay'], 'weightDecay'],
    ['BatchSize', ['batchSize', 'epochs'], 'batchSize'],
    ['alpha', ['lr', 'alpha'], 'alpha'],
    ['alpha', ['lr', 'betas'], 'lr'],
    ['zzz', ['lr', 'betas'], null],
    ['e', ['lr', 'eps'], null],
  ] as const)('%s among %j → %s', (typed, valid, want) => {
    expect(nearest(typed, valid)).toBe(want);
  });
});
