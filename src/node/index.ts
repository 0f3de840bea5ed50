// surrograd/node: what needs Node (worker threads, files). Not reachable from the main entry.
export { runParallel, defaultWorkers } from './parallel';
export type { TaskRef, ParallelOptions, ParallelProgress, Outcome } from './parallel';
export { tuneRules, formatTuneTable, tuneSvg, writeTuneResults } from './tune';
export type { TuneOptions, TuneResult, TuneCandidate, TuneProgress, TuneMetric, SearchSpace, ParamRange, RuleSpec, TrialResult, TuneSetting, TuneOptimizer } from './tune';
export { runTrial, ruleFromSpec, ruleSpecLabel } from './tune-trial';
export type { TrialSpec } from './tune-trial';
export { writeExperiment, experimentJson, runSnnCommand, SNN_HELP } from './snn-experiments';
export type { ExperimentFiles, SnnCommandIO } from './snn-experiments';
