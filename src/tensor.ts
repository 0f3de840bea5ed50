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
  /** The size of each dimension ([] for a scalar). */
  readonly shape: readonly number[];
  /** The element type: 'float32' or 'float64'. */
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

  /** The number of elements (the product of `shape`; 1 for a 0-d tensor), as `numel()` in PyTorch. */
  get size(): number {
    return this.data.size;
  }

  /** The number of dimensions, `shape.length`. */
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

  /** A readable rendering with shape, dtype, requiresGrad and values. */
  toString(): string {
    return formatTensor(this);
  }

  // ---- arithmetic (broadcasting) ----
  /** Elementwise `this + other` with broadcasting (see {@link add}). */
  add(other: TensorLike): Tensor { return ops.add(this, other); }
  /** Elementwise `this − other` with broadcasting (see {@link sub}). */
  sub(other: TensorLike): Tensor { return ops.sub(this, other); }
  /** Elementwise `this · other` with broadcasting (see {@link mul}). */
  mul(other: TensorLike): Tensor { return ops.mul(this, other); }
  /** Elementwise `this / other` with broadcasting (see {@link div}). */
  div(other: TensorLike): Tensor { return ops.div(this, other); }
  /** Elementwise `this ** exponent` with broadcasting, as `torch.pow`. */
  pow(exponent: TensorLike): Tensor { return ops.pow(this, exponent); }
  /** Elementwise maximum of this and `other` with broadcasting, as `torch.maximum`. */
  maximum(other: TensorLike): Tensor { return ops.maximum(this, other); }
  /** Elementwise minimum of this and `other` with broadcasting, as `torch.minimum`. */
  minimum(other: TensorLike): Tensor { return ops.minimum(this, other); }
  /** Elementwise negation, −x. */
  neg(): Tensor { return ops.neg(this); }
  /** Elementwise eˣ. */
  exp(): Tensor { return ops.exp(this); }
  /** Elementwise natural logarithm. */
  log(): Tensor { return ops.log(this); }
  /** Elementwise square root. */
  sqrt(): Tensor { return ops.sqrt(this); }
  /** Elementwise absolute value. */
  abs(): Tensor { return ops.abs(this); }
  /** Elementwise x². */
  square(): Tensor { return ops.square(this); }
  /** Limits values to [min, max]; either bound may be null for "none", as `torch.clamp`. */
  clamp(min: number | null, max: number | null = null): Tensor { return ops.clamp(this, min, max); }
  /** Matrix product with `other`, as `torch.matmul`. */
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }

  // ---- reductions ----
  /** Sum over `axis` (all axes if omitted), keeping reduced axes as size 1 if `keepDims`. */
  sum(axis?: Axis, keepDims = false): Tensor { return ops.sum(this, axis, keepDims); }
  /** Mean over `axis` (all axes if omitted), keeping reduced axes as size 1 if `keepDims`. */
  mean(axis?: Axis, keepDims = false): Tensor { return ops.mean(this, axis, keepDims); }
  /** Maximum over `axis` (all axes if omitted), keeping reduced axes as size 1 if `keepDims`. */
  max(axis?: Axis, keepDims = false): Tensor { return ops.max(this, axis, keepDims); }
  /** Minimum over `axis` (all axes if omitted), keeping reduced axes as size 1 if `keepDims`. */
  min(axis?: Axis, keepDims = false): Tensor { return ops.min(this, axis, keepDims); }
  /** log Σ exp over `axis` (all axes if omitted), computed stably, as `torch.logsumexp`. */
  logsumexp(axis?: Axis, keepDims = false): Tensor { return ops.logsumexp(this, axis, keepDims); }
  /** Softmax along `axis` (default the last), as `torch.softmax`. */
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  /** Log-softmax along `axis` (default the last), as `torch.log_softmax`. */
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
  /** Position of the first largest value (not differentiable) along `axis`, or of the flattened tensor if omitted. */
  argmax(axis?: number, keepDims = false): Tensor { return ops.argmax(this, axis, keepDims); }
  /** Position of the first smallest value (not differentiable) along `axis`, or of the flattened tensor if omitted. */
  argmin(axis?: number, keepDims = false): Tensor { return ops.argmin(this, axis, keepDims); }

  // ---- shape ----
  /** The same values in a new `shape` (one entry may be −1 to infer it), as `torch.reshape`. */
  reshape(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  /** Merges axes `startDim`…`endDim` (default all) into one, as `torch.flatten`. */
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  /** Swaps axes `dim0` and `dim1` (default the last two), as `torch.transpose`. */
  transpose(dim0 = -2, dim1 = -1): Tensor { return ops.transpose(this, dim0, dim1); }
  /** Reorders the axes as listed in `axes`, as `torch.permute`. */
  permute(axes: readonly number[]): Tensor { return ops.permute(this, axes); }
  /** Removes size-1 axes (only `axis` if given), as `torch.squeeze`. */
  squeeze(axis?: Axis): Tensor { return ops.squeeze(this, axis); }
  /** Inserts a size-1 axis at position `axis`, as `torch.unsqueeze`. */
  unsqueeze(axis: number): Tensor { return ops.unsqueeze(this, axis); }
  /** A view taking `[start, end, step]` along each leading axis, with Python slicing rules (see {@link slice}). */
  slice(ranges: readonly (SliceRange | null | undefined)[]): Tensor { return ops.slice(this, ranges); }
  /** Picks values along `axis` at the integer positions in `index`, as `torch.gather`. */
  gather(axis: number, index: Tensor): Tensor { return ops.gather(this, axis, index); }
  /** 2-D transpose, as `x.T` in NumPy and PyTorch. */
  get T(): Tensor { return ops.transpose(this, -2, -1); }

  // ---- comparisons (masks of 0 and 1, no gradient) ----
  /** 1 where this > other, else 0 (no gradient). */
  gt(other: TensorLike): Tensor { return ops.gt(this, other); }
  /** 1 where this ≥ other, else 0 (no gradient). */
  ge(other: TensorLike): Tensor { return ops.ge(this, other); }
  /** 1 where this < other, else 0 (no gradient). */
  lt(other: TensorLike): Tensor { return ops.lt(this, other); }
  /** 1 where this ≤ other, else 0 (no gradient). */
  le(other: TensorLike): Tensor { return ops.le(this, other); }
  /** 1 where this = other, else 0 (no gradient). */
  eq(other: TensorLike): Tensor { return ops.eq(this, other); }

  // ---- losses (this = prediction / logits) ----
  /** Mean squared error against `target` (reduction default `mean`), as `F.mse_loss`. */
  mseLoss(target: Tensor, options?: { reduction?: Reduction }): Tensor { return ops.mseLoss(this, target, options); }
  /** Mean absolute error against `target` (reduction default `mean`), as `F.l1_loss`. */
  l1Loss(target: Tensor, options?: { reduction?: Reduction }): Tensor { return ops.l1Loss(this, target, options); }
  /** Cross-entropy of these logits [N, C] against integer class `labels`, as `F.cross_entropy`. */
  crossEntropy(labels: Tensor | readonly number[], options?: { reduction?: Reduction }): Tensor {
    return ops.crossEntropy(this, labels, options);
  }
  /** Binary cross-entropy of these logits against 0/1 `target`, as `F.binary_cross_entropy_with_logits`. */
  binaryCrossEntropyWithLogits(target: Tensor, options?: { reduction?: Reduction }): Tensor {
    return ops.binaryCrossEntropyWithLogits(this, target, options);
  }

  // ---- convolution and pooling (NCHW / NCL, as PyTorch) ----
  /** 1-D convolution of this [N, C, L] input with `weight` and optional `bias`, as `F.conv1d`. */
  conv1d(weight: Tensor, bias: Tensor | null = null, options?: ops.ConvOptions): Tensor { return ops.conv1d(this, weight, bias, options); }
  /** 2-D convolution of this [N, C, H, W] input with `weight` and optional `bias`, as `F.conv2d`. */
  conv2d(weight: Tensor, bias: Tensor | null = null, options?: ops.ConvOptions): Tensor { return ops.conv2d(this, weight, bias, options); }
  /** 2-D transposed convolution of this [N, C, H, W] input, as `F.conv_transpose2d`. */
  convTranspose2d(weight: Tensor, bias: Tensor | null = null, options?: ops.ConvTransposeOptions): Tensor {
    return ops.convTranspose2d(this, weight, bias, options);
  }
  /** 1-D max pooling over windows of `kernelSize`, as `F.max_pool1d`. */
  maxPool1d(kernelSize: ops.SpatialArg, options?: ops.MaxPoolOptions): Tensor { return ops.maxPool1d(this, kernelSize, options); }
  /** 2-D max pooling over windows of `kernelSize`, as `F.max_pool2d`. */
  maxPool2d(kernelSize: ops.SpatialArg, options?: ops.MaxPoolOptions): Tensor { return ops.maxPool2d(this, kernelSize, options); }
  /** 1-D average pooling over windows of `kernelSize`, as `F.avg_pool1d`. */
  avgPool1d(kernelSize: ops.SpatialArg, options?: Omit<ops.AvgPoolOptions, 'divisorOverride'>): Tensor { return ops.avgPool1d(this, kernelSize, options); }
  /** 2-D average pooling over windows of `kernelSize`, as `F.avg_pool2d`. */
  avgPool2d(kernelSize: ops.SpatialArg, options?: ops.AvgPoolOptions): Tensor { return ops.avgPool2d(this, kernelSize, options); }
  /** Average pooling to a fixed `outputSize`, as `F.adaptive_avg_pool2d`. */
  adaptiveAvgPool2d(outputSize: number | readonly (number | null)[]): Tensor { return ops.adaptiveAvgPool2d(this, outputSize); }
  /** Pads the trailing axes by (before, after) pairs from the last axis, as `F.pad`. */
  pad(padding: readonly number[], options?: ops.PadOptions): Tensor { return ops.pad(this, padding, options); }
  /** Resizes the spatial axes (see {@link InterpolateOptions}), as `F.interpolate`. */
  interpolate(options: ops.InterpolateOptions): Tensor { return ops.interpolate(this, options); }

  // ---- activations (each takes an optional { backward } rule choice) ----
  // ACTIVATION METHODS BEGIN
  /** ReLU, max(0, x) (see {@link relu} for options and rules). */
  relu(options?: act.ActivationCallOptions<'relu'>): Tensor { return act.relu(this, options); }
  /** Leaky ReLU (see {@link leakyRelu} for options and rules). */
  leakyRelu(options?: act.ActivationCallOptions<'leakyRelu'>): Tensor { return act.leakyRelu(this, options); }
  /** ReLU6, min(max(0, x), 6) (see {@link relu6} for options and rules). */
  relu6(options?: act.ActivationCallOptions<'relu6'>): Tensor { return act.relu6(this, options); }
  /** ELU (see {@link elu} for options and rules). */
  elu(options?: act.ActivationCallOptions<'elu'>): Tensor { return act.elu(this, options); }
  /** SELU (see {@link selu} for options and rules). */
  selu(options?: act.ActivationCallOptions<'selu'>): Tensor { return act.selu(this, options); }
  /** CELU (see {@link celu} for options and rules). */
  celu(options?: act.ActivationCallOptions<'celu'>): Tensor { return act.celu(this, options); }
  /** GELU (see {@link gelu} for options and rules). */
  gelu(options?: act.ActivationCallOptions<'gelu'>): Tensor { return act.gelu(this, options); }
  /** SiLU (swish), x·σ(x) (see {@link silu} for options and rules). */
  silu(options?: act.ActivationCallOptions<'silu'>): Tensor { return act.silu(this, options); }
  /** Mish, x·tanh(softplus(x)) (see {@link mish} for options and rules). */
  mish(options?: act.ActivationCallOptions<'mish'>): Tensor { return act.mish(this, options); }
  /** Softplus, log(1 + eˣ) (see {@link softplus} for options and rules). */
  softplus(options?: act.ActivationCallOptions<'softplus'>): Tensor { return act.softplus(this, options); }
  /** Logistic sigmoid σ(x) (see {@link sigmoid} for options and rules). */
  sigmoid(options?: act.ActivationCallOptions<'sigmoid'>): Tensor { return act.sigmoid(this, options); }
  /** log σ(x) (see {@link logSigmoid} for options and rules). */
  logSigmoid(options?: act.ActivationCallOptions<'logSigmoid'>): Tensor { return act.logSigmoid(this, options); }
  /** Hyperbolic tangent (see {@link tanh} for options and rules). */
  tanh(options?: act.ActivationCallOptions<'tanh'>): Tensor { return act.tanh(this, options); }
  /** x clamped to [min, max], default [−1, 1] (see {@link hardtanh} for options and rules). */
  hardtanh(options?: act.ActivationCallOptions<'hardtanh'>): Tensor { return act.hardtanh(this, options); }
  /** Hard sigmoid (see {@link hardSigmoid} for options and rules). */
  hardSigmoid(options?: act.ActivationCallOptions<'hardSigmoid'>): Tensor { return act.hardSigmoid(this, options); }
  /** Hard swish (see {@link hardSwish} for options and rules). */
  hardSwish(options?: act.ActivationCallOptions<'hardSwish'>): Tensor { return act.hardSwish(this, options); }
  /** Softsign, x/(1 + |x|) (see {@link softsign} for options and rules). */
  softsign(options?: act.ActivationCallOptions<'softsign'>): Tensor { return act.softsign(this, options); }
  /** Heaviside step, 1 where x > threshold (default 0); its gradient is zero unless a surrogate rule is chosen (see {@link heaviside}). */
  heaviside(options?: act.ActivationCallOptions<'heaviside'>): Tensor { return act.heaviside(this, options); }
  /** sign(x); its gradient is zero unless a surrogate rule is chosen (see {@link sign}). */
  sign(options?: act.ActivationCallOptions<'sign'>): Tensor { return act.sign(this, options); }
  /** Round half to even; its gradient is zero unless a surrogate rule is chosen (see {@link round}). */
  round(options?: act.ActivationCallOptions<'round'>): Tensor { return act.round(this, options); }
  /** Uniform quantization to 2^bits levels over a range; its gradient is zero unless a surrogate rule is chosen (see {@link quantize}). */
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
