import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFitOptions } from '@actorgrad/runtime';
import { describe, expect, it } from 'vitest';
import { DATA_SOURCES, LAYER_TYPES, SCHEDULE_NAMES, jobSpecJsonSchema, specReference } from '../../src/spec/index.js';

describe('jobSpecJsonSchema', () => {
  const schema = jobSpecJsonSchema() as { $schema: string; required: string[]; properties: Record<string, { description?: string }> };

  it('is a draft 2020-12 object schema whose required fields are the spec’s', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['name', 'model', 'data', 'loss', 'optimizer', 'epochs', 'batchSize']);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('describes every top-level field', () => {
    const undocumented = Object.entries(schema.properties).filter(([, p]) => !p.description).map(([k]) => k);
    expect(undocumented).toEqual([]);
  });

  it('lists each layer type and data source as a variant', () => {
    const text = JSON.stringify(schema);
    for (const t of LAYER_TYPES) expect(text).toContain(`"const":"${t}"`);
    for (const s of DATA_SOURCES) expect(text).toContain(`"const":"${s}"`);
  });
});

describe('SCHEDULE_NAMES', () => {
  const message = (schedule: unknown) => {
    try {
      parseFitOptions({ loss: 'mse', optimizer: 'sgd', epochs: 1, batchSize: 1, schedule } as never);
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('are exactly the names the runtime’s schedule check knows', () => {
    const listed = /must be one of (.*), got/.exec(message({ name: 'nope', args: [] }))?.[1];
    expect(listed?.split(', ').map((n) => n.replace(/'/g, ''))).toEqual([...SCHEDULE_NAMES]);
  });
});

describe('SPEC.md', () => {
  it('is the output of specReference() (regenerate: npx tsx --conditions=@actorgrad/source src/spec/write-reference.ts)', () => {
    expect(readFileSync(join(import.meta.dirname, '..', '..', 'SPEC.md'), 'utf8')).toBe(specReference());
  });

  it('has a section for every variant and a row for every field', () => {
    const md = specReference();
    for (const s of DATA_SOURCES) expect(md).toContain(`### \`$.data (source: "${s}")\``);
    for (const t of LAYER_TYPES) expect(md).toContain(`### \`$.model.layers[] (type: "${t}")\``);
    for (const k of ['everySteps', 'everyEpochs', 'keep', 'best', 'restoreBestWeights', 'featureRange', 'validationSplit']) expect(md).toContain(`| \`${k}\` |`);
  });
});
