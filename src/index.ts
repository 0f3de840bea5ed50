// surrograd: reverse-mode autodiff in which every activation's derivative is a swappable choice.
// Importing this module has no side effects.
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
export * as nn from './nn';
export * as optim from './optim';
export * as data from './data';
export * as diagnostics from './diagnostics';
export * as experiment from './experiment';
export { compareRules } from './experiment';
export { save, load, CheckpointError } from './checkpoint';
export type { Checkpoint, SaveContents, LoadOptions, JsonValue } from './checkpoint';
export * as snn from './snn';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled, AnomalyError } from './autograd/anomaly';
export type { AnomalyReport, AnomalyOptions } from './autograd/anomaly';
export { validator, describeValue, Validator } from './validate';
export type { Range, OptionsCheck, ErrorClass } from './validate';
