import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblems, parseJobSpec } from '../../src/spec/index.js';
import { CASES, base } from './malformed-cases.js';
import { makeTree } from './setup-tmp.js';

const tree = makeTree();
afterAll(() => tree.cleanup());

/** The spec with `<tmp>` put back to the temporary directory, and problems with it taken out again. */
const check = (spec: unknown) => {
  const real = JSON.parse(JSON.stringify(spec).replaceAll('<tmp>', tree.root));
  return parseJobSpec(real, { allowedDirs: [tree.allowed], baseDir: tree.allowed });
};
const untmp = (s: string) => s.replaceAll(tree.root, '<tmp>');

/** The nearest valid name each case's messages must suggest. */
const SUGGESTS: Record<string, string[]> = {
  'unknown top-level keys, with the nearest key': ['epochs'],
  'unknown layer type': ['Linear'],
  'unknown layer argument': ['outFeatures'],
  'unknown activation': ['relu'],
  'unknown optimiser name': ['adam'],
  'unknown optimiser in an object': ['rmsprop'],
  'unknown optimiser option and a bad one': ['momentum'],
  'unknown schedule': ['cosineAnnealingLR'],
  'schedule arguments of the wrong form': ['stepSize'],
  'unknown loss': ['crossEntropy'],
  'unknown placement name': ['inline'],
  'placement without its numbers': ['replicas'],
  'unknown data source': ['mnist'],
  'CSV columns not in the header': ['species', 'petal'],
  'callback options': ['patience'],
  'checkpoint policy': ['everyEpochs'],
  'preprocessing of an unknown kind': ['zca'],
  'many problems at once': ['seed'],
};

describe('parseJobSpec on malformed specs', () => {
  it('has at least 30 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  for (const c of CASES) {
    it(`${c.name}: lists every problem with its path, expected and found`, () => {
      const r = check(c.spec);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.problems.map((p) => [p.path, p.expected, p.found].map(untmp))).toEqual(c.problems);
      for (const p of r.problems) expect(p.message).toContain(p.path.replace(/\.[^.[]+$/, ''));
      const suggestions = r.problems.flatMap((p) => [...p.message.matchAll(/did you mean '([^']+)'/g)].map((m) => m[1]));
      expect(suggestions).toEqual(SUGGESTS[c.name] ?? []);
    });
  }

  it('accepts the base spec these cases change, and fills in the defaults', () => {
    const r = check(base());
    expect(r).toEqual({ ok: true, spec: { ...base(), validationSplit: 0, placement: 'inline', seed: 0 } });
  });

  it('formatProblems prints one line per problem: path, expected, found and the suggestion', () => {
    const r = check({ ...base(), optimizer: 'adma', epochs: -1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatProblems(r.problems)).toBe(
      [
        'the job spec has 2 problems:',
        "  $.optimizer: expected one of 'sgd', 'adam', 'adamw', 'adamax', 'nadam', 'radam', 'adagrad', 'adadelta', 'rmsprop'; found 'adma' (did you mean 'adam'?)",
        '  $.epochs: expected a positive integer; found -1',
      ].join('\n'),
    );
  });

  describe('paths that stay inside the allowed directories are accepted', () => {
    const spec = (path: string) => ({ ...base(), data: { source: 'csv', path, label: 'species', labels: 'category' }, loss: 'crossEntropy', model: { layers: [{ type: 'Linear', args: { inFeatures: 4, outFeatures: 2 } }] } });
    for (const path of ['flowers.csv', 'sub/../flowers.csv', 'sub/inside.csv', '<tmp>/allowed/flowers.csv', '<tmp>/allowed-link/flowers.csv']) {
      it(`${path}: accepted, returned as the real path that was checked`, () => {
        const r = check(spec(path));
        expect(r.ok && r.spec.data).toMatchObject({ source: 'csv', path: join(tree.allowed, 'flowers.csv') });
      });
    }
    it('an allowed directory given through a link', () => {
      const r = parseJobSpec(spec(join(tree.root, 'allowed', 'flowers.csv')), { allowedDirs: [join(tree.root, 'allowed-link')], baseDir: tree.root });
      expect(r.ok).toBe(true);
    });
  });
});
