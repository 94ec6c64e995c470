export {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  loadSafetensorsSync,
  MAX_HEADER_LENGTH,
  SafetensorsError,
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
  type SafetensorsTensorInput,
} from './safetensors.js';
export { tempPathFor, writeFileAtomic, writeFileAtomicSync, type AtomicWriteStage, type WriteFileAtomicOptions } from './atomic-write.js';
export {
  flattenState,
  STATE_SKELETON_KEY,
  stateFromSafetensors,
  stateToSafetensors,
  unflattenState,
  type FlatState,
  type StateArray,
} from './state-tree.js';
