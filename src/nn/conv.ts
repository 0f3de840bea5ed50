// Convolution layers as PyTorch's: Conv1d, Conv2d and ConvTranspose2d, with PyTorch's default
// initialisation (weight kaimingUniform with a = √5, bias U(−1/√fanIn, 1/√fanIn), fanIn from the
// weight's shape) and state dict entries `weight` and `bias`.
import { ArgumentError, ShapeError, formatShape } from '../errors';
import type { Dtype } from '../nd';
import type { Tensor } from '../tensor';
import { zeros } from '../creation';
import { conv1d, conv2d, convTranspose2d, pad, type ConvPadding, type SpatialArg } from '../ops';
import { checkKeys, perAxis } from '../ops/spatial';
import type { Generator } from '../random';
import { Module, Parameter } from './module';
import * as init from './init';

/** Options of the convolution layers (`nn.Conv1d`, `nn.Conv2d`): those of the op plus bias, dtype and the generator of the initial weights. */
export interface ConvLayerOptions {
  /** Step of the window (default 1). */
  stride?: SpatialArg;
  /** Padding (default 0), or 'valid' / 'same'; filled as `paddingMode` says. */
  padding?: ConvPadding;
  /** Spacing between kernel taps (default 1). */
  dilation?: SpatialArg;
  /** Channel groups (default 1; groups = inChannels is a depthwise convolution). */
  groups?: number;
  /** Learn an additive bias per out channel (default true). */
  bias?: boolean;
  /**
   * How the padding is filled, as PyTorch's padding_mode: 'zeros' (default), 'reflect' (mirror
   * without repeating the edge), 'replicate' (repeat the edge) or 'circular' (wrap around).
   * Non-zero modes pad the input with `pad` first, then convolve without padding.
   */
  paddingMode?: ConvPaddingMode;
  /** float32 (default) or float64. */
  dtype?: Dtype;
  /** The random source of the initial weights (default: the default generator). */
  generator?: Generator;
}

/** How a convolution layer fills its padding (PyTorch's padding_mode). */
export type ConvPaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Options of the transposed convolution layers. */
export interface ConvTransposeLayerOptions {
  /** Stride of the convolution this layer is the transpose of (default 1). */
  stride?: SpatialArg;
  /** Padding of the convolution this layer is the transpose of (default 0). */
  padding?: SpatialArg;
  /** Extra size added to one side of the output (default 0). */
  outputPadding?: SpatialArg;
  /** Spacing between kernel taps (default 1). */
  dilation?: SpatialArg;
  /** Split channels into this many independent groups (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** float32 (default) or float64. */
  dtype?: Dtype;
  /** The random source of the initial weights (default: the default generator). */
  generator?: Generator;
}

const LAYER_KEYS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'dtype', 'generator'] as const;
const T_LAYER_KEYS = ['stride', 'padding', 'outputPadding', 'dilation', 'groups', 'bias', 'dtype', 'generator'] as const;

/** Checks channel counts and groups for a layer named `name`. */
function checkChannels(name: string, inChannels: number, outChannels: number, groups: number): void {
  for (const [what, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', groups]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${name}: ${what} must be a positive integer, got ${String(v)}`);
  }
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new ArgumentError(`${name}: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${groups})`);
  }
}

/** The weight and bias of every convolution layer, and PyTorch's reset. */
abstract class ConvBase extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** The kernel size per spatial axis. */
  readonly kernelSize: readonly number[];
  /** Blocked connections from input to output channels (1: all to all). */
  readonly groups: number;
  /** [out, in/groups, ...kernel] for Conv1d/Conv2d, [in, out/groups, ...kernel] for ConvTranspose2d. */
  weight: Parameter;
  /** [outChannels], or null without bias. */
  bias: Parameter | null;

  protected constructor(
    name: string, inChannels: number, outChannels: number, kernel: number[], groups: number,
    weightShape: number[], bias: boolean, dtype: Dtype, generator: Generator | undefined,
  ) {
    super();
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = Object.freeze(kernel);
    this.groups = groups;
    if (dtype !== 'float32' && dtype !== 'float64') throw new ArgumentError(`${name}: dtype must be 'float32' or 'float64', got ${String(dtype)}`);
    this.weight = new Parameter(zeros(weightShape, { dtype }));
    this.bias = bias ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters(generator);
  }

  /** Re-draw weight and bias with PyTorch's default initialisation. */
  resetParameters(generator?: Generator): void {
    init.kaimingUniform(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform(this.bias, -bound, bound, { generator });
    }
  }
}

