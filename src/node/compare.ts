// The rule-comparison runner with every named dataset available, MNIST and iris included.
import { runComparison } from '../experiment/compare';
import type { CompareOptions, CompareResult } from '../experiment/types';
import { loadDataset } from './datasets';

/**
 * `compareRules` from the main entry, but a dataset name may also be 'mnist' or 'iris' (read
 * from their optional packages). Same options, same result.
 */
export function compareRules(options: CompareOptions): CompareResult {
  return runComparison(options, loadDataset);
}
