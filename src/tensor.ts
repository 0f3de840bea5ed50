// A Tensor holds values: its data, shape, dtype, whether it requires a gradient, its gradient
// and an id; an op's output also holds the record that made it (`gradFn`), so the graph lives
// exactly as long as the tensors that reach it. The records themselves live in src/autograd.
// The methods below are conveniences that call the op functions (`a.add(b)` is `add(a, b)`).
import * as nd from './nd';
import { ArgumentError, GraphError } from './errors';
import * as ops from './ops';
import * as act from './activations';
import { backward as runBackward, type TapeRecord } from './autograd/tape';
import { validator } from './validate';
import type { Axis, Reduction, SliceRange } from './ops';

/** The element type of a tensor: 'float32' (the default) or 'float64'. */
export type Dtype = nd.Dtype;
/** Anything `tensor()` accepts: a Tensor, a number, a (nested) array of numbers or a typed array. */
export type TensorLike = Tensor | number;
/** A (possibly nested) array of numbers, as accepted by `tensor()` and returned by `toArray()`. */
export type NestedArray = number | readonly NestedArray[];
/** The underlying storage, reachable only through `Tensor.toNdarray()`. */
export type NdArrayView = nd.Nd;

let nextId = 1;

/** Options of `Tensor.backward()`. */
export interface BackwardOptions {
  /** Keep the tape records so that backward can be run through this graph again. */
  retainGraph?: boolean;
}

/** An n-dimensional array of float32 (default) or float64 values that can take part in automatic differentiation: data, shape, dtype, `requiresGrad`, `grad`, and for an op's output the tape record that made it. Every op is also a method (`a.add(b)`, `loss.backward()`). */
export class Tensor {
  /** A process-unique id; the tape keys gradients by it. */
  readonly id: number;
  // shape, dtype and data are readonly to users; only `_setData` (module.to()) swaps them.
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  /** Whether gradients flow to (and accumulate into) this tensor. */
  requiresGrad: boolean;
  /** The accumulated gradient, for leaves that require grad and tensors that `retainGrad()`. */
  grad: Tensor | null = null;
  /** False for tensors produced by a recorded op; only leaves accumulate `.grad` by default. */
  readonly isLeaf: boolean;
  /** @internal set by `retainGrad()` */
  retainsGrad = false;
  /**
   * @internal How many times the data was changed in place (optimizer steps, initialisers, state
   * loading). The tape records it and backward refuses a graph whose inputs changed since.
   */
  version = 0;
  /**
   * @internal The record of the op that produced this tensor (PyTorch's grad_fn); null for leaves
   * and for results computed without recording. The graph is what tensors reach through it.
   */
  gradFn: TapeRecord | null = null;
  /** @internal the storage; use `toNdarray()` from outside the library */
  readonly data: nd.Nd;

  /** Wraps storage directly; prefer `tensor()`, `zeros()`, `randn()`... to make tensors. */
  constructor(data: nd.Nd, requiresGrad = false, isLeaf = true) {
    this.id = nextId++;
    this.data = data;
    this.shape = Object.freeze(data.shape.slice());
    this.dtype = nd.dtypeOf(data);
    this.requiresGrad = requiresGrad;
    this.isLeaf = isLeaf;
  }