/** Options as the ops take them, with the per-axis values checked at construction. */
function convCommon(
  name: string, dims: number, options: ConvLayerOptions,
): { stride: number[]; padding: ConvPadding; dilation: number[]; paddingMode: ConvPaddingMode } {
  checkKeys(name, options, LAYER_KEYS);
  const paddingMode = options.paddingMode ?? 'zeros';
  if (paddingMode !== 'zeros' && paddingMode !== 'reflect' && paddingMode !== 'replicate' && paddingMode !== 'circular') {
    throw new ArgumentError(`${name}: unknown paddingMode '${String(paddingMode)}'; use 'zeros', 'reflect', 'replicate' or 'circular'`);
  }
  const stride = perAxis(name, 'stride', options.stride ?? 1, dims, 1);
  const dilation = perAxis(name, 'dilation', options.dilation ?? 1, dims, 1);
  const pad = options.padding ?? 0;
  let padding: ConvPadding;
  if (pad === 'same' || pad === 'valid') {
    if (pad === 'same' && stride.some((s) => s !== 1)) throw new ArgumentError(`${name}: padding 'same' needs stride 1`);
    padding = pad;
  } else if (typeof pad === 'string') {
    throw new ArgumentError(`${name}: unknown padding mode '${pad}'; use a number, one per axis, 'same' or 'valid'`);
  } else {
    padding = perAxis(name, 'padding', pad, dims, 0);
  }
  return { stride, padding, dilation, paddingMode };
}

/**
 * For a non-zero padding mode: x padded by the layer's padding amounts with that mode (as
 * PyTorch: 'same' puts ⌊total/2⌋ before and the rest after, total = dilation·(k − 1)), to be
 * convolved without padding. Errors of `pad` (say reflect padding as large as the input) are
 * re-thrown naming the layer.
 */
function modePadded(layer: string, x: Tensor, padding: ConvPadding, kernel: readonly number[], dilation: readonly number[], mode: ConvPaddingMode): Tensor {
  const dims = kernel.length;
  const amounts: number[] = [];
  // pad's list runs from the last axis back
  for (let i = dims - 1; i >= 0; i--) {
    if (padding === 'valid') {
      amounts.push(0, 0);
    } else if (padding === 'same') {
      const total = dilation[i] * (kernel[i] - 1);
      const before = Math.floor(total / 2);
      amounts.push(before, total - before);
    } else {
      const perAxisPadding = padding as readonly number[]; // the layer stores numeric padding per axis
      amounts.push(perAxisPadding[i], perAxisPadding[i]);
    }
  }
  try {
    return pad(x, amounts, { mode: mode as 'reflect' | 'replicate' | 'circular' });
  } catch (e) {
    if (e instanceof ShapeError) throw new ShapeError(`${layer} with paddingMode '${mode}': ${e.message}`);
    throw e;
  }
}

/** 2-D convolution: [N, inChannels, H, W] → [N, outChannels, OH, OW]. */
export class Conv2d extends ConvBase {
  /** The stride per spatial axis. */
  readonly stride: readonly number[];
  /** The zero padding per spatial axis, or 'same' / 'valid'. */
  readonly padding: ConvPadding;
  /** The spacing between kernel elements per spatial axis. */
  readonly dilation: readonly number[];
  /** How the padding is filled ('zeros' unless given). */
  readonly paddingMode: ConvPaddingMode;

