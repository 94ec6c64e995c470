import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, data, nn, randn } from '@actorgrad/core';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../test/temp-dirs.js';
import { Trainer } from '../trainer/trainer.js';
import { inline } from '../main/placement.js';
import { modelCheckpoint } from '../trainer/callbacks/model-checkpoint.js';
import { MODEL_FORMAT, encodeModel, loadModel, saveModel } from './model-file.js';
import { CHECKSUMS_KEY, saveSafetensors, tensorsFromCore } from '@actorgrad/io';

afterAll(removeTempDirs);

const tmp = () => tempDir('actorgrad-model-');

function net(seed: number, dtype: 'float32' | 'float64' = 'float32') {
  const rng = new Rng(seed);
  return new nn.Sequential(new nn.Linear(3, 8, { rng, dtype }), nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(8, 2, { rng, dtype }), nn.Softmax());
}

function bytesOf(model: nn.Module): Buffer {
  return Buffer.concat(model.namedParameters().map(([, p]) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)));
}

function header(path: string): Record<string, { shape?: number[] } & Record<string, unknown>> {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  return JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
}

describe('saveModel / loadModel', () => {
  it('a model file carries checksums: a flipped bit in a weight is refused, naming the file and the tensor', async () => {
    const path = join(tmp(), 'model.safetensors');
    await saveModel(net(2), path);
    const bytes = readFileSync(path);
    bytes[bytes.length - 3]! ^= 0x10;
    writeFileSync(path, bytes);
    await expect(loadModel(path)).rejects.toThrow(new RegExp(`^loadSafetensors\\(${path.replace(/[.]/g, '\\.')}\\): tensor "[0-9.a-z]+": checksum mismatch`));
  });

  it('round-trips the architecture and the weights bit for bit, PyTorch names and layouts, in eval mode', async () => {
    const path = join(tmp(), 'model.safetensors');
    const model = net(1);
    await saveModel(model, path);
    const h = header(path);
    const { [CHECKSUMS_KEY]: sums, ...meta } = h.__metadata__ as Record<string, string>;
    expect(meta).toEqual({ format: MODEL_FORMAT, model_spec: JSON.stringify(model.spec()) });
    expect(Object.keys(JSON.parse(sums!).tensors).sort()).toEqual(['0.bias', '0.weight', '3.bias', '3.weight']);
    expect(Object.keys(h).filter((k) => k !== '__metadata__').sort()).toEqual(['0.bias', '0.weight', '3.bias', '3.weight']);
    expect(h['0.weight']!.shape).toEqual([8, 3]);
    const loaded = await loadModel(path);
    expect(loaded.spec()).toEqual(model.spec());
    expect(bytesOf(loaded).equals(bytesOf(model))).toBe(true);
    expect(loaded.training).toBe(false);
    expect((loaded as nn.Sequential).layers[2]!.training).toBe(false);
    const x = randn([5, 3], { rng: new Rng(2) });
    expect(loaded.forward(x).toArray()).toEqual(model.eval().forward(x).toArray());
  });

  it('encodeModel gives the bytes saveModel writes, and refuses what is not a model', async () => {
    const path = join(tmp(), 'model.safetensors');
    const model = net(4);
    await saveModel(model, path);
    expect(Buffer.compare(Buffer.from(encodeModel(model)), readFileSync(path))).toBe(0);
    expect(() => encodeModel({} as nn.Module)).toThrow('encodeModel: model must be an nn.Module, got object');
  });

  it('keeps float64 weights float64', async () => {
    const path = join(tmp(), 'model.safetensors');
    const model = net(3, 'float64');
    await saveModel(model, path);
    const loaded = await loadModel(path);
    expect(loaded.parameters()['0.weight']!.dtype).toBe('float64');
    expect(bytesOf(loaded).equals(bytesOf(model))).toBe(true);
  });

  it('writes atomically: no temporary file is left beside the model', async () => {
    const dir = tmp();
    await saveModel(net(1), join(dir, 'm.safetensors'));
    await saveModel(net(2), join(dir, 'm.safetensors'));
    expect(readdirSync(dir)).toEqual(['m.safetensors']);
    expect(bytesOf(await loadModel(join(dir, 'm.safetensors'))).equals(bytesOf(net(2)))).toBe(true);
  });

  it("loads the weights file of modelCheckpoint's training checkpoint", async () => {
    const dir = tmp();
    const s = data.twoSpirals({ n: 80, noise: 0.05, seed: 1 });
    const rng = new Rng(4);
    const model = new nn.Sequential(new nn.Linear(2, 8, { rng }), nn.Tanh(), new nn.Linear(8, 2, { rng }));
    await new Trainer().fit(model, { x: s.x, y: s.y.reshape([-1]) }, {
      loss: 'crossEntropy',
      optimizer: { name: 'adam', options: { lr: 0.02 } },
      epochs: 2,
      batchSize: 40,
      placement: inline(),
      callbacks: [modelCheckpoint({ path: join(dir, 'last.safetensors'), every: 2 })],
    });
    const loaded = await loadModel(join(dir, 'last.safetensors'));
    expect(loaded.spec()).toEqual(model.spec());
    expect(bytesOf(loaded).equals(bytesOf(model))).toBe(true);
  });

  it('refuses a weights-only file from another tool, saying what to do instead', async () => {
    const path = join(tmp(), 'torch.safetensors');
    await saveSafetensors(path, tensorsFromCore(net(1).parameters()), { format: 'pt' });
    await expect(loadModel(path)).rejects.toThrow(`loadModel(${path}): no model spec in __metadata__ (format "pt")`);
    await expect(loadModel(path)).rejects.toThrow('build the model in code and load them with `model.loadStateDict(');
  });

  it('refuses an unknown format, a bad spec and weights that do not fit the spec, naming the file', async () => {
    const dir = tmp();
    const params = tensorsFromCore(net(1).parameters());
    const spec = JSON.stringify(net(1).spec());
    await saveSafetensors(join(dir, 'a'), params, { format: 'actorgrad.model/9', model_spec: spec });
    await expect(loadModel(join(dir, 'a'))).rejects.toThrow(`loadModel(${join(dir, 'a')}): format "actorgrad.model/9" is not one this version reads (expected 'actorgrad.model/1' or 'actorgrad.checkpoint/2' or 'actorgrad.checkpoint/1')`);
    await saveSafetensors(join(dir, 'b'), params, { format: MODEL_FORMAT, model_spec: '{"type":"Conv9"}' });
    await expect(loadModel(join(dir, 'b'))).rejects.toThrow(/cannot rebuild the model from its spec: moduleFromSpec: unknown module type "Conv9"/);
    const other = new nn.Sequential(new nn.Linear(3, 4), nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(4, 2), nn.Softmax());
    await saveSafetensors(join(dir, 'c'), params, { format: MODEL_FORMAT, model_spec: JSON.stringify(other.spec()) });
    await expect(loadModel(join(dir, 'c'))).rejects.toThrow("weights do not fit the model spec: loadStateDict: '0.bias' expects shape [4], got [8]");
    const f64 = JSON.stringify(net(1, 'float64').spec());
    await saveSafetensors(join(dir, 'd'), params, { format: MODEL_FORMAT, model_spec: f64 });
    await expect(loadModel(join(dir, 'd'))).rejects.toThrow("weight '0.bias' is float32 but the model spec makes it float64");
  });
});
