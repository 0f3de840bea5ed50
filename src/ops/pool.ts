// Pooling over NCL / NCHW tensors (a leading batch axis is optional, as in PyTorch):
// max, average and adaptive average. Kernels in src/nd/conv.ts; 1-D pooling is 2-D with height 1.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import type { Tensor } from '../tensor';
import { defineOp, record } from './record';
import { type SpatialArg, checkKeys, checkTensor, perAxis, windowCount } from './spatial';

export interface MaxPoolOptions {
  /** Step of the window (default: the kernel size). */
  stride?: SpatialArg;
  /** Implicit −∞ padding on both sides (default 0; at most half the kernel). */
  padding?: SpatialArg;
  /** Spacing between window taps (default 1). */
  dilation?: SpatialArg;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
}

export interface AvgPoolOptions {
  /** Step of the window (default: the kernel size). */
  stride?: SpatialArg;
  /** Implicit zero padding on both sides (default 0; at most half the kernel). */
  padding?: SpatialArg;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead (default: the window size). */
  divisorOverride?: number | null;
}

const MAX_KEYS = ['stride', 'padding', 'dilation', 'ceilMode'] as const;
const AVG_KEYS = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'] as const;

interface PoolShape {
  geom: nd.PoolGeometry;
  outShape: number[];
}

/** Validates a pooling call and works out its geometry (the batch axis optional). */
function poolSetup(
  op: string, dims: 1 | 2, x: Tensor, kernelSize: SpatialArg,
  options: { stride?: SpatialArg; padding?: SpatialArg; dilation?: SpatialArg; ceilMode?: boolean },
  withDilation: boolean,
): PoolShape {
  checkTensor(op, 'input', x);
  const layout = dims === 1 ? '[N, C, L] or [C, L]' : '[N, C, H, W] or [C, H, W]';
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new ShapeError(`${op}: the input must be ${layout}, got ${formatShape(x.shape)}`);
  }
  const kernel = perAxis(op, 'kernelSize', kernelSize, dims, 1);
  const stride = options.stride === undefined || options.stride === null ? kernel : perAxis(op, 'stride', options.stride, dims, 1);
  const padding = perAxis(op, 'padding', options.padding ?? 0, dims, 0);
  const dilation = withDilation ? perAxis(op, 'dilation', options.dilation ?? 1, dims, 1) : new Array<number>(dims).fill(1);
  const ceilMode = options.ceilMode ?? false;
  if (typeof ceilMode !== 'boolean') throw new ArgumentError(`${op}: ceilMode must be a boolean, got ${String(ceilMode)}`);
  for (let i = 0; i < dims; i++) {
    if (2 * padding[i] > kernel[i]) {
      throw new ArgumentError(`${op}: padding ${padding[i]} must be at most half the kernel size ${kernel[i]}`);
    }
  }
  const spatial = x.shape.slice(x.ndim - dims);
  const planes = nd.sizeOf(x.shape.slice(0, x.ndim - dims));
  const names = dims === 1 ? ['length'] : ['height', 'width'];
  const out = spatial.map((size, i) => windowCount(op, names[i], size, kernel[i], stride[i], padding[i], padding[i], dilation[i], ceilMode, x.shape));
  const two = (arr: readonly number[], fill: number): [number, number] => (dims === 1 ? [fill, arr[0]] : [arr[0], arr[1]]);
  const [h, w] = two(spatial, 1);
  const [kh, kw] = two(kernel, 1);
  const [sh, sw] = two(stride, 1);
  const [ph, pw] = two(padding, 0);
  const [dh, dw] = two(dilation, 1);
  const [oh, ow] = two(out, 1);
  return {
    geom: { planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow },
    outShape: [...x.shape.slice(0, x.ndim - dims), ...out],
  };
}

// ---- max pooling: the gradient goes to the arg-max of each window ----
interface MaxSaved {
  argmax: Int32Array;
  geom: nd.PoolGeometry;
  xShape: readonly number[];
  dtype: nd.Dtype;
}

function maxBackward(g: nd.Nd, s: MaxSaved): [nd.Nd] {
  return [nd.wrap(nd.maxPoolBackward(g, s.argmax, s.geom, s.dtype), s.xShape)];
}
const maxPool2dOp = defineOp<MaxSaved>('maxPool2d', maxBackward);
const maxPool1dOp = defineOp<MaxSaved>('maxPool1d', maxBackward);

function maxPool(op: typeof maxPool2dOp, dims: 1 | 2, x: Tensor, kernelSize: SpatialArg, options: MaxPoolOptions): Tensor {
  checkKeys(op.name, options, MAX_KEYS);
  const { geom, outShape } = poolSetup(op.name, dims, x, kernelSize, options, true);
  const { out, argmax } = nd.maxPool(x.data, geom);
  return record(op, [x], nd.wrap(out.data, outShape), { argmax, geom, xShape: x.shape, dtype: x.dtype });
}

/**
 * 2-D max pooling of [N, C, H, W] (or [C, H, W]). The gradient of each window goes to one
 * element: its maximum, and on ties the first in window order (row by row), as PyTorch's CPU
 * kernel; a NaN in a window is its maximum.
 */
