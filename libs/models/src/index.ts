export { BackendPref, type BackendChoice, currentBackend, selectBackend } from './backend';
export { type NvidiaSmi, visibleGpus } from './gpus';
export {
  Activation,
  type DenseSpec,
  type FamilyContext,
  type ModelFamily,
  OptimizerName,
  Task,
  type TrainingParams,
  builtinFamilies,
  familyRegistry,
  getFamily,
  loadFamilyModules,
  paramsSchemaFor,
  parseParams,
  registerFamily,
  trainingParams,
} from './families';
export { abortError, architectureKey } from './job';
export { DenseEngineName, type PackedOutcome, denseEngineFor, setDenseEngine } from './dense';
export { type RefitResult, isPackable, refit, train, trainPacked, trainPackedSettled } from './train';
export { type ModelArtifact, loadModelArtifact, saveModelArtifact } from './artifact';
export type { Checkpoint, EpochReport, TrainHooks, TrainJob, TrainResult } from './types';
export { type TrainerPool, type TrainerPoolOptions, createTrainerPool } from './pool';
export { type PackingTrainer, type PackingTrainerOptions, createPackingTrainer } from './packing';
export { threadCpuMs } from './cpu';
