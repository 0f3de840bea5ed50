// surrograd/node: what needs Node (worker threads, files). The main entry stays browser-safe.
export { runParallel, defaultWorkers } from './parallel';
export type { TaskRef, ParallelOptions, ParallelProgress, Outcome } from './parallel';
export { tuneRules, formatTuneTable, tuneSvg, writeTuneResults } from './tune';
export type { TuneOptions, TuneResult, TuneCandidate, TuneProgress, TuneMetric, SearchSpace, ParamRange, RuleSpec, TrialResult, TuneSetting, TuneOptimizer } from './tune';
export { runTrial, ruleFromSpec, ruleSpecLabel } from './tune-trial';
export type { TrialSpec } from './tune-trial';
