import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type ModuleSpec, nn } from '@actorgrad/core';
import {
  CHECKSUMS_KEY,
  type DecodedSafetensors,
  encodeSafetensors,
  flattenState,
  loadSafetensors,
  type SafetensorsTensorInput,
  STATE_SKELETON_KEY,
  stateFromSafetensors,
  tensorsFromCore,
  toCoreTensors,
  type WriteFileAtomicOptions,
  writeFileAtomic,
} from '@actorgrad/io';
import type { MetricName, RunConfig, ScheduleSpec, TrainingState } from '../run-state.js';
import { checkLoadArgs, checkSaveArgs, fail, json, nonNegativeInteger, readConfig, readHistory, readLrOverride, readPosition } from './checkpoint-fields.js';
import { optimizerPath } from './optimizer-path.js';
import { recoverCheckpoint } from './recover.js';

/** The format of the checkpoints written now: both files carry checksums (see `encodeSafetensors`). */
export const CHECKPOINT_FORMAT = 'actorgrad.checkpoint/2';
/** The format before checksums; still read, unverified. */
export const CHECKPOINT_FORMAT_1 = 'actorgrad.checkpoint/1';

/** The training configuration a checkpoint carries, enough to continue the run. */
export interface CheckpointConfig {
  loss: RunConfig['loss'];
  optimizer: RunConfig['optimizer'];
  schedule: ScheduleSpec | null;
  batchSize: number;
  epochs: number;
  seed: number;
  metrics: MetricName[];
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
  fitOptions: RunConfig & { resume: TrainingState };
  /** The weights file's `__metadata__` as written. */
  metadata: Record<string, string>;
}

/** @internal Test hooks of {@link saveCheckpoint}: pause or fail it at each point of its sequence. */
export interface SaveCheckpointTestHooks {
  /** For the write of the staged optimiser file (see `writeFileAtomic`). */
  optim?: WriteFileAtomicOptions;
  /** After the optimiser file is staged, before the weights are written. */
  staged?: () => void | Promise<void>;
  /** For the write of the weights (see `writeFileAtomic`). */
  weights?: WriteFileAtomicOptions;
  /** After the weights are renamed into place, before the staged optimiser file is. */
  beforeFinalRename?: () => void | Promise<void>;
}

/** What `saveCheckpoint` writes: `fit`'s options (`FitOptions`) are a `RunConfig`. */
type SaveContext = { model: nn.Sequential; state: TrainingState; options: RunConfig };

/**
 * Writes a checkpoint as two safetensors files: the weights at `path`, under PyTorch's names and
 * layouts (`0.weight` [out, in], `0.bias`, … — `safetensors.torch.load_file` + `load_state_dict`
 * work on the equivalent `torch.nn.Sequential`), with the model spec, the training position,
 * the optimiser and schedule configuration and the random state in `__metadata__`; and the
 * optimiser state (and the callbacks' memory) in `x.optim.safetensors` beside it. Both files carry
 * SHA-256 checksums of every tensor and of the header (`actorgrad.checksums`), checked on load.
 *
 * Both files carry one checkpoint id. The directory is created if missing; what a killed writer
 * left of this checkpoint is cleaned up first (see `recoverCheckpoint`). The optimiser file is
 * staged (`….next`, atomically, with the writer's pid) before the weights replace the old ones
 * atomically, then renamed into place: an error or a crash at any point leaves the previous
 * checkpoint or the new one loadable, whole (a crash between the two renames is finished on load).
 */
