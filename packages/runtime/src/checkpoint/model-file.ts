import { type ModuleSpec, type Tensor, nn } from '@actorgrad/core';
import { FileFormatError, encodeSafetensors, loadSafetensors, saveSafetensors, tensorsFromCore, toCoreTensors } from '@actorgrad/io';
import { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_1 } from './checkpoint.js';

/** The `format` of a file written by {@link saveModel}. */
export const MODEL_FORMAT = 'actorgrad.model/1';

/** The formats {@link loadModel} reads: a model file and a training checkpoint's weights file (either version). */
const READABLE = [MODEL_FORMAT, CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_1];

/**
 * Writes a model for inference as one safetensors file, atomically: the weights under PyTorch's
 * names and layouts (`0.weight` [out, in], `0.bias`, …, as `saveCheckpoint` writes them) and the
 * architecture (`model.spec()`) as JSON in `__metadata__.model_spec`, with `format`
 * `actorgrad.model/1`, and a checksum of every tensor and of the header, verified on load (see
 * `encodeSafetensors`). No optimiser state: to continue training exactly, use `saveCheckpoint`.
 *
 * A function rather than Keras's `model.save(path)`: the model classes live in `@actorgrad/core`,
 * which runs in browsers and workers and imports no `node:` module; files belong to `@actorgrad/io`
 * and, for what needs the model classes and the trainer's formats, to the runtime.
 */
export async function saveModel(model: nn.Module, path: string): Promise<void> {
  const file = modelFile('saveModel', model);
  checkPath('saveModel', path);
  await saveSafetensors(path, file.tensors, file.metadata, { checksums: true });
}

/**
 * The bytes {@link saveModel} writes, in memory: for sending a model (a server's download) rather
 * than writing it to a file.
 */
export function encodeModel(model: nn.Module): Uint8Array {
  const file = modelFile('encodeModel', model);
  return encodeSafetensors(file.tensors, file.metadata, { checksums: true });
}

/** The weights under PyTorch's names and the `__metadata__` of a model file. */
function modelFile(fn: string, model: nn.Module) {
  if (!(model instanceof nn.Module)) throw new TypeError(`${fn}: model must be an nn.Module, got ${model === undefined ? 'nothing' : typeof model}`);
  return { tensors: tensorsFromCore(model.parameters()), metadata: { format: MODEL_FORMAT, model_spec: JSON.stringify(model.spec()) } };
}

/**
 * Reads a model written by {@link saveModel}, or the weights file of a training checkpoint
 * (`modelCheckpoint`'s `best.safetensors`; its optimiser file is not read): rebuilds the
 * architecture from the spec (`nn.moduleFromSpec`), loads the weights bit for bit and returns the
 * model in evaluation mode. A file without a spec (from PyTorch or another tool) is refused with
 * an error that says how to load its weights into a model built in code.
 */
export async function loadModel(path: string): Promise<nn.Module> {
  checkPath('loadModel', path);
  const fail = (problem: string, cause?: unknown): never => {
    throw new FileFormatError('loadModel', path, problem, { cause });
  };
  const file = await loadSafetensors(path);
  const { format, model_spec: rawSpec } = file.metadata;
  if (rawSpec === undefined) {
    fail(
      `no model spec in __metadata__ (format ${JSON.stringify(format ?? null)}), so the architecture is unknown: a file written by another tool holds weights only; build the model in code and load them with \`model.loadStateDict(toCoreTensors(await loadSafetensors(path)))\` (both from @actorgrad/io)`,
    );
  }
  if (format === undefined || !READABLE.includes(format)) {
    fail(`format ${JSON.stringify(format ?? null)} is not one this version reads (expected ${READABLE.map((f) => `'${f}'`).join(' or ')})`);
  }
  let spec: ModuleSpec;
  try {
    spec = JSON.parse(rawSpec) as ModuleSpec;
  } catch {
    return fail(`__metadata__ 'model_spec' is not valid JSON`);
  }
  let model: nn.Module;
  try {
    model = nn.moduleFromSpec(spec);
  } catch (e) {
    return fail(`cannot rebuild the model from its spec: ${(e as Error).message}`, e);
  }
  loadWeights(model, toCoreTensors(file), fail);
  return model.eval();
}

/** Copies the file's tensors into the model, refusing a dtype, shape or name that does not match. */
function loadWeights(model: nn.Module, tensors: Record<string, Tensor>, fail: (problem: string, cause?: unknown) => never): void {
  const own = model.parameters();
  for (const [name, t] of Object.entries(tensors)) {
    const p = own[name];
    if (p && p.dtype !== t.dtype) fail(`weight '${name}' is ${t.dtype} but the model spec makes it ${p.dtype}`);
  }
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    fail(`weights do not fit the model spec: ${(e as Error).message}`, e);
  }
}

function checkPath(fn: string, path: unknown): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${fn}: path must be a non-empty string, got ${path === undefined ? 'nothing' : JSON.stringify(path)}`);
}
