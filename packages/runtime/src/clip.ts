/** The factor global-norm clipping multiplies the gradients by: min(1, maxNorm / (norm + 1e-6)), as torch.nn.utils.clip_grad_norm_. */
export function clipScale(norm: number, maxNorm: number | null): number {
  return maxNorm === null ? 1 : Math.min(1, maxNorm / (norm + 1e-6));
}
