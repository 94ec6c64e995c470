import { describe, expect, it } from 'vitest';
import { runXor } from '../src/xor.js';

describe('demo xor', () => {
  it('the 2-4-1 sigmoid network learns XOR', () => {
    const lines: string[] = [];
    const r = runXor({ seed: 0, epochs: 2000, log: (l) => lines.push(l) });
    expect(r.accuracy).toBe(1);
    expect(r.loss).toBeLessThan(0.01);
    expect(lines.at(-1)).toMatch(/accuracy 4\/4/);
  });
});
