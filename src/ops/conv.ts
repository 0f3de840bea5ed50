// Convolutions over NCL / NCHW tensors, as PyTorch's conv1d, conv2d and conv_transpose2d.
// The kernels (im2col + gemm, col2im) are in src/nd/conv.ts; a 1-D convolution is a 2-D one with
// height 1. Backward: a convolution's input gradient is a transposed convolution of the output
// gradient and vice versa, and both weights' gradient is Σ g · im2col(input)ᵀ.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import type { Tensor } from '../tensor';
import { defineOp, record } from './record';
import { shouldRecord } from '../autograd/tape';
import { type SpatialArg, checkKeys, checkTensor, perAxis, windowCount } from './spatial';

/** Padding of a convolution: a number, one per spatial axis, or 'valid' (none) / 'same' (output size = input size, stride 1). */
export type ConvPadding = SpatialArg | 'same' | 'valid';

/** Options of the convolutions: stride, padding, dilation and groups (a number, or one per spatial axis). */
export interface ConvOptions {
  /** Step of the window along each spatial axis (default 1). */
  stride?: SpatialArg;
  /** Zeros added on both sides of each spatial axis (default 0), or 'valid' / 'same'. */
  padding?: ConvPadding;
  /** Spacing between kernel taps (default 1). */
  dilation?: SpatialArg;
  /** Split channels into this many independent groups (default 1; = in channels for depthwise). */
  groups?: number;
}

/** Options of the transposed convolutions: those of ConvOptions plus the output padding. */
export interface ConvTransposeOptions {
  /** Stride of the convolution this op is the transpose of (default 1). */
  stride?: SpatialArg;
  /** Padding of the convolution this op is the transpose of: removes dilation·(k−1)−padding... rows (default 0). */
  padding?: SpatialArg;
  /** Extra rows/columns added to one side of the output (default 0; must be < stride or < dilation). */
  outputPadding?: SpatialArg;
  /** Spacing between kernel taps (default 1). */
  dilation?: SpatialArg;
  /** Split channels into this many independent groups (default 1). */
  groups?: number;
}

const CONV_KEYS = ['stride', 'padding', 'dilation', 'groups'] as const;
const CONV_T_KEYS = ['stride', 'padding', 'outputPadding', 'dilation', 'groups'] as const;

interface ConvSaved {
  x: nd.Nd;
  /** The forward's column matrices, when small enough to keep (the weight gradient reuses them). */
  columns: nd.SavedColumns | null;
  w: nd.Nd;
  geom: nd.ConvGeometry;
  dtype: nd.Dtype;
  xShape: readonly number[];
  hasBias: boolean;
}

function castTo(a: nd.Nd, dtype: nd.Dtype): nd.Nd {
  return nd.dtypeOf(a) === dtype ? a : nd.copy(a, dtype);
}

// ---- conv (conv1d and conv2d share one backward) ----
function convBackward(g: nd.Nd, s: ConvSaved, needs: readonly boolean[]): (nd.Nd | null)[] {
  const { x, w, geom, dtype, xShape } = s;
  const g4 = nd.reshape(g, [geom.n, geom.cs, geom.oh, geom.ow]);
  const dx = needs[0] ? castTo(nd.reshape(nd.convBig(g4, w, geom, dtype, true), xShape), nd.dtypeOf(x)) : null;
  // the bias gradient comes with the weight gradient (on the WASM module, from the same staged copy)
  const db = s.hasBias && needs[2] ? nd.zeros([geom.cs], dtype) : null;
  const dw = needs[1] ? castTo(nd.convWgt(x, g4, w.shape, geom, dtype, s.columns, db === null ? null : db.data), nd.dtypeOf(w)) : null;
  if (!s.hasBias) return [dx, dw];
  if (db === null) return [dx, dw, null];
  return [dx, dw, needs[1] ? db : nd.channelSum(g4, dtype)];
}
const conv2dOp = defineOp<ConvSaved>('conv2d', convBackward);
const conv1dOp = defineOp<ConvSaved>('conv1d', convBackward);