  get size(): number {
    return this.data.size;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new ArgumentError(
        `item: only a one-element tensor has a single value; this one has shape [${this.shape}] (${this.size} elements). Use toArray().`,
      );
    }
    return this.data.data[this.data.offset];
  }

  /** The values as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const flat = nd.toFlatArray(this.data);
    if (this.ndim === 0) return flat[0];
    return nest(flat, this.shape, 0, 0);
  }

  /** The values in C order as a fresh typed array of this tensor's dtype. */
  toTypedArray(): Float32Array | Float64Array {
    return nd.copy(this.data).data;
  }

  /** The escape hatch: the ndarray that stores this tensor (shared, not copied). */
  toNdarray(): NdArrayView {
    return this.data;
  }

  /** A new tensor with the same values and its own storage; gradients flow through it. */
  clone(): Tensor {
    return ops.clone(this);
  }

  /** The same storage, cut off from the graph (requiresGrad false). */
  detach(): Tensor {
    return new Tensor(this.data, false, true);
  }

  /** Convert to another dtype (a copy; gradients flow back in the source dtype). */
  to(dtype: Dtype): Tensor {
    return ops.cast(this, dtype);
  }

  /** @internal Call after writing this tensor's data in place, so stale graphs are detected. */
  bumpVersion(): void {
    this.version++;
  }

  /**
   * @internal Replace this leaf's storage with `data` (same shape; the dtype may differ), keeping
   * the object, so everything that holds it (optimizers, rules, other modules) sees the new values.
   * `.grad` is dropped (it was of the old dtype) and the version bumped, so graphs recorded before
   * refuse backward. Used by `Module.to()`; not for tensors produced by an op.
   */
  _setData(data: nd.Nd): void {
    if (!this.isLeaf || this.gradFn !== null) throw new GraphError('_setData: only a leaf tensor (a parameter or buffer) can have its storage replaced');
    const shape = data.shape;
    if (shape.length !== this.shape.length || shape.some((n, i) => n !== this.shape[i])) {
      throw new ArgumentError(`_setData: the new storage has shape [${shape.join(', ')}], the tensor [${this.shape.join(', ')}]`);
    }
    const self = this as { data: nd.Nd; dtype: Dtype };
    self.data = data;
    self.dtype = nd.dtypeOf(data);
    this.grad = null;
    this.version++;
  }

  /** Keep `.grad` on this non-leaf tensor after backward. */
  retainGrad(): this {
    if (!this.requiresGrad) {
      throw new GraphError('retainGrad: this tensor does not require grad, so it will never receive a gradient');
    }
    this.retainsGrad = true;
    return this;
  }

  /** Set requiresGrad and return this tensor, for chaining. */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf) {
      throw new GraphError(
        'requiresGrad_: only leaf tensors can change requiresGrad; use detach() to get a leaf from an op output',
      );
    }
    this.requiresGrad = flag;
    return this;
  }

  /**
   * Backpropagate from this tensor. A scalar (one-element) tensor needs no gradient; any other
   * needs `gradient`, the gradient of some scalar with respect to this tensor.
   * `loss.backward()`, `loss.backward({ retainGraph: true })`, `y.backward(dy, { retainGraph })`.
   */
  backward(options?: BackwardOptions): void;
  backward(gradient: Tensor | undefined, options?: BackwardOptions): void;
  backward(gradientOrOptions?: Tensor | BackwardOptions, options?: BackwardOptions): void {
    const gradient = gradientOrOptions instanceof Tensor ? gradientOrOptions : undefined;
    const rawOptions = gradientOrOptions instanceof Tensor || gradientOrOptions === undefined ? options : gradientOrOptions;
    if (gradientOrOptions !== undefined && !(gradientOrOptions instanceof Tensor) && options !== undefined) {
      throw validator('backward').invalid('gradient', gradientOrOptions, 'a Tensor shaped like the output (or leave it out for a scalar)');
    }
    runBackward(this, gradient, checkBackwardOptions(rawOptions));
  }

  toString(): string {
    return formatTensor(this);
  }

  // ---- arithmetic (broadcasting) ----
  add(other: TensorLike): Tensor { return ops.add(this, other); }
  sub(other: TensorLike): Tensor { return ops.sub(this, other); }
  mul(other: TensorLike): Tensor { return ops.mul(this, other); }
  div(other: TensorLike): Tensor { return ops.div(this, other); }
  pow(exponent: TensorLike): Tensor { return ops.pow(this, exponent); }
  maximum(other: TensorLike): Tensor { return ops.maximum(this, other); }
  minimum(other: TensorLike): Tensor { return ops.minimum(this, other); }
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  square(): Tensor { return ops.square(this); }
  clamp(min: number | null, max: number | null = null): Tensor { return ops.clamp(this, min, max); }
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }

  // ---- reductions ----
  sum(axis?: Axis, keepDims = false): Tensor { return ops.sum(this, axis, keepDims); }
  mean(axis?: Axis, keepDims = false): Tensor { return ops.mean(this, axis, keepDims); }
  max(axis?: Axis, keepDims = false): Tensor { return ops.max(this, axis, keepDims); }
  min(axis?: Axis, keepDims = false): Tensor { return ops.min(this, axis, keepDims); }
  logsumexp(axis?: Axis, keepDims = false): Tensor { return ops.logsumexp(this, axis, keepDims); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
  argmax(axis?: number, keepDims = false): Tensor { return ops.argmax(this, axis, keepDims); }
  argmin(axis?: number, keepDims = false): Tensor { return ops.argmin(this, axis, keepDims); }

  // ---- shape ----
  reshape(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  transpose(dim0 = -2, dim1 = -1): Tensor { return ops.transpose(this, dim0, dim1); }
  permute(axes: readonly number[]): Tensor { return ops.permute(this, axes); }
  squeeze(axis?: Axis): Tensor { return ops.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return ops.unsqueeze(this, axis); }
  slice(ranges: readonly (SliceRange | null | undefined)[]): Tensor { return ops.slice(this, ranges); }
  gather(axis: number, index: Tensor): Tensor { return ops.gather(this, axis, index); }
  /** 2-D transpose, as `x.T` in NumPy and PyTorch. */
  get T(): Tensor { return ops.transpose(this, -2, -1); }

  // ---- comparisons (masks of 0 and 1, no gradient) ----
  gt(other: TensorLike): Tensor { return ops.gt(this, other); }
  ge(other: TensorLike): Tensor { return ops.ge(this, other); }
  lt(other: TensorLike): Tensor { return ops.lt(this, other); }
  le(other: TensorLike): Tensor { return ops.le(this, other); }
  eq(other: TensorLike): Tensor { return ops.eq(this, other); }

  // ---- losses (this = prediction / logits) ----
  mseLoss(target: Tensor, options?: { reduction?: Reduction }): Tensor { return ops.mseLoss(this, target, options); }
  l1Loss(target: Tensor, options?: { reduction?: Reduction }): Tensor { return ops.l1Loss(this, target, options); }
  crossEntropy(labels: Tensor | readonly number[], options?: { reduction?: Reduction }): Tensor {
    return ops.crossEntropy(this, labels, options);
  }
  binaryCrossEntropyWithLogits(target: Tensor, options?: { reduction?: Reduction }): Tensor {
    return ops.binaryCrossEntropyWithLogits(this, target, options);
  }

  // ---- convolution and pooling (NCHW / NCL, as PyTorch) ----
  conv1d(weight: Tensor, bias: Tensor | null = null, options?: ops.ConvOptions): Tensor { return ops.conv1d(this, weight, bias, options); }
  conv2d(weight: Tensor, bias: Tensor | null = null, options?: ops.ConvOptions): Tensor { return ops.conv2d(this, weight, bias, options); }
  convTranspose2d(weight: Tensor, bias: Tensor | null = null, options?: ops.ConvTransposeOptions): Tensor {
    return ops.convTranspose2d(this, weight, bias, options);
  }
  maxPool1d(kernelSize: ops.SpatialArg, options?: ops.MaxPoolOptions): Tensor { return ops.maxPool1d(this, kernelSize, options); }
  maxPool2d(kernelSize: ops.SpatialArg, options?: ops.MaxPoolOptions): Tensor { return ops.maxPool2d(this, kernelSize, options); }
  avgPool1d(kernelSize: ops.SpatialArg, options?: Omit<ops.AvgPoolOptions, 'divisorOverride'>): Tensor { return ops.avgPool1d(this, kernelSize, options); }
  avgPool2d(kernelSize: ops.SpatialArg, options?: ops.AvgPoolOptions): Tensor { return ops.avgPool2d(this, kernelSize, options); }
  adaptiveAvgPool2d(outputSize: number | readonly (number | null)[]): Tensor { return ops.adaptiveAvgPool2d(this, outputSize); }
  pad(padding: readonly number[], options?: ops.PadOptions): Tensor { return ops.pad(this, padding, options); }
  interpolate(options: ops.InterpolateOptions): Tensor { return ops.interpolate(this, options); }

  // ---- activations (each takes an optional { backward } rule choice) ----
  // ACTIVATION METHODS BEGIN
  relu(options?: act.ActivationCallOptions<'relu'>): Tensor { return act.relu(this, options); }
  leakyRelu(options?: act.ActivationCallOptions<'leakyRelu'>): Tensor { return act.leakyRelu(this, options); }
  relu6(options?: act.ActivationCallOptions<'relu6'>): Tensor { return act.relu6(this, options); }
  elu(options?: act.ActivationCallOptions<'elu'>): Tensor { return act.elu(this, options); }
  selu(options?: act.ActivationCallOptions<'selu'>): Tensor { return act.selu(this, options); }
  celu(options?: act.ActivationCallOptions<'celu'>): Tensor { return act.celu(this, options); }
  gelu(options?: act.ActivationCallOptions<'gelu'>): Tensor { return act.gelu(this, options); }
  silu(options?: act.ActivationCallOptions<'silu'>): Tensor { return act.silu(this, options); }
  mish(options?: act.ActivationCallOptions<'mish'>): Tensor { return act.mish(this, options); }
  softplus(options?: act.ActivationCallOptions<'softplus'>): Tensor { return act.softplus(this, options); }
  sigmoid(options?: act.ActivationCallOptions<'sigmoid'>): Tensor { return act.sigmoid(this, options); }
  logSigmoid(options?: act.ActivationCallOptions<'logSigmoid'>): Tensor { return act.logSigmoid(this, options); }
  tanh(options?: act.ActivationCallOptions<'tanh'>): Tensor { return act.tanh(this, options); }
  hardtanh(options?: act.ActivationCallOptions<'hardtanh'>): Tensor { return act.hardtanh(this, options); }
  hardSigmoid(options?: act.ActivationCallOptions<'hardSigmoid'>): Tensor { return act.hardSigmoid(this, options); }
  hardSwish(options?: act.ActivationCallOptions<'hardSwish'>): Tensor { return act.hardSwish(this, options); }
  softsign(options?: act.ActivationCallOptions<'softsign'>): Tensor { return act.softsign(this, options); }
  heaviside(options?: act.ActivationCallOptions<'heaviside'>): Tensor { return act.heaviside(this, options); }
  sign(options?: act.ActivationCallOptions<'sign'>): Tensor { return act.sign(this, options); }
  round(options?: act.ActivationCallOptions<'round'>): Tensor { return act.round(this, options); }
  quantize(options?: act.ActivationCallOptions<'quantize'>): Tensor { return act.quantize(this, options); }
  // ACTIVATION METHODS END
}

/** backward's options: only retainGraph, a boolean. */
function checkBackwardOptions(options: unknown): BackwardOptions {
  const v = validator('backward');
  const o = v.options(options, ['retainGraph'], { example: '{ retainGraph: true }' });
  return { retainGraph: v.boolean('retainGraph', o.retainGraph ?? false) };
}

function nest(flat: readonly number[], shape: readonly number[], dim: number, offset: number): NestedArray {
  const n = shape[dim];
  if (dim === shape.length - 1) return flat.slice(offset, offset + n);
  const inner = nd.sizeOf(shape.slice(dim + 1));
  const out: NestedArray[] = [];
  for (let i = 0; i < n; i++) out.push(nest(flat, shape, dim + 1, offset + i * inner));
  return out;
}

const MAX_PRINTED = 6;

function formatTensor(t: Tensor): string {
  const flat = nd.toFlatArray(t.data);
  const fmt = (v: number): string => {
    if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
    const s = v.toPrecision(4);
    return s.includes('e') ? s : String(Number(s));
  };
  const render = (dim: number, offset: number): string => {
    if (t.ndim === 0) return fmt(flat[0]);
    const n = t.shape[dim];
    const inner = nd.sizeOf(t.shape.slice(dim + 1));
    const idx = n <= MAX_PRINTED ? [...Array(n).keys()] : [0, 1, 2, -1, n - 3, n - 2, n - 1];
    const parts = idx.map((i) =>
      i < 0 ? '...' : dim === t.ndim - 1 ? fmt(flat[offset + i]) : render(dim + 1, offset + i * inner),
    );
    return `[${parts.join(', ')}]`;
  };
  const grad = t.requiresGrad ? ', requiresGrad' : '';
  return `Tensor(shape=[${t.shape.join(', ')}], dtype=${t.dtype}${grad}, ${render(0, 0)})`;
}
