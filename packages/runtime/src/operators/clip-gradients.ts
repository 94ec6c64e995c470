import { type OperatorFunction, map } from 'rxjs';
import { clipScale } from '../clip.js';

/**
 * Decides global-norm clipping after the reduction: norm = √Σ‖g‖², and the gradients will be
 * multiplied by min(1, maxNorm / (norm + 1e-6)) (torch.nn.utils.clip_grad_norm_). Synchronous.
 *
 *     in:   -x|
 *     out:  -y|     y = {value, norm, scale}
 */
export function clipGradients<T>(maxNorm: number | null): OperatorFunction<{ value: T; sqNorm: number }, { value: T; norm: number; scale: number }> {
  if (maxNorm !== null && !(maxNorm > 0)) throw new RangeError(`clipGradients: maxNorm must be positive, got ${maxNorm}`);
  return map(({ value, sqNorm }) => {
    const norm = Math.sqrt(sqNorm);
    return { value, norm, scale: clipScale(norm, maxNorm) };
  });
}
