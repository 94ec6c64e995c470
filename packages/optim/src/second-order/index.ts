export {
  type TensorFn,
  hessianFromTensorFn,
  hessianVectorProductFromTensorFn,
  objectiveFromTensorFn,
} from './autodiff.js';
export { type BacktrackingOptions, backtrackingLineSearch } from './backtracking.js';
export { type BfgsOptions, type BfgsState, bfgs } from './bfgs.js';
export { cholesky, choleskySolve, choleskyWithShift } from './cholesky.js';
export {
  ClosureOptimizer,
  type LossLike,
  type ParamLike,
  gatherFlatGrad,
  gatherFlatParams,
  scatterFlatParams,
} from './closure-optimizer.js';
export {
  type ConjugateGradientOptions,
  type ConjugateGradientState,
  conjugateGradient,
} from './conjugate-gradient.js';
export { cubicInterpolate } from './cubic-interpolate.js';
export { type LbfgsOptions, type LbfgsState, lbfgs } from './lbfgs.js';
export { lbfgsDirection } from './lbfgs-direction.js';
export { type LineSearchSpec, resolveLineSearch } from './line-search.js';
export { minimize } from './minimize.js';
export { type NewtonOptions, type NewtonState, newton } from './newton.js';
export { type StrongWolfeOptions, strongWolfeLineSearch } from './strong-wolfe.js';
export type {
  Evaluation,
  LineSearch,
  LineSearchResult,
  MinimizeResult,
  Objective,
  RunResult,
  SecondOrderMethod,
} from './types.js';
