/**
 * Recovery of a checkpoint whose writer was killed (kill -9, Ctrl-C, a power cut) part-way
 * through `saveCheckpoint`'s sequence: stage `x.optim.safetensors.next`, replace
 * `x.safetensors`, rename the staged file to `x.optim.safetensors`.
 *
 * @module
 */
import { rename, rm, stat } from 'node:fs/promises';
import { isWriterAlive, loadSafetensorsMetadata, removeStaleTempFiles } from '@actorgrad/io';
import { optimizerPath } from './optimizer-path.js';

/**
 * Finishes or undoes what a dead writer left of the checkpoint at `path`, so that it reads as
 * the last checkpoint that was complete:
 *
 * - removes the temporary files of its three files (`.x.safetensors.<pid>.….tmp`,
 *   `.x.optim.safetensors.<pid>.….tmp`, `.x.optim.safetensors.next.<pid>.….tmp`) whose writer
 *   process is gone;
 * - a staged optimiser file (`x.optim.safetensors.next`) whose writer (`writer_pid`) is gone
 *   (see `isWriterAlive`: a predecessor with this process's pid counts as gone) is
 *   renamed into place when it belongs to the weights (the writer died between its two renames)
 *   and removed when it does not (it died before its weights were in place);
 * - a live writer's files are left alone, and so is everything when the weights cannot be read
 *   for another reason than not existing (the load then reports it).
 *
 * Best effort: a failure to remove or rename (a read-only directory) is not an error here.
 */
export async function recoverCheckpoint(path: string): Promise<void> {
  const optPath = optimizerPath(path);
  const staged = `${optPath}.next`;
  for (const target of [path, optPath, staged]) await removeStaleTempFiles(target);
  let next: Record<string, string>;
  try {
    next = await loadSafetensorsMetadata(staged);
  } catch {
    return; // None (the usual case), or unreadable: the load reports it if it needs the file.
  }
  const pid = Number(next.writer_pid);
  const modified = await stat(staged).then(
    (st) => st.mtimeMs,
    () => 0,
  );
  if (Number.isSafeInteger(pid) && pid > 0 && isWriterAlive(pid, modified)) return;
  let weightsId: string | null;
  try {
    weightsId = (await loadSafetensorsMetadata(path)).checkpoint_id ?? null;
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code !== 'ENOENT') return;
    weightsId = null;
  }
  if (weightsId !== null && next.checkpoint_id === weightsId) await rename(staged, optPath).catch(() => {});
  else await rm(staged, { force: true }).catch(() => {});
}
