// The datasets the runner and the CLI know by name, each as a seeded train/test split of a
// classification set. Synthetic sets are generated, MNIST and iris come from their optional
// packages (loaded only when asked for).
import { ArgumentError } from '../errors';
import type { ClassificationDataset, Split } from '../data/dataset';
import { trainTestSplit } from '../data/dataset';
import { loadMnist } from '../data/mnist';
import { loadIris } from '../data/iris';
import { blobs, twoSpirals, xor } from '../data/synthetic';

export const DATASET_NAMES = ['mnist', 'iris', 'xor', 'spirals', 'blobs'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DatasetOptions {
  /** Training examples (default: mnist 8000, synthetic sets 800; iris always 120). */
  trainSize?: number;
  /** Test examples (default: mnist 2000, synthetic sets 200; iris always 30). */
  testSize?: number;
  /** The seed of the data (the split, and the points of a synthetic set). Default 0. */
  seed?: number;
}

/** Whether `name` is a dataset the runner knows. */
export function isDatasetName(name: unknown): name is DatasetName {
  return typeof name === 'string' && (DATASET_NAMES as readonly string[]).includes(name);
}

/**
 * A named dataset as a train/test split. MNIST is standardised (one global mean and standard
 * deviation from the training pixels), iris per feature; the synthetic sets are used as made.
 */
export function loadDataset(name: DatasetName, options: DatasetOptions = {}): Split<ClassificationDataset> {
  const seed = options.seed ?? 0;
  switch (name) {
    case 'mnist': {
      const { train, test } = loadMnist({ trainSize: options.trainSize, testSize: options.testSize, seed, normalize: 'standard' });
      return { train, test };
    }
    case 'iris': {
      if (options.trainSize !== undefined || options.testSize !== undefined) {
        throw new ArgumentError('loadDataset: iris has 150 flowers, always split 120 train / 30 test; do not pass trainSize or testSize');
      }
      const { train, test } = loadIris({ seed });
      return { train, test };
    }
    case 'xor':
    case 'spirals':
    case 'blobs': {
      const trainSize = options.trainSize ?? 800;
      const testSize = options.testSize ?? 200;
      const n = trainSize + testSize;
      const all =
        name === 'xor' ? xor({ n, noise: 0.3, seed }) : name === 'spirals' ? twoSpirals({ n: n + (n % 2), noise: 0.05, seed }) : blobs({ n, k: 4, std: 2, seed });
      const split = trainTestSplit<ClassificationDataset>(all, { testSize: testSize + (all.length - n), seed: seed + 1 });
      return split;
    }
    default:
      throw new ArgumentError(`loadDataset: unknown dataset '${String(name)}'; the datasets are ${DATASET_NAMES.join(', ')}`);
  }
}
