// The named datasets with file-backed ones included: MNIST and iris are read from their optional
// packages here (Node only); the synthetic sets come from the main entry's `loadDataset`.
import { ArgumentError } from '../errors';
import type { ClassificationDataset, Split } from '../data/dataset';
import { type DatasetName, type DatasetOptions, loadDataset as loadSynthetic } from '../experiment/datasets';
import { loadMnist } from './mnist';
import { loadIris } from './iris';

/**
 * A named dataset as a train/test split: 'mnist' (standardised with one global mean and
 * standard deviation from the training pixels), 'iris' (standardised per feature, always 120
 * train / 30 test), or a synthetic set ('xor', 'spirals', 'blobs') used as generated.
 */
export function loadDataset(name: DatasetName, options: DatasetOptions = {}): Split<ClassificationDataset> {
  const seed = options.seed ?? 0;
  if (name === 'mnist') {
    const { train, test } = loadMnist({ trainSize: options.trainSize, testSize: options.testSize, seed, normalize: 'standard' });
    return { train, test };
  }
  if (name === 'iris') {
    if (options.trainSize !== undefined || options.testSize !== undefined) {
      throw new ArgumentError('loadDataset: iris has 150 flowers, always split 120 train / 30 test; do not pass trainSize or testSize');
    }
    const { train, test } = loadIris({ seed });
    return { train, test };
  }
  return loadSynthetic(name, options);
}
