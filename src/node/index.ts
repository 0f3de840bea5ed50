// surrograd/node: what needs Node (files). Not reachable from the main entry.
export { writeExperiment, experimentJson, runSnnCommand, SNN_HELP } from './snn-experiments';
export type { ExperimentFiles, SnnCommandIO } from './snn-experiments';
