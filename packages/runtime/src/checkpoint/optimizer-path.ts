/** The optimiser-state file that sits beside a weights file: `x.safetensors` → `x.optim.safetensors`. */
export function optimizerPath(path: string): string {
  return path.endsWith('.safetensors') ? `${path.slice(0, -'.safetensors'.length)}.optim.safetensors` : `${path}.optim`;
}
