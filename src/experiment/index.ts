// surrograd.experiment: compare backward rules on equal footing (same initial weights, same
// batches, same reference batch per seed), and render what happened as JSON, a table and SVG
// plots (writeResults, which writes them to a folder, is in 'surrograd/node').
export { compareRules, evaluate } from './compare';
export { formatTable, resultsJson, lossChart, accuracyChart, gradNormCharts } from './report';
export type { WrittenFiles } from './report';
export { loadDataset, isDatasetName, DATASET_NAMES } from './datasets';
export type { DatasetName, DatasetOptions } from './datasets';
export { INIT_NAMES, ARCH_NAMES } from './model';
export type { InitName, ArchName } from './model';
export { meanSd } from './stats';
export type { MeanSd } from './stats';
export { OPTIMIZER_NAMES, METRICS } from './types';
export type {
  CompareOptions,
  CompareResult,
  CompareConfig,
  RuleVariant,
  RunResult,
  EpochResult,
  FinalMetrics,
  RuleSummary,
  ProgressEvent,
  OptimizerName,
  MetricName,
  Snapshot,
  EarlyStopping,
  StopReason,
} from './types';
export { chartSvg, panelsSvg } from './svg';
export type { Chart, Series } from './svg';
