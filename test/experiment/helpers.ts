// Small, fast comparisons on synthetic data for the runner and CLI tests.
import type { CompareOptions, CompareResult } from '../../src/experiment';

export const tiny: CompareOptions = {
  dataset: 'blobs',
  datasetOptions: { trainSize: 96, testSize: 48, seed: 3 },
  activation: 'relu',
  depth: 2,
  width: 8,
  rules: ['exact', 'sigmoid'],
  optimizer: 'sgd',
  lr: 0.05,
  epochs: 2,
  seeds: [1, 2],
  batchSize: 16,
  referenceSize: 32,
};

/** The result with every timing removed (the only part allowed to differ between two runs). */
export function withoutTimings(result: CompareResult): unknown {
  return JSON.parse(
    JSON.stringify(result, (key, value: unknown) => (key === 'seconds' || key === 'secondsPerEpoch' ? undefined : value)),
  );
}