/** Checks the operands and options of conv1d/conv2d and works out the geometry. */
function convSetup(op: string, dims: 1 | 2, x: Tensor, weight: Tensor, bias: Tensor | null, options: ConvOptions): nd.ConvGeometry {
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', weight);
  if (bias !== null && bias !== undefined) checkTensor(op, 'bias', bias);
  checkKeys(op, options, CONV_KEYS);
  const layout = dims === 1 ? '[N, C, L]' : '[N, C, H, W]';
  const wLayout = dims === 1 ? '[out, in/groups, k]' : '[out, in/groups, kH, kW]';
  if (x.ndim !== dims + 2) {
    throw new ShapeError(`${op}: the input must be ${dims + 2}-D ${layout}, got ${formatShape(x.shape)}${x.ndim === dims + 1 ? '; add a batch axis with unsqueeze(0)' : ''}`);
  }
  if (weight.ndim !== dims + 2) {
    throw new ShapeError(`${op}: the weight must be ${dims + 2}-D ${wLayout}, got ${formatShape(weight.shape)}`);
  }
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ArgumentError(`${op}: groups must be a positive integer, got ${String(groups)}`);
  const stride = perAxis(op, 'stride', options.stride ?? 1, dims, 1);
  const dilation = perAxis(op, 'dilation', options.dilation ?? 1, dims, 1);
  const [n, cin] = x.shape;
  const [cout, cinG] = weight.shape;
  const kernel = weight.shape.slice(2);
  if (cin % groups !== 0 || cout % groups !== 0) {
    throw new ShapeError(
      `${op}: in channels (${cin}, input ${formatShape(x.shape)}) and out channels (${cout}, weight ${formatShape(weight.shape)}) must both be divisible by groups = ${groups}`,
    );
  }
  if (cinG * groups !== cin) {
    throw new ShapeError(
      `${op}: the input has ${cin} channels (${formatShape(x.shape)}) but the weight ${formatShape(weight.shape)} expects ${cinG * groups} ` +
        `(weight.shape[1] · groups = ${cinG} · ${groups}); make weight.shape[1] = in channels / groups`,
    );
  }
  if (kernel.some((k) => k < 1)) throw new ShapeError(`${op}: the weight ${formatShape(weight.shape)} has an empty kernel`);
  if (bias !== null && bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== cout)) {
    throw new ShapeError(`${op}: the bias must have shape [${cout}] (one per out channel), got ${formatShape(bias.shape)}`);
  }
  const spatial = x.shape.slice(2);
  const pad = options.padding ?? 0;
  let before: number[];
  let after: number[];
  if (pad === 'valid') {
    before = new Array<number>(dims).fill(0);
    after = before;
  } else if (pad === 'same') {
    if (stride.some((s) => s !== 1)) {
      throw new ArgumentError(`${op}: padding 'same' needs stride 1, got stride ${JSON.stringify(options.stride)}; give the padding as numbers instead`);
    }
    // total dilation·(k − 1), the extra one (if odd) after, as PyTorch
    before = kernel.map((k, i) => Math.floor((dilation[i] * (k - 1)) / 2));
    after = kernel.map((k, i) => dilation[i] * (k - 1) - before[i]);
  } else if (typeof pad === 'string') {
    throw new ArgumentError(`${op}: unknown padding mode '${pad}'; use a number, one per axis, 'same' or 'valid'`);
  } else {
    before = perAxis(op, 'padding', pad, dims, 0);
    after = before;
  }
  const axisNames = dims === 1 ? ['length'] : ['height', 'width'];
  const out = spatial.map((size, i) =>
    windowCount(op, axisNames[i], size, kernel[i], stride[i], before[i], after[i], dilation[i], false, x.shape),
  );
  const at = (arr: readonly number[], i2: number, d1: number): number => (dims === 1 ? d1 : arr[i2]);
  return {
    n, cb: cin, cs: cout,
    h: at(spatial, 0, 1), w: spatial[dims - 1],
    kh: at(kernel, 0, 1), kw: kernel[dims - 1],
    sh: at(stride, 0, 1), sw: stride[dims - 1],
    ph: at(before, 0, 0), pw: before[dims - 1],
    dh: at(dilation, 0, 1), dw: dilation[dims - 1],
    oh: at(out, 0, 1), ow: out[dims - 1],
    groups,
  };
}

function convForward(op: typeof conv2dOp, x: Tensor, weight: Tensor, bias: Tensor | null, geom: nd.ConvGeometry, outShape: number[]): Tensor {
  let dtype = nd.promote(x.dtype, weight.dtype);
  if (bias !== null) dtype = nd.promote(dtype, bias.dtype);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  // keep the columns for backward only when a weight gradient will be computed from them
  const keep = weight.requiresGrad && shouldRecord(inputs) ? { columns: null } : null;
  const y = nd.convSmall(x.data, weight.data, geom, dtype, keep, bias === null ? null : bias.data);
  const saved: ConvSaved = { x: x.data, columns: keep?.columns ?? null, w: weight.data, geom, dtype, xShape: x.shape, hasBias: bias !== null };
  return record(op, inputs, nd.wrap(y.data, outShape), saved);
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of x [N, Cin, H, W] with weight
 * [Cout, Cin/groups, kH, kW] plus an optional bias [Cout]: [N, Cout, OH, OW] with
 * OH = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1.
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  const geom = convSetup('conv2d', 2, x, weight, bias ?? null, options);
  return convForward(conv2dOp, x, weight, bias ?? null, geom, [geom.n, geom.cs, geom.oh, geom.ow]);
}

