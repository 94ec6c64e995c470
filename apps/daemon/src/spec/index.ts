/**
 * The daemon's job spec: its schema and JSON Schema, its checks (every problem, with its JSON path,
 * what was expected and what was found), reading spec files, its reference documentation, and
 * turning a valid spec into what the Trainer needs.
 */
export { jobSpecSchema, jobSpecJsonSchema, type JobSpec, type DataSpec, type LayerSpec, LAYER_TYPES, DATA_SOURCES, SCHEDULE_NAMES } from './schema.js';
export { parseJobSpec, type ParseResult } from './parse.js';
export { formatProblems, type SpecProblem } from './problems.js';
export { readSpecFile, SpecFileError } from './read.js';
export { buildJob, buildModel, type BuiltJob, type JobFitOptions } from './build.js';
export { loadPreprocessing, PREPROCESSING_FILE, type FittedPreprocessing, type PreprocessingKind, type PreprocessingState } from './preprocessing.js';
export { specReference } from './reference.js';