  /** Creates a 2-D convolution from `inChannels` to `outChannels` with the given kernel size, initialised as PyTorch. */
  constructor(inChannels: number, outChannels: number, kernelSize: SpatialArg, options: ConvLayerOptions = {}) {
    const groups = options.groups ?? 1;
    checkChannels('Conv2d', inChannels, outChannels, groups);
    const kernel = perAxis('Conv2d', 'kernelSize', kernelSize, 2, 1);
    const { stride, padding, dilation, paddingMode } = convCommon('Conv2d', 2, options);
    super('Conv2d', inChannels, outChannels, kernel, groups, [outChannels, inChannels / groups, ...kernel],
      options.bias !== false, options.dtype ?? 'float32', options.generator);
    this.stride = stride;
    this.padding = padding;
    this.dilation = dilation;
    this.paddingMode = paddingMode;
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`Conv2d(${this.inChannels} → ${this.outChannels}): expected an input [N, ${this.inChannels}, H, W], got ${formatShape(x.shape)}`);
    }
    if (this.paddingMode !== 'zeros') {
      const padded = modePadded(`Conv2d(${this.inChannels} → ${this.outChannels})`, x, this.padding, this.kernelSize, this.dilation, this.paddingMode);
      return conv2d(padded, this.weight, this.bias, { stride: this.stride, padding: 0, dilation: this.dilation, groups: this.groups });
    }
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=${JSON.stringify(this.padding)}, ` +
      `dilation=[${this.dilation}], groups=${this.groups}, bias=${this.bias !== null}` +
      (this.paddingMode === 'zeros' ? '' : `, paddingMode=${this.paddingMode}`);
  }
}

/** 1-D convolution: [N, inChannels, L] → [N, outChannels, OL]. */
export class Conv1d extends ConvBase {
  /** The stride per spatial axis. */
  readonly stride: readonly number[];
  /** The zero padding per spatial axis, or 'same' / 'valid'. */
  readonly padding: ConvPadding;
  /** The spacing between kernel elements per spatial axis. */
  readonly dilation: readonly number[];
  /** How the padding is filled ('zeros' unless given). */
  readonly paddingMode: ConvPaddingMode;

  /** Creates a 1-D convolution from `inChannels` to `outChannels` with the given kernel size, initialised as PyTorch. */
  constructor(inChannels: number, outChannels: number, kernelSize: SpatialArg, options: ConvLayerOptions = {}) {
    const groups = options.groups ?? 1;
    checkChannels('Conv1d', inChannels, outChannels, groups);
    const kernel = perAxis('Conv1d', 'kernelSize', kernelSize, 1, 1);
    const { stride, padding, dilation, paddingMode } = convCommon('Conv1d', 1, options);
    super('Conv1d', inChannels, outChannels, kernel, groups, [outChannels, inChannels / groups, ...kernel],
      options.bias !== false, options.dtype ?? 'float32', options.generator);
    this.stride = stride;
    this.padding = padding;
    this.dilation = dilation;
    this.paddingMode = paddingMode;
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`Conv1d(${this.inChannels} → ${this.outChannels}): expected an input [N, ${this.inChannels}, L], got ${formatShape(x.shape)}`);
    }
    if (this.paddingMode !== 'zeros') {
      const padded = modePadded(`Conv1d(${this.inChannels} → ${this.outChannels})`, x, this.padding, this.kernelSize, this.dilation, this.paddingMode);
      return conv1d(padded, this.weight, this.bias, { stride: this.stride, padding: 0, dilation: this.dilation, groups: this.groups });
    }
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize[0]}, stride=${this.stride[0]}, padding=${JSON.stringify(this.padding)}, ` +
      `dilation=${this.dilation[0]}, groups=${this.groups}, bias=${this.bias !== null}` +
      (this.paddingMode === 'zeros' ? '' : `, paddingMode=${this.paddingMode}`);
  }
}

/** Transposed 2-D convolution: [N, inChannels, H, W] → [N, outChannels, OH, OW], weight [in, out/groups, kH, kW]. */
export class ConvTranspose2d extends ConvBase {
  /** The stride per spatial axis. */
  readonly stride: readonly number[];
  /** The padding per spatial axis, with PyTorch's ConvTranspose2d meaning (it trims the output). */
  readonly padding: readonly number[];
  /** Extra size added to one side of each output spatial axis. */
  readonly outputPadding: readonly number[];
  /** The spacing between kernel elements per spatial axis. */
  readonly dilation: readonly number[];

  /** Creates a 2-D transposed convolution from `inChannels` to `outChannels` with the given kernel size, initialised as PyTorch. */
  constructor(inChannels: number, outChannels: number, kernelSize: SpatialArg, options: ConvTransposeLayerOptions = {}) {
    const name = 'ConvTranspose2d';
    checkKeys(name, options, T_LAYER_KEYS);
    const groups = options.groups ?? 1;
    checkChannels(name, inChannels, outChannels, groups);
    const kernel = perAxis(name, 'kernelSize', kernelSize, 2, 1);
    const stride = perAxis(name, 'stride', options.stride ?? 1, 2, 1);
    const padding = perAxis(name, 'padding', options.padding ?? 0, 2, 0);
    const outputPadding = perAxis(name, 'outputPadding', options.outputPadding ?? 0, 2, 0);
    const dilation = perAxis(name, 'dilation', options.dilation ?? 1, 2, 1);
    for (let i = 0; i < 2; i++) {
      if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
        throw new ArgumentError(`${name}: outputPadding ${outputPadding[i]} must be smaller than the stride (${stride[i]}) or the dilation (${dilation[i]})`);
      }
    }
    super(name, inChannels, outChannels, kernel, groups, [inChannels, outChannels / groups, ...kernel],
      options.bias !== false, options.dtype ?? 'float32', options.generator);
    this.stride = stride;
    this.padding = padding;
    this.outputPadding = outputPadding;
    this.dilation = dilation;
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`ConvTranspose2d(${this.inChannels} → ${this.outChannels}): expected an input [N, ${this.inChannels}, H, W], got ${formatShape(x.shape)}`);
    }
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups,
    });
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}], ` +
      `outputPadding=[${this.outputPadding}], dilation=[${this.dilation}], groups=${this.groups}, bias=${this.bias !== null}`;
  }
}
