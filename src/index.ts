// surrograd: reverse-mode autodiff in which every activation's derivative is a swappable choice.
// Importing this module has no side effects, and it imports no Node built-in (it runs in
// browsers too); the Node-only parts (files, dataset packages) are in 'surrograd/node'.
export { Tensor } from './tensor';
export type { Dtype, TensorLike, NestedArray, NdArrayView, BackwardOptions } from './tensor';
export {
  tensor, zeros, ones, full, zerosLike, onesLike, fullLike, rand, randn, arange, linspace, eye,
} from './creation';
export type { CreateOptions, RandomOptions, TensorOptions } from './creation';
export * from './ops';
export * from './activations';
export { noGrad, enableGrad, isGradEnabled, listTape, tapeSize, clearTape, lastBackwardRules } from './autograd/tape';
export type { TapeEntry } from './autograd/tape';
export { grad, valueAndGrad } from './autograd/functional';
export { gradcheck } from './autograd/gradcheck';
export type { GradcheckOptions, GradcheckResult, GradcheckMismatch } from './autograd/gradcheck';
export { Generator, manualSeed, getDefaultGenerator } from './random';
export { SurrogradError, ShapeError, ArgumentError, GraphError, RuleError } from './errors';
/** Layers and models: Module, Linear, Sequential, activation layers with a backward option, Dropout, BatchNorm1d, initialisers, losses. */
export * as nn from './nn';
/** Optimizers (SGD, Adam, AdamW, RMSprop, Adagrad, Adamax), learning-rate schedulers and gradient clipping. */
export * as optim from './optim';
/** Datasets and mini-batches: synthetic 2-D sets, a teacher network, train/test splits, DataLoader. (MNIST and iris loaders: 'surrograd/node'.) */
export * as data from './data';
/** What gradients do inside a model: per-layer gradient norms, dead and saturated units, agreement of the backward rules with the exact gradient. */
export * as diagnostics from './diagnostics';
/** Compare backward rules on equal footing (same weights, batches and seeds) and render the results as a table, JSON and SVG charts. */
export * as experiment from './experiment';
export { compareRules } from './experiment';
// checkpoints as bytes; save(file) / load(file) are Node-only: import them from 'surrograd/node'
export { toBytes, fromBytes, CheckpointError } from './checkpoint';
export type { Checkpoint, SaveContents, LoadOptions, JsonValue } from './checkpoint';
/** Spiking neurons (LIF, RLIF, Synaptic), spike encoders, spike-train losses and readouts. */
export * as snn from './snn';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled, AnomalyError } from './autograd/anomaly';
export type { AnomalyReport, AnomalyOptions } from './autograd/anomaly';
export { validator, describeValue, Validator } from './validate';
export type { Range, OptionsCheck, ErrorClass } from './validate';