export async function saveCheckpoint(path: string, ctx: SaveContext, /** @internal */ testHooks: SaveCheckpointTestHooks = {}): Promise<void> {
  checkSaveArgs(path, ctx);
  const id = `${ctx.state.step}-${randomBytes(8).toString('hex')}`;
  // Encode both first: a bad value fails here, before any file is touched.
  const weights = encodeSafetensors(tensorsFromCore(ctx.model.parameters()), weightsMetadata(ctx, id), { checksums: true });
  const optim = encodeOptimizerFile(ctx.state, id);
  const optPath = optimizerPath(path);
  const staged = `${optPath}.next`;
  const step = async (what: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (e) {
      const err = new Error(`saveCheckpoint(${path}): ${what}: ${(e as Error).message}`, { cause: e });
      const code = (e as { code?: unknown }).code;
      throw typeof code === 'string' ? Object.assign(err, { code }) : err;
    }
  };
  await step(`cannot create the directory ${dirname(path)}`, () => mkdir(dirname(path), { recursive: true }).then(() => {}));
  await recoverCheckpoint(path);
  await step('cannot stage the optimiser state', () => writeFileAtomic(staged, optim, testHooks.optim));
  await testHooks.staged?.();
  await step('cannot write the weights', async () => {
    try {
      await writeFileAtomic(path, weights, testHooks.weights);
    } catch (e) {
      await rm(staged, { force: true });
      throw e;
    }
  });
  await testHooks.beforeFinalRename?.();
  await step('cannot move the optimiser state into place', () => rename(staged, optPath));
}

