import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRegularisation } from '../src/regularisation.js';

const out = mkdtempSync(join(tmpdir(), 'actorgrad-demo-regularisation-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo regularisation (lecture 003)', async () => {
  const r = await runRegularisation({ out, log: () => {} });

  it('without decay the 200-feature model fits its 20 samples and fails on the test set', () => {
    const none = r.decay[0]!;
    expect(none.lambda).toBe(0);
    expect(none.train).toBeLessThan(1e-4);
    expect(none.test).toBeGreaterThan(100 * none.train);
  });

  it('weight decay shrinks the weights, raises the training loss and lowers the test loss', () => {
    for (let i = 1; i < r.decay.length; i++) {
      expect(r.decay[i]!.norm).toBeLessThan(r.decay[i - 1]!.norm);
      expect(r.decay[i]!.train).toBeGreaterThan(r.decay[i - 1]!.train);
    }
    expect(Math.min(...r.decay.slice(1).map((d) => d.test))).toBeLessThan(r.decay[0]!.test / 5);
  });

  it('dropout raises the training loss and lowers the test loss of the MLP', () => {
    const [off, on] = r.dropout;
    expect(on!.train).toBeGreaterThan(off!.train);
    expect(on!.test).toBeLessThan(off!.test);
  });

  it('writes its figure', () => {
    expect(r.figures.map((f) => f.slice(out.length + 1))).toEqual(['weight-decay.svg']);
    expect(existsSync(r.figures[0]!)).toBe(true);
  });
});
