// The nd layer's vocabulary. Only files in src/nd import ndarray or ndarray-ops.
export * from './array';
export * from './elementwise';
export * from './reduce';
export { gemm } from './gemm';
export { sigmoidScaleInto } from './wasm';
export { adamStepInto, sgdStepInto, sigmoidBackwardInto, sumRowsInto, reluInto, type AdamStepParams, type SgdStepParams } from './wasm'; // issue 11: staged float32 kernels
export * from './matmul';
export * from './indexing';
export * from './softmax';
export * from './pool';
export { loopFor, compiledLoopCount } from './loops';
export type { LoopKind, LoopTypes } from './loops';
export * from './conv';
export { stepScaleInto, bSiluScaleInto, guidedBackwardInto } from './wasm'; // session 5 (issue 8): step-shaped activation derivatives
