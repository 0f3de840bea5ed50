// The optimizers, learning-rate schedulers and gradient clipping (`optim` namespace).
export { Optimizer } from './optimizer';
export type {
  BaseOptions,
  FloatArray,
  OptimizerStateDict,
  OptionValue,
  ParamGroup,
  ParamGroupSpec,
  ParamState,
  Params,
  StateValue,
} from './optimizer';
export type { Validator } from '../validate';
export { SGD } from './sgd';
export type { SGDOptions, SGDState } from './sgd';
export { Adam, AdamW } from './adam';
export type { AdamOptions, AdamState } from './adam';
export { RMSprop } from './rmsprop';
export type { RMSpropOptions, RMSpropState } from './rmsprop';
export { Adagrad } from './adagrad';
export type { AdagradOptions, AdagradState } from './adagrad';
export { Adamax } from './adamax';
export type { AdamaxOptions, AdamaxState } from './adamax';
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LinearLR,
  LinearWarmup,
  SequentialLR,
  ReduceLROnPlateau,
} from './scheduler';
export type {
  SchedulableOptimizer,
  SchedulerStateDict,
  StepLROptions,
  MultiStepLROptions,
  ExponentialLROptions,
  CosineAnnealingLROptions,
  LinearLROptions,
  LinearWarmupOptions,
  SequentialLROptions,
  ReduceLROnPlateauOptions,
} from './scheduler';
export { clipGradNorm, clipGradValue } from './clip';
export type { ClipGradNormOptions } from './clip';
