// The op table: every differentiable op (and the few non-differentiable ones) by name.
// `OpName` is the typed list; the generated gradient checks in test/ops are keyed by it, so an op
// added here without a check is a compile error.
export { add, sub, mul, div, pow, maximum, minimum } from './arithmetic';
export { neg, exp, log, sqrt, abs, square, clamp, clone, cast } from './unary';
export { matmul, linear } from './linalg';
export { sum, mean, max, min, logsumexp, argmax, argmin } from './reduce';
export { reshape, flatten, transpose, permute, squeeze, unsqueeze, slice, concat, stack } from './shape';
export type { SliceRange } from './shape';
export { gather, where } from './indexing';
export { softmax, logSoftmax } from './softmax';
export { gt, ge, lt, le, eq } from './compare';
export { mseLoss, l1Loss, crossEntropy, nllLoss, binaryCrossEntropyWithLogits } from './loss';
export type { Reduction, LossOptions } from './loss';
export type { Axis } from './record';
export { conv1d, conv2d, convTranspose2d } from './conv';
export type { ConvOptions, ConvTransposeOptions, ConvPadding } from './conv';
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool2d } from './pool';
export type { MaxPoolOptions, AvgPoolOptions } from './pool';
export type { SpatialArg } from './spatial';

/** Ops with a gradient (each has a finite-difference check generated in test/ops). */
export const DIFFERENTIABLE_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum',
  'neg', 'exp', 'log', 'sqrt', 'abs', 'square', 'clamp', 'clone', 'cast',
  'matmul', 'linear',
  'sum', 'mean', 'max', 'min', 'logsumexp',
  'reshape', 'flatten', 'transpose', 'permute', 'squeeze', 'unsqueeze', 'slice', 'concat', 'stack',
  'gather', 'where',
  'softmax', 'logSoftmax',
  'mseLoss', 'l1Loss', 'crossEntropy', 'nllLoss', 'binaryCrossEntropyWithLogits',
  'conv1d', 'conv2d', 'convTranspose2d',
  'maxPool1d', 'maxPool2d', 'avgPool1d', 'avgPool2d', 'adaptiveAvgPool2d',
] as const;
export type OpName = (typeof DIFFERENTIABLE_OPS)[number];

/** Ops without a gradient: their outputs never require grad. */
export const NON_DIFFERENTIABLE_OPS = ['argmax', 'argmin', 'gt', 'ge', 'lt', 'le', 'eq'] as const;
