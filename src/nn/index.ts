// The `nn` namespace: modules, layers, activation layers, losses and initialisers.
export { Module, Parameter, StateDictError } from './module';
export type { StateDict, LoadStateDictOptions, LoadStateDictResult, ShapeMismatch, ForwardHook, RemovableHandle } from './module';
export { Linear } from './linear';
export type { LinearOptions } from './linear';
export { Sequential, ModuleList, Residual, Identity, Flatten } from './container';
export { Dropout } from './dropout';
export type { DropoutOptions } from './dropout';
export { BatchNorm1d, LayerNorm } from './norm';
export type { BatchNormOptions, LayerNormOptions } from './norm';
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
export * as init from './init';
