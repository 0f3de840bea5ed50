// Pooling layers as PyTorch's (no parameters, no state): MaxPool1d/2d, AvgPool1d/2d and
// AdaptiveAvgPool2d. Options are checked at construction; the input at each call.
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import {
  adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d,
  type AvgPoolOptions, type MaxPoolOptions, type SpatialArg,
} from '../ops';
import { checkKeys, perAxis } from '../ops/spatial';
import { Module } from './module';

const MAX_KEYS = ['stride', 'padding', 'dilation', 'ceilMode'] as const;
const AVG_KEYS = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'] as const;

function checkMax(name: string, dims: number, kernelSize: SpatialArg, options: MaxPoolOptions): void {
  checkKeys(name, options, MAX_KEYS);
  const k = perAxis(name, 'kernelSize', kernelSize, dims, 1);
  if (options.stride !== undefined) perAxis(name, 'stride', options.stride, dims, 1);
  const p = perAxis(name, 'padding', options.padding ?? 0, dims, 0);
  perAxis(name, 'dilation', options.dilation ?? 1, dims, 1);
  if (p.some((v, i) => 2 * v > k[i])) throw new ArgumentError(`${name}: padding [${p}] must be at most half the kernel size [${k}]`);
  if (options.ceilMode !== undefined && typeof options.ceilMode !== 'boolean') throw new ArgumentError(`${name}: ceilMode must be a boolean`);
}

function checkAvg(name: string, dims: number, kernelSize: SpatialArg, options: AvgPoolOptions): void {
  checkKeys(name, options, dims === 1 ? AVG_KEYS.filter((k) => k !== 'divisorOverride') : AVG_KEYS);
  const k = perAxis(name, 'kernelSize', kernelSize, dims, 1);
  if (options.stride !== undefined) perAxis(name, 'stride', options.stride, dims, 1);
  const p = perAxis(name, 'padding', options.padding ?? 0, dims, 0);
  if (p.some((v, i) => 2 * v > k[i])) throw new ArgumentError(`${name}: padding [${p}] must be at most half the kernel size [${k}]`);
  for (const key of ['ceilMode', 'countIncludePad'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new ArgumentError(`${name}: ${key} must be a boolean`);
  }
  const d = options.divisorOverride;
  if (d !== undefined && d !== null && (typeof d !== 'number' || !Number.isFinite(d) || d === 0)) {
    throw new ArgumentError(`${name}: divisorOverride must be a non-zero number or null, got ${String(d)}`);
  }
}

/** 2-D max pooling; ties send the gradient to the first maximum in window order (as PyTorch's CPU kernel). */
export class MaxPool2d extends Module {
  /** The window size. */
  readonly kernelSize: SpatialArg;
  /** The pooling options (stride, padding, ...). */
  readonly options: Readonly<MaxPoolOptions>;

  /** Creates the layer with the given window size (stride defaults to the window). */
  constructor(kernelSize: SpatialArg, options: MaxPoolOptions = {}) {
    super();
    checkMax('MaxPool2d', 2, kernelSize, options);
    this.kernelSize = kernelSize;
    this.options = { ...options };
  }

  override forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }

  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.options)}`;
  }
}

/** 1-D max pooling of [N, C, L]. */
export class MaxPool1d extends Module {
  /** The window size. */
  readonly kernelSize: SpatialArg;
  /** The pooling options (stride, padding, ...). */
  readonly options: Readonly<MaxPoolOptions>;

  /** Creates the layer with the given window size (stride defaults to the window). */
  constructor(kernelSize: SpatialArg, options: MaxPoolOptions = {}) {
    super();
    checkMax('MaxPool1d', 1, kernelSize, options);
    this.kernelSize = kernelSize;
    this.options = { ...options };
  }

  override forward(x: Tensor): Tensor {
    return maxPool1d(x, this.kernelSize, this.options);
  }

  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.options)}`;
  }
}

/** 2-D average pooling. */
export class AvgPool2d extends Module {
  /** The window size. */
  readonly kernelSize: SpatialArg;
  /** The pooling options (stride, padding, ...). */
  readonly options: Readonly<AvgPoolOptions>;

  /** Creates the layer with the given window size (stride defaults to the window). */
  constructor(kernelSize: SpatialArg, options: AvgPoolOptions = {}) {
    super();
    checkAvg('AvgPool2d', 2, kernelSize, options);
    this.kernelSize = kernelSize;
    this.options = { ...options };
  }

  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }

  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.options)}`;
  }
}

/** 1-D average pooling of [N, C, L]. */
export class AvgPool1d extends Module {
  /** The window size. */
  readonly kernelSize: SpatialArg;
  /** The pooling options (stride, padding, ...). */
  readonly options: Readonly<Omit<AvgPoolOptions, 'divisorOverride'>>;

  /** Creates the layer with the given window size (stride defaults to the window). */
  constructor(kernelSize: SpatialArg, options: Omit<AvgPoolOptions, 'divisorOverride'> = {}) {
    super();
    checkAvg('AvgPool1d', 1, kernelSize, options);
    this.kernelSize = kernelSize;
    this.options = { ...options };
  }

  override forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize, this.options);
  }

  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.options)}`;
  }
}

/** Average pooling to a fixed output size; `new AdaptiveAvgPool2d(1)` is global average pooling. */
export class AdaptiveAvgPool2d extends Module {
  /** The output spatial size (null in a pair keeps that input size). */
  readonly outputSize: number | readonly (number | null)[];

  /** Creates the layer pooling to `outputSize` (null in a pair keeps that input size). */
  constructor(outputSize: number | readonly (number | null)[]) {
    super();
    const list = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) ? outputSize : null;
    if (list === null || list.length !== 2 || list.some((v) => v !== null && (!Number.isInteger(v) || (v as number) < 1))) {
      throw new ArgumentError(`AdaptiveAvgPool2d: outputSize must be a positive integer or a pair of them (null keeps the input size), got ${JSON.stringify(outputSize)}`);
    }
    this.outputSize = typeof outputSize === 'number' ? outputSize : [...outputSize];
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  protected override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}
