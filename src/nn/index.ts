// The `nn` namespace: modules, layers, activation layers, losses and initialisers.
export { Module, Parameter, StateDictError } from './module';
export type { StateDict, LoadStateDictOptions, LoadStateDictResult, ShapeMismatch, ForwardHook, RemovableHandle } from './module';
export { Linear } from './linear';
export type { LinearOptions } from './linear';
export { Sequential, ModuleList, Residual, Identity, Flatten, Unflatten } from './container';
export { Dropout, Dropout2d } from './dropout';
export type { DropoutOptions } from './dropout';
export { BatchNorm1d, LayerNorm, BatchNorm2d, GroupNorm } from './norm';
export type { BatchNormOptions, LayerNormOptions, GroupNormOptions } from './norm';
export {
  Activation,
  activation,
  ACTIVATION_LAYERS,
  ReLU,
  LeakyReLU,
  ReLU6,
  ELU,
  SELU,
  CELU,
  GELU,
  SiLU,
  Mish,
  Softplus,
  Sigmoid,
  LogSigmoid,
  Tanh,
  Hardtanh,
  Hardsigmoid,
  Hardswish,
  Softsign,
  Heaviside,
  Sign,
  Round,
  Quantize,
} from './activation';
export type { ActivationParams, ActivationLayerClass } from './activation';
export { mlp } from './mlp';
export type { MLPOptions } from './mlp';
export { MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCEWithLogitsLoss } from './loss';
// the loss functions, also reachable as nn.mseLoss(...) etc.
export { mseLoss, l1Loss, crossEntropy, nllLoss, binaryCrossEntropyWithLogits } from '../ops';
export type { Reduction, LossOptions } from '../ops';
/** Weight initialisers (uniform, normal, Xavier, Kaiming, ...), in place and seeded. */
export * as init from './init';
export { RuleParameters, isRuleHost, type RuleHost } from './rule-host';
export { RuleSchedule } from './rule-schedule';
export type { RuleScheduleState } from './rule-schedule';
export { learnable, RuleParameter } from './learnable';
export type { Constraint } from '../activations/learnable';
export { Conv1d, Conv2d, ConvTranspose2d } from './conv';
export type { ConvLayerOptions, ConvPaddingMode, ConvTransposeLayerOptions } from './conv';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d } from './pool';
export { BinaryLinear, BinaryConv2d, QuantizedActivation } from './binary';
export type { BinaryLinearOptions, BinaryConv2dOptions, QuantizedActivationOptions } from './binary';