/** The weights file's `__metadata__`: every value a string (PyTorch's reader insists). */
function weightsMetadata({ model, state, options }: SaveContext, id: string): Record<string, string> {
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
  return {
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
}

/**
 * The optimiser file: the optimiser states and the callbacks' memory as a state tree (see
 * `stateToSafetensors`), with checksums, the checkpoint id and the writer's pid (`writer_pid`,
 * so that a reader can tell a staged file of a live writer from one a crash left behind).
 */
function encodeOptimizerFile(state: TrainingState, id: string): Uint8Array {
  const { tensors, skeleton } = flattenState({ optimizer: state.optimizerStates, callbacks: state.callbacks });
  const inputs: Record<string, SafetensorsTensorInput> = {};
  for (const [name, a] of Object.entries(tensors)) {
    const dtype = a instanceof Float64Array ? 'F64' : a instanceof Float32Array ? 'F32' : 'I32';
    Object.defineProperty(inputs, name, { value: { dtype, shape: [a.length], data: a }, enumerable: true });
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    checkpoint_id: id,
    writer_pid: String(process.pid),
    ...(state.optimizerChunk !== undefined && { optimizer_chunk: String(state.optimizerChunk) }),
    [STATE_SKELETON_KEY]: skeleton,
  };
  return encodeSafetensors(inputs, metadata, { checksums: true });
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Reads a checkpoint written by `saveCheckpoint`: rebuilds the model from its spec and loads the
 * weights, and returns the training state to pass as `resume`. First finishes or cleans up what a
 * killed writer left (see `recoverCheckpoint`). Both files' checksums are verified (files written
 * before checksums load unverified) and every metadata field is validated: a truncated or
 * corrupted file, a field that is missing or malformed, or an optimiser file that belongs to
 * another checkpoint is refused with a `FileFormatError` naming the file (and the tensor or field).
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  checkLoadArgs(path);
  await recoverCheckpoint(path);
  if (!(await exists(path))) fail(path, 'no checkpoint at this path (the weights file does not exist)');
  const weights = await loadSafetensors(path);
  const meta = weights.metadata;
  const id = checkFormat(path, meta);
  const { optim, optPath } = await loadOptimizerFile(path, id);
  const model = readModel(path, meta, weights);
  const state: TrainingState = {
    epoch: nonNegativeInteger(path, meta, 'epoch'),
    step: nonNegativeInteger(path, meta, 'step'),
    ...readOptimizerState(optPath, optim),
    position: readPosition(path, meta),
    lrOverride: readLrOverride(path, meta),
    history: readHistory(path, meta),
  };
  const config = readConfig(path, meta);
  const fitOptions: Checkpoint['fitOptions'] = {
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

/** Checks the format of a file's metadata (a current one must have checksums); returns its checkpoint id. */
function checkFormat(path: string, meta: Record<string, string>): string {
  const format = meta.format;
  if (format !== CHECKPOINT_FORMAT && format !== CHECKPOINT_FORMAT_1) {
    fail(path, `not an actorgrad checkpoint (format ${JSON.stringify(format)}, expected '${CHECKPOINT_FORMAT}' or '${CHECKPOINT_FORMAT_1}')`);
  }
  if (format === CHECKPOINT_FORMAT && !Object.hasOwn(meta, CHECKSUMS_KEY)) {
    fail(path, `__metadata__ has no '${CHECKSUMS_KEY}', which every '${CHECKPOINT_FORMAT}' file has; the file is corrupted`);
  }
  const id = meta.checkpoint_id;
  if (typeof id !== 'string' || id === '') fail(path, `__metadata__ has no 'checkpoint_id'`);
  return id;
}

/**
 * The optimiser file of checkpoint `id`: `x.optim.safetensors`, or the staged `….next` when a
 * live writer is between its two renames (a dead writer's was renamed by `recoverCheckpoint`).
 */
async function loadOptimizerFile(path: string, id: string): Promise<{ optim: DecodedSafetensors; optPath: string }> {
  const optPath = optimizerPath(path);
  const optim = (await exists(optPath)) ? await loadSafetensors(optPath) : null;
  if (optim !== null && optim.metadata.checkpoint_id === id) {
    // Its format too: a flipped bit in the name of its checksums entry must not load it unverified.
    checkFormat(optPath, optim.metadata);
    return { optim, optPath };
  }
  const staged = `${optPath}.next`;
  const next = (await exists(staged)) ? await loadSafetensors(staged) : null;
  if (next !== null && next.metadata.checkpoint_id === id) {
    checkFormat(staged, next.metadata);
    return { optim: next, optPath: staged };
  }
  if (optim === null) fail(optPath, `the optimiser state of checkpoint ${id} is missing (the weights are at ${path})`);
  checkFormat(optPath, optim.metadata);
  return fail(optPath, `optimiser state belongs to checkpoint ${optim.metadata.checkpoint_id}, but the weights (${path}) are checkpoint ${id}`);
}

/** The model rebuilt from `model_spec` with the file's weights. */
function readModel(path: string, meta: Record<string, string>, weights: DecodedSafetensors): nn.Sequential {
  const spec = json(path, meta, 'model_spec') as ModuleSpec;
  if (spec === null || typeof spec !== 'object' || typeof spec.type !== 'string') fail(path, `__metadata__ 'model_spec' must be a module spec {type, …}, got ${JSON.stringify(spec)}`);
  let model: nn.Module;
  try {
    model = nn.moduleFromSpec(spec);
  } catch (e) {
    return fail(path, `__metadata__ 'model_spec' does not describe a model: ${(e as Error).message}`);
  }
  if (!(model instanceof nn.Sequential)) fail(path, `model spec is a ${spec.type}, expected a Sequential`);
  try {
    model.loadStateDict(toCoreTensors(weights));
  } catch (e) {
    fail(path, `weights do not fit the model spec: ${(e as Error).message}`);
  }
  return model;
}

/** The optimiser states, their chunk size and the callbacks' memory from the optimiser file. */
function readOptimizerState(optPath: string, optim: DecodedSafetensors): Pick<TrainingState, 'optimizerStates' | 'optimizerChunk' | 'callbacks'> {
  let extra: { optimizer?: unknown; callbacks?: unknown };
  try {
    extra = stateFromSafetensors<typeof extra>(optim, optPath).state;
  } catch (e) {
    return fail(optPath, (e as Error).message.replace(/^stateFromSafetensors\([^)]*\): /, ''));
  }
  if (extra === null || typeof extra !== 'object' || !Array.isArray(extra.optimizer)) fail(optPath, `the state has no 'optimizer' array`);
  const callbacks = extra.callbacks;
  if (callbacks === null || typeof callbacks !== 'object' || Array.isArray(callbacks)) fail(optPath, `the state has no 'callbacks' record`);
  const chunkMeta = optim.metadata.optimizer_chunk;
  // Absent in checkpoints written before the chunk size was recorded (they used 65 536).
  if (chunkMeta === undefined) return { optimizerStates: extra.optimizer, callbacks: callbacks as Record<string, unknown> };
  const optimizerChunk = Number(chunkMeta);
  if (!/^[1-9]\d*$/.test(chunkMeta) || !Number.isSafeInteger(optimizerChunk)) {
    fail(optPath, `__metadata__ 'optimizer_chunk' must be a positive integer, got ${JSON.stringify(chunkMeta)}`);
  }
  return { optimizerStates: extra.optimizer, optimizerChunk, callbacks: callbacks as Record<string, unknown> };
}