/**
 * 1-D convolution of x [N, Cin, L] with weight [Cout, Cin/groups, k] plus an optional
 * bias [Cout]; the result is [N, Cout, OL].
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  const geom = convSetup('conv1d', 1, x, weight, bias ?? null, options);
  return convForward(conv1dOp, x, weight, bias ?? null, geom, [geom.n, geom.cs, geom.ow]);
}

// ---- convTranspose2d: the adjoint of conv2d with respect to its input ----
interface ConvTSaved {
  x: nd.Nd;
  w: nd.Nd;
  geom: nd.ConvGeometry;
  dtype: nd.Dtype;
  hasBias: boolean;
}

const convTranspose2dOp = defineOp<ConvTSaved>('convTranspose2d', (g, s, needs) => {
  const { x, w, geom, dtype } = s;
  const g4 = nd.reshape(g, [geom.n, geom.cb, geom.h, geom.w]);
  // y = convBig(x) ⇒ dx = convSmall(g), dW = convWgt(big = g, small = x)
  const dx = needs[0] ? castTo(nd.convSmall(g4, w, geom, dtype), nd.dtypeOf(x)) : null;
  const dw = needs[1] ? castTo(nd.convWgt(g4, x, w.shape, geom, dtype), nd.dtypeOf(w)) : null;
  if (!s.hasBias) return [dx, dw];
  return [dx, dw, needs[2] ? nd.channelSum(g4, dtype) : null];
});

/**
 * Transposed 2-D convolution ("deconvolution", the gradient of conv2d with respect to its input)
 * of x [N, Cin, H, W] with weight [Cin, Cout/groups, kH, kW] plus an optional bias [Cout]:
 * [N, Cout, OH, OW] with OH = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTransposeOptions = {}): Tensor {
  const op = 'convTranspose2d';
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', weight);
  const b = bias ?? null;
  if (b !== null) checkTensor(op, 'bias', b);
  checkKeys(op, options, CONV_T_KEYS);
  if (x.ndim !== 4) {
    throw new ShapeError(`${op}: the input must be 4-D [N, C, H, W], got ${formatShape(x.shape)}${x.ndim === 3 ? '; add a batch axis with unsqueeze(0)' : ''}`);
  }
  if (weight.ndim !== 4) throw new ShapeError(`${op}: the weight must be 4-D [in, out/groups, kH, kW], got ${formatShape(weight.shape)}`);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ArgumentError(`${op}: groups must be a positive integer, got ${String(groups)}`);
  const stride = perAxis(op, 'stride', options.stride ?? 1, 2, 1);
  const dilation = perAxis(op, 'dilation', options.dilation ?? 1, 2, 1);
  const padding = perAxis(op, 'padding', options.padding ?? 0, 2, 0);
  const outputPadding = perAxis(op, 'outputPadding', options.outputPadding ?? 0, 2, 0);
  const [n, cin, h, w] = x.shape;
  const [wIn, coutG, kh, kw] = weight.shape;
  if (wIn !== cin) {
    throw new ShapeError(`${op}: the input has ${cin} channels (${formatShape(x.shape)}) but the weight ${formatShape(weight.shape)} expects ${wIn} (weight.shape[0])`);
  }
  if (cin % groups !== 0) {
    throw new ShapeError(`${op}: in channels (${cin}, input ${formatShape(x.shape)}) must be divisible by groups = ${groups}`);
  }
  if (kh < 1 || kw < 1) throw new ShapeError(`${op}: the weight ${formatShape(weight.shape)} has an empty kernel`);
  const cout = coutG * groups;
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== cout)) {
    throw new ShapeError(`${op}: the bias must have shape [${cout}] (weight.shape[1] · groups), got ${formatShape(b.shape)}`);
  }
  for (let i = 0; i < 2; i++) {
    if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
      throw new ArgumentError(
        `${op}: outputPadding ${outputPadding[i]} must be smaller than the stride (${stride[i]}) or the dilation (${dilation[i]})`,
      );
    }
  }
  const k = [kh, kw];
  const spatial = [h, w];
  const out = spatial.map((size, i) => (size - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k[i] - 1) + outputPadding[i] + 1);
  if (out.some((o) => o < 1)) {
    throw new ShapeError(
      `${op}: the output would be ${out.join('×')} for input ${formatShape(x.shape)}, kernel ${kh}×${kw}, stride ${stride}, padding ${padding}; use less padding`,
    );
  }
  const geom: nd.ConvGeometry = {
    n, cb: cout, cs: cin, h: out[0], w: out[1], kh, kw,
    sh: stride[0], sw: stride[1], ph: padding[0], pw: padding[1], dh: dilation[0], dw: dilation[1],
    oh: h, ow: w, groups,
  };
  let dtype = nd.promote(x.dtype, weight.dtype);
  if (b !== null) dtype = nd.promote(dtype, b.dtype);
  const y = nd.convBig(x.data, weight.data, geom, dtype);
  if (b !== null) nd.addChannelBias(y, b.data);
  const inputs = b === null ? [x, weight] : [x, weight, b];
  return record(convTranspose2dOp, inputs, y, { x: x.data, w: weight.data, geom, dtype, hasBias: b !== null });
}
