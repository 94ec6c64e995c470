import { describe, expect, it } from 'vitest';
import { Rng, tensor } from '../index.js';
import { MinMaxScaler } from './min-max-scaler.js';
import type { Preprocessor } from './preprocessor.js';
import { StandardScaler } from './standard-scaler.js';
import { ZCAWhitening } from './zca-whitening.js';

/** The contract every preprocessing step keeps, run over all of them. */
const steps: [string, () => Preprocessor<unknown>, (s: never) => Preprocessor<unknown>][] = [
  ['MinMaxScaler', () => new MinMaxScaler(), MinMaxScaler.fromState],
  ['StandardScaler', () => new StandardScaler(), StandardScaler.fromState],
  ['ZCAWhitening', () => new ZCAWhitening(), ZCAWhitening.fromState],
];

const rng = new Rng(11);
const train = tensor(Array.from({ length: 64 }, () => [rng.normal(3, 2), rng.uniform(-1, 1), rng.normal()]), { dtype: 'float64' });
const test = tensor(Array.from({ length: 8 }, () => [rng.normal(3, 2), rng.uniform(-1, 1), rng.normal()]), { dtype: 'float64' });

describe.each(steps)('%s (Preprocessor contract)', (name, make, fromState) => {
  it('fit returns this; fitTransform = fit then transform; the input is not modified', () => {
    const p = make();
    const before = Array.from(train.data);
    expect(p.fit(train)).toBe(p);
    const a = p.transform(test);
    expect(Array.from(make().fitTransform(train).data)).toEqual(Array.from(p.transform(train).data));
    expect(Array.from(train.data)).toEqual(before);
    expect(a.shape).toEqual([8, 3]);
    expect(a.requiresGrad).toBe(false);
  });

  it('transform uses only the training statistics: refitting on other data changes the result', () => {
    const p = make().fit(train);
    const q = make().fit(test);
    expect(Array.from(p.transform(test).data)).not.toEqual(Array.from(q.transform(test).data));
  });

  it('keeps the dtype and round-trips through inverseTransform in float32', () => {
    const p = make().fit(train.cast('float32'));
    const t32 = test.cast('float32');
    const out = p.transform(t32);
    expect(out.dtype).toBe('float32');
    const back = p.inverseTransform(out);
    expect(back.dtype).toBe('float32');
    back.data.forEach((v, k) => expect(Math.abs(v - t32.data[k]!)).toBeLessThan(1e-5));
  });

  it('state() survives JSON and fromState gives the same map', () => {
    const p = make().fit(train);
    const r = fromState(JSON.parse(JSON.stringify(p.state())) as never);
    expect(r.fitted).toBe(true);
    expect(Array.from(r.transform(test).data)).toEqual(Array.from(p.transform(test).data));
    expect(() => fromState({ kind: 'Nope' } as never)).toThrow(`${name}.fromState: expected state.kind "${name}", got "Nope"`);
    expect(() => fromState(null as never)).toThrow(`${name}.fromState: expected a state object, got null`);
  });

  it('names itself in errors: transform before fit, inverse before fit, wrong feature count, not a tensor', () => {
    expect(() => make().transform(test)).toThrow(`${name}.transform: not fitted`);
    expect(() => make().inverseTransform(test)).toThrow(`${name}.inverseTransform: not fitted`);
    const p = make().fit(train);
    expect(() => p.transform(tensor([[1, 2, 3, 4]]))).toThrow(`${name}.transform: expected 3 features, got 4`);
    expect(() => p.fit([[1, 2]] as never)).toThrow(`${name}.fit: expected a Tensor, got an array`);
  });
});
