import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
const file = new URL('../.readme-snippet.test-run.ts', import.meta.url);

describe('README tour', () => {
  afterAll(() => rmSync(file, { force: true }));

  it('runs and prints what its comments say', async () => {
    expect(snippet).toBeTruthy();
    writeFileSync(file, snippet!);
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => JSON.stringify(a)).join(' '));
    });
    try {
      await import(file.href);
    } finally {
      spy.mockRestore();
    }
    // Each `console.log(...) // expected` comment of the snippet, in order.
    const expected = [...snippet!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]!.replace(/ /g, ''));
    expect(expected.length).toBeGreaterThan(3);
    expect(lines.map((l) => l.replace(/ /g, ''))).toEqual(expected);
  });
});