export function maxPool2d(x: Tensor, kernelSize: SpatialArg, options: MaxPoolOptions = {}): Tensor {
  return maxPool(maxPool2dOp, 2, x, kernelSize, options);
}

/** 1-D max pooling of [N, C, L] (or [C, L]); ties as maxPool2d (first in the window). */
export function maxPool1d(x: Tensor, kernelSize: SpatialArg, options: MaxPoolOptions = {}): Tensor {
  return maxPool(maxPool1dOp, 1, x, kernelSize, options);
}

// ---- average pooling ----
interface AvgSaved {
  geom: nd.PoolGeometry;
  xShape: readonly number[];
  dtype: nd.Dtype;
  countIncludePad: boolean;
  divisor: number | null;
}

function avgBackward(g: nd.Nd, s: AvgSaved): [nd.Nd] {
  return [nd.wrap(nd.avgPoolBackward(g, s.geom, s.countIncludePad, s.divisor, s.dtype), s.xShape)];
}
const avgPool2dOp = defineOp<AvgSaved>('avgPool2d', avgBackward);
const avgPool1dOp = defineOp<AvgSaved>('avgPool1d', avgBackward);

function avgPool(op: typeof avgPool2dOp, dims: 1 | 2, x: Tensor, kernelSize: SpatialArg, options: AvgPoolOptions): Tensor {
  checkKeys(op.name, options, AVG_KEYS);
  const countIncludePad = options.countIncludePad ?? true;
  if (typeof countIncludePad !== 'boolean') throw new ArgumentError(`${op.name}: countIncludePad must be a boolean, got ${String(countIncludePad)}`);
  const divisor = options.divisorOverride ?? null;
  if (divisor !== null && (typeof divisor !== 'number' || !Number.isFinite(divisor) || divisor === 0)) {
    throw new ArgumentError(`${op.name}: divisorOverride must be a non-zero number or null, got ${String(divisor)}`);
  }
  if (dims === 1 && divisor !== null) throw new ArgumentError(`${op.name}: divisorOverride is only for avgPool2d (as in PyTorch)`);
  const { geom, outShape } = poolSetup(op.name, dims, x, kernelSize, options, false);
  const out = nd.avgPool(x.data, geom, countIncludePad, divisor);
  return record(op, [x], nd.wrap(out.data, outShape), { geom, xShape: x.shape, dtype: x.dtype, countIncludePad, divisor });
}

/**
 * 2-D average pooling of [N, C, H, W] (or [C, H, W]). With padding, countIncludePad (default
 * true) divides by the window size including the zeros, else by the number of input elements.
 */
export function avgPool2d(x: Tensor, kernelSize: SpatialArg, options: AvgPoolOptions = {}): Tensor {
  return avgPool(avgPool2dOp, 2, x, kernelSize, options);
}

/** 1-D average pooling of [N, C, L] (or [C, L]). */
export function avgPool1d(x: Tensor, kernelSize: SpatialArg, options: Omit<AvgPoolOptions, 'divisorOverride'> = {}): Tensor {
  return avgPool(avgPool1dOp, 1, x, kernelSize, options);
}

// ---- adaptive average pooling ----
interface AdaptiveSaved {
  planes: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  xShape: readonly number[];
  dtype: nd.Dtype;
}

const adaptiveAvgPool2dOp = defineOp<AdaptiveSaved>('adaptiveAvgPool2d', (g, s) => [
  nd.wrap(nd.adaptiveAvgPoolBackward(g, s.planes, s.h, s.w, s.oh, s.ow, s.dtype), s.xShape),
]);

/**
 * Average pooling of [N, C, H, W] (or [C, H, W]) to a fixed output size [OH, OW] (a number for
 * both; null in a pair keeps that input size): output row i averages input rows
 * ⌊i·H/OH⌋ … ⌈(i+1)·H/OH⌉ − 1. `adaptiveAvgPool2d(x, 1)` is global average pooling.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const op = 'adaptiveAvgPool2d';
  checkTensor(op, 'input', x);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${op}: the input must be [N, C, H, W] or [C, H, W], got ${formatShape(x.shape)}`);
  const [h, w] = x.shape.slice(-2);
  const given = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) ? outputSize : null;
  if (given === null || given.length !== 2 || given.some((v) => v !== null && (typeof v !== 'number' || !Number.isInteger(v) || v < 1))) {
    throw new ArgumentError(`${op}: outputSize must be a positive integer or a pair of them (null keeps the input size), got ${JSON.stringify(outputSize)}`);
  }
  const oh = given[0] ?? h;
  const ow = given[1] ?? w;
  if (h < 1 || w < 1) throw new ShapeError(`${op}: the input ${formatShape(x.shape)} has an empty spatial axis`);
  const planes = nd.sizeOf(x.shape.slice(0, -2));
  const out = nd.adaptiveAvgPool(x.data, planes, h, w, oh, ow);
  const outShape = [...x.shape.slice(0, -2), oh, ow];
  return record(adaptiveAvgPool2dOp, [x], nd.wrap(out.data, outShape), { planes, h, w, oh, ow, xShape: x.shape, dtype: x.dtype });
}
