import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { type ModuleSpec, nn } from '@actorgrad/core';
import { optimizerPath } from '../trainer/callbacks/model-checkpoint.js';
import type { EpochPosition, FitOptions, TrainingState } from '../trainer/trainer.js';
import { type WriteFileAtomicOptions, writeFileAtomic } from './atomic-write.js';
import { type DecodedSafetensors, encodeSafetensors, loadSafetensors, tensorsFromCore, toCoreTensors } from './safetensors.js';
import { stateFromSafetensors, stateToSafetensors } from './state-tree.js';

export const CHECKPOINT_FORMAT = 'actorgrad.checkpoint/1';

/** The training configuration a checkpoint carries, enough to continue the run. */
export interface CheckpointConfig {
  loss: FitOptions['loss'];
  optimizer: FitOptions['optimizer'];
  schedule: FitOptions['schedule'] | null;
  batchSize: number;
  epochs: number;
  seed: number;
  metrics: NonNullable<FitOptions['metrics']>;
  clipNorm: number | null;
}

export interface Checkpoint {
  /** The model rebuilt from its spec, with the saved weights. */
  model: nn.Sequential;
  /** Pass as `resume` to `Trainer.fit` to continue exactly where the run stopped. */
  state: TrainingState;
  config: CheckpointConfig;
  /**
   * Everything `Trainer.fit` needs to continue the run exactly: the saved configuration plus
   * `resume`. Add the data-independent rest (`placement`, `callbacks`, a larger `epochs`):
   * `trainer.fit(ck.model, data, {...ck.fitOptions, epochs: 10, placement})`.
   */
  fitOptions: FitOptions;
  /** The weights file's `__metadata__` as written. */
  metadata: Record<string, string>;
}

/**
 * Writes a checkpoint as two safetensors files: the weights at `path`, under PyTorch's names and
 * layouts (`0.weight` [out, in], `0.bias`, … — `safetensors.torch.load_file` + `load_state_dict`
 * work on the equivalent `torch.nn.Sequential`), with the model spec, the training position,
 * the optimiser and schedule configuration and the random state in `__metadata__`; and the
 * optimiser state (and the callbacks' memory) in `x.optim.safetensors` beside it.
 *
 * Both files carry one checkpoint id. The optimiser file is staged (`….next`, atomically) before
 * the weights replace the old ones atomically, then renamed into place: any error before that
 * leaves the previous checkpoint whole, and a crash between the two renames is repaired on load.
 */
export async function saveCheckpoint(
  path: string,
  ctx: { model: nn.Sequential; state: TrainingState; options: FitOptions },
  /** @internal test hook for the weights write (see `writeFileAtomic`). */
  testHooks: { weights?: WriteFileAtomicOptions } = {},
): Promise<void> {
  const { model, state, options } = ctx;
  const id = `${state.step}-${randomBytes(8).toString('hex')}`;
  const config: CheckpointConfig = {
    loss: options.loss,
    optimizer: options.optimizer,
    schedule: options.schedule ?? null,
    batchSize: options.batchSize,
    epochs: options.epochs,
    seed: options.seed ?? 0,
    metrics: options.metrics ?? [],
    clipNorm: options.clipNorm ?? null,
  };
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    checkpoint_id: id,
    model_spec: JSON.stringify(model.spec()),
    epoch: String(state.epoch),
    step: String(state.step),
    config: JSON.stringify(config),
    // Every random number of a run derives from the seed and the counters: dropout masks from
    // (seed, step, layer, shard), the data order from (seed, epoch).
    random_state: JSON.stringify({ seed: config.seed, epoch: state.epoch, step: state.step }),
    // Inside an epoch: the batches done and the epoch's running sums (null at an epoch's start).
    position: JSON.stringify(state.position ?? null),
    lr_override: JSON.stringify(state.lrOverride),
    history: JSON.stringify(state.history),
  };
  // Encode both first: a bad value fails here, before any file is touched.
  const weights = encodeSafetensors(tensorsFromCore(model.parameters()), metadata);
  const optim = stateToSafetensors(
    { optimizer: state.optimizerStates, callbacks: state.callbacks },
    { format: CHECKPOINT_FORMAT, checkpoint_id: id, ...(state.optimizerChunk !== undefined && { optimizer_chunk: String(state.optimizerChunk) }) },
  );
  const optPath = optimizerPath(path);
  const staged = `${optPath}.next`;
  await writeFileAtomic(staged, optim);
  try {
    await writeFileAtomic(path, weights, testHooks.weights);
  } catch (e) {
    await rm(staged, { force: true });
    throw e;
  }
  await rename(staged, optPath);
}

