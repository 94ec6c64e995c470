import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpecFileError, readSpecFile } from '../../src/spec/index.js';
import { FIXTURES } from './setup-tmp.js';

const dir = mkdtempSync(join(tmpdir(), 'actorgrad-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const failure = async (p: string) => {
  try {
    await readSpecFile(p);
  } catch (e) {
    return e as SpecFileError;
  }
  throw new Error('expected readSpecFile to fail');
};

describe('readSpecFile', () => {
  it('reads JSON and YAML into the same document', async () => {
    const json = await readSpecFile(join(FIXTURES, 'xor.json'));
    const yaml = file('xor.yml', 'name: xor-mlp\nmodel:\n  layers:\n    - { type: Linear, args: { inFeatures: 2, outFeatures: 8 } }\n    - { type: Activation, args: { kind: tanh } }\n    - { type: Linear, args: { inFeatures: 8, outFeatures: 1 } }\ndata: { source: xor }\nloss: bceWithLogits\noptimizer: { name: adam, options: { lr: 0.05 } }\nepochs: 3\nbatchSize: 4\nseed: 1\n');
    expect(await readSpecFile(yaml)).toEqual(json);
    expect(json).toEqual(JSON.parse(readFileSync(join(FIXTURES, 'xor.json'), 'utf8')));
  });

  it('names the file, line and column of a YAML syntax error', async () => {
    const p = file('bad.yaml', 'name: x\nmodel:\n  layers: [\n    { type: Linear\nepochs: 3\n');
    const e = await failure(p);
    expect(e).toBeInstanceOf(SpecFileError);
    expect(e.file).toBe(p);
    expect([e.line, e.column]).toEqual([5, 1]);
    expect(e.message).toMatch(new RegExp(`^${p}:5:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }$`));
  });

  it('refuses a duplicated YAML key, naming its line', async () => {
    const e = await failure(file('dup.yaml', 'name: a\nepochs: 1\nname: b\n'));
    expect(e.line).toBe(3);
    expect(e.message).toBe(`${join(dir, 'dup.yaml')}:3:1: invalid YAML: Map keys must be unique`);
  });

  it('names the file, line and column of a JSON syntax error', async () => {
    const p = file('bad.json', '{\n  "name": "x",\n  "epochs": 3,,\n}\n');
    const e = await failure(p);
    expect([e.line, e.column]).toEqual([3, 15]);
    expect(e.message).toMatch(new RegExp(`^${p}:3:15: invalid JSON: `));
  });

  it('refuses other extensions and missing files, naming them', async () => {
    const txt = await failure(file('job.txt', '{}'));
    expect(txt.message).toBe(`${join(dir, 'job.txt')}: expected a .json, .yaml or .yml file, got '.txt'`);
    const missing = await failure(join(dir, 'none.json'));
    expect(missing.message).toBe(`${join(dir, 'none.json')}: cannot read the file: ENOENT`);
  });
});
