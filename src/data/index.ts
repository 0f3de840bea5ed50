// surrograd.data: datasets and mini-batches. Synthetic sets are generated from a seeded
// Generator. The loaders of real data (loadMnist, loadIris: they read optional peer packages
// from disk) are Node-only and live in `surrograd/node` (src/node/).
export type {
  Dataset,
  ClassificationDataset,
  RegressionDataset,
  Split,
  CreateClassificationOptions,
  CreateRegressionOptions,
  TrainTestSplitOptions,
} from './dataset';
export { createDataset, subset, trainTestSplit, oneHot } from './dataset';
export type { Normalization } from './normalize';
export type { RandomSource } from './options';
export { xor, twoSpirals, blobs } from './synthetic';
export type { XorOptions, TwoSpiralsOptions, BlobsOptions, BlobsDataset } from './synthetic';
export { teacher } from './teacher';
export type { TeacherOptions, TeacherNetwork, TeacherLayer, TeacherDataset, TeacherActivation } from './teacher';
export { DataLoader } from './loader';
export type { Batch, DataLoaderOptions } from './loader';
