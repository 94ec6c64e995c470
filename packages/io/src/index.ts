export { FileFormatError, type FileFormatLocation } from './errors.js';
export {
  CHECKSUMS_KEY,
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  loadSafetensorsMetadata,
  loadSafetensorsSync,
  MAX_HEADER_LENGTH,
  safetensorsDTypeOf,
  saveSafetensors,
  saveSafetensorsSync,
  tensorsFromCore,
  toCoreTensors,
  type DecodedSafetensors,
  type DecodedTensor,
  type SafetensorsArray,
  type SafetensorsArrayOf,
  type SafetensorsDType,
  type SafetensorsEncodeOptions,
  type SafetensorsTensorInput,
} from './safetensors.js';
export {
  ensureWritableDirectory,
  isProcessAlive,
  isWriterAlive,
  removeStaleTempFiles,
  tempPathFor,
  writeFileAtomic,
  writeFileAtomicSync,
  type AtomicWriteStage,
  type WriteFileAtomicOptions,
} from './atomic-write.js';
export {
  flattenState,
  STATE_SKELETON_KEY,
  stateFromSafetensors,
  stateToSafetensors,
  unflattenState,
  type FlatState,
  type StateArray,
} from './state-tree.js';
export { loadCsv, parseCsv, CSV_NA_VALUES, type CsvData, type CsvMissing, type CsvMissingCell, type LoadCsvOptions } from './csv.js';
export { loadIdx, parseIdx, type LoadIdxOptions } from './idx.js';
export { loadNpy, parseNpy, saveNpy, encodeNpy, type LoadNpyOptions } from './npy.js';
export { mnist, mnistDigits, MNIST_COUNT, MNIST_PIXELS, type MnistDigits, type MnistOptions, type MnistSplit } from './mnist.js';
