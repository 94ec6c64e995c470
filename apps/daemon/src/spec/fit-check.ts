import type { DataShape } from './data-shape.js';
import { type SpecProblem, problemText } from './problems.js';

/**
 * The loss and the validation split against what is known of the data: crossEntropy and the bce
 * losses on real-valued targets, bce on more than two classes, a split that leaves no training row
 * (n_val = ⌈split·N⌉, as `buildJob` splits).
 */
export function dataFitProblems(data: DataShape, loss: unknown, validationSplit: unknown): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const classes = data.targets.classes;
  if (typeof loss === 'string' && data.realValued && ['crossEntropy', 'bce', 'bceWithLogits'].includes(loss)) {
    problems.push(problemText('$.loss', `a regression loss ('mse', 'mae' or 'huber') for ${data.what}'s real-valued targets`, `'${loss}'`));
  } else if ((loss === 'bce' || loss === 'bceWithLogits') && classes !== null && classes > 2) {
    problems.push(problemText('$.loss', `'crossEntropy' for ${data.what}'s ${classes} classes (${loss} takes targets in [0, 1])`, `'${loss}'`));
  }
  if (typeof validationSplit === 'number' && validationSplit > 0 && validationSplit < 1 && data.rows !== null) {
    const held = Math.ceil(validationSplit * data.rows);
    if (held >= data.rows) {
      problems.push(problemText('$.validationSplit', `a fraction that leaves training rows of ${data.what}'s ${data.rows} (⌈split·${data.rows}⌉ are held out)`, `${validationSplit}, which holds out all ${data.rows}`));
    }
  }
  return problems;
}
