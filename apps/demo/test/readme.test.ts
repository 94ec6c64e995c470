import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('README tour', () => {
  const files: URL[] = [];
  afterAll(() => {
    for (const f of files) rmSync(f, { force: true });
  });

  it('has three examples', () => {
    expect(snippets).toHaveLength(3);
  });

  it.each(snippets.map((s, i) => [i, s] as const))('example %i runs and prints what its comments say', async (i, snippet) => {
    const file = new URL(`../.readme-snippet-${i}.test-run.ts`, import.meta.url);
    files.push(file);
    writeFileSync(file, snippet);
    // The examples keep their checkpoints in folders of the OS temp dir, as a user would; the test
    // removes the folders each one made.
    const before = new Set(readdirSync(tmpdir()));
    onTestFinished(() => {
      for (const e of readdirSync(tmpdir())) if (!before.has(e)) rmSync(join(tmpdir(), e), { recursive: true, force: true });
    });
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
    const expected = [...snippet.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]!.replace(/ /g, ''));
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(lines.map((l) => l.replace(/ /g, ''))).toEqual(expected);
  });
});
