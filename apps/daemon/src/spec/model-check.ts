import type { DataShape } from './data-shape.js';
import { type SpecProblem, problemText } from './problems.js';
import type { LayerSpec } from './schema.js';

/**
 * The shape chain of the layers: each layer's input width is the previous layer's output (the
 * data's feature count for the first, when known), and the last output fits the targets and the
 * loss. A width that does not fit is reported, and the chain goes on from what the layer declares,
 * so one mistake is reported once.
 */

type Width = number | null;

const layerAt = (i: number) => `$.model.layers[${i}]`;
const fromWhere = (i: number, layers: readonly LayerSpec[], data: DataShape | null) =>
  i === 0 ? `the data's feature count (${data?.what})` : `the output of layers[${i - 1}] (${layers[i - 1]!.type})`;

/** The layer's output width for input width `w`, and a problem if `w` does not fit it. */
function step(l: LayerSpec, i: number, w: Width, source: string): { out: Width; problem?: SpecProblem } {
  if (l.type === 'Linear') {
    const { inFeatures, outFeatures } = l.args;
    const problem = w !== null && w !== inFeatures ? problemText(`${layerAt(i)}.args.inFeatures`, `${w}, ${source}`, String(inFeatures)) : undefined;
    return { out: outFeatures, problem };
  }
  if (l.type === 'Maxout') {
    const k = l.args.pieces;
    if (w === null) return { out: null };
    if (w % k === 0) return { out: w / k };
    return { out: Math.floor(w / k), problem: problemText(`${layerAt(i)}.args.pieces`, `a divisor of ${w}, ${source}`, String(k)) };
  }
  if (l.type === 'PReLU') {
    const n = l.args?.numParameters ?? 1;
    const problem = w !== null && n !== 1 && n !== w ? problemText(`${layerAt(i)}.args.numParameters`, `1 or ${w}, ${source}`, String(n)) : undefined;
    return { out: w, problem };
  }
  return { out: w };
}

/** The width the targets and the loss need of the model's output, and why, or null when unknown. */
function neededOutput(data: DataShape, loss: string): { width: number; why: string } | null {
  const { form, width, classes } = data.targets;
  if (loss === 'crossEntropy') {
    if (form === 'columns' && width !== null && width > 1) return { width, why: `crossEntropy against ${data.what}'s ${width} target columns` };
    return classes === null ? null : { width: classes, why: `crossEntropy over ${data.what}'s ${classes} classes` };
  }
  if (form === 'labels') return { width: 1, why: `${loss} against ${data.what}'s single target column` };
  return width === null ? null : { width, why: `${loss} against ${data.what}'s ${width} target column${width === 1 ? '' : 's'}` };
}

/** Every shape problem of the layers against the data and the loss (either may be unknown). */
export function modelProblems(layers: readonly LayerSpec[], data: DataShape | null, loss: string | null): SpecProblem[] {
  const problems: SpecProblem[] = [];
  let w: Width = data?.features ?? null;
  layers.forEach((l, i) => {
    const r = step(l, i, w, fromWhere(i, layers, data));
    if (r.problem) problems.push(r.problem);
    w = r.out;
  });
  const need = data && loss ? neededOutput(data, loss) : null;
  if (need && w !== null && w !== need.width) {
    const last = layers.length - 1;
    const lastLinear = layers.map((l) => l.type).lastIndexOf('Linear');
    const at = lastLinear >= 0 && layers.slice(lastLinear + 1).every((l) => l.type !== 'Maxout') ? `${layerAt(lastLinear)}.args.outFeatures` : layerAt(last);
    problems.push(problemText(at, `an output width of ${need.width} (${need.why})`, `an output width of ${w}`));
  }
  return problems;
}