function fail(path: string, problem: string): never {
  throw new Error(`loadCheckpoint(${path}): ${problem}`);
}

function parse<T>(path: string, meta: Record<string, string>, key: string): T {
  const raw = meta[key];
  if (raw === undefined) fail(path, `__metadata__ has no '${key}'`);
  try {
    return JSON.parse(raw) as T;
  } catch {
    return fail(path, `__metadata__ '${key}' is not valid JSON`);
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Reads a checkpoint written by `saveCheckpoint`: rebuilds the model from its spec and loads the
 * weights, and returns the training state to pass as `resume`. A truncated or corrupted file, or
 * an optimiser file that belongs to another checkpoint, is refused with an error naming the file.
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  const weights = await loadSafetensors(path);
  const meta = weights.metadata;
  if (meta.format !== CHECKPOINT_FORMAT) fail(path, `not an actorgrad checkpoint (format ${JSON.stringify(meta.format)}, expected '${CHECKPOINT_FORMAT}')`);
  const id = meta.checkpoint_id;
  const optPath = optimizerPath(path);
  let optim: DecodedSafetensors = await loadSafetensors(optPath);
  if (optim.metadata.checkpoint_id !== id) {
    // A crash between the two renames: the staged optimiser file is the one that matches.
    const staged = `${optPath}.next`;
    const next = (await exists(staged)) ? await loadSafetensors(staged) : null;
    if (next?.metadata.checkpoint_id !== id) {
      fail(optPath, `optimiser state belongs to checkpoint ${optim.metadata.checkpoint_id}, but the weights are checkpoint ${id}`);
    }
    await rename(staged, optPath);
    optim = next;
  }
  const spec = parse<ModuleSpec>(path, meta, 'model_spec');
  const model = nn.moduleFromSpec(spec);
  if (!(model instanceof nn.Sequential)) fail(path, `model spec is a ${spec.type}, expected a Sequential`);
  const tensors = toCoreTensors(weights);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    fail(path, `weights do not fit the model spec: ${(e as Error).message}`);
  }
  const { state: extra } = stateFromSafetensors<{ optimizer: unknown[]; callbacks: Record<string, unknown> }>(optim, optPath);
  const chunkMeta = optim.metadata.optimizer_chunk;
  const optimizerChunk = chunkMeta === undefined ? undefined : Number(chunkMeta);
  if (optimizerChunk !== undefined && !(Number.isInteger(optimizerChunk) && optimizerChunk > 0)) fail(optPath, `__metadata__ 'optimizer_chunk' must be a positive integer, got ${JSON.stringify(chunkMeta)}`);
  const state: TrainingState = {
    epoch: Number(meta.epoch),
    step: Number(meta.step),
    optimizerStates: extra.optimizer,
    // Absent in checkpoints written before the chunk size was recorded (they used 65 536).
    ...(optimizerChunk !== undefined && { optimizerChunk }),
    // Absent in checkpoints written before positions were recorded (always at an epoch's start).
    position: meta.position === undefined ? null : parse<EpochPosition | null>(path, meta, 'position'),
    lrOverride: parse<number | null>(path, meta, 'lr_override'),
    callbacks: extra.callbacks,
    history: parse(path, meta, 'history'),
  };
  if (!Number.isInteger(state.epoch) || !Number.isInteger(state.step)) fail(path, `bad training position epoch=${meta.epoch}, step=${meta.step}`);
  const config = parse<CheckpointConfig>(path, meta, 'config');
  const fitOptions: FitOptions = {
    loss: config.loss,
    optimizer: config.optimizer,
    ...(config.schedule && { schedule: config.schedule }),
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    metrics: config.metrics,
    clipNorm: config.clipNorm,
    resume: state,
  };
  return { model, state, config, fitOptions, metadata: meta };
}
