// interpolate: resizing of [N, C, H, W] (or [N, C, L]) tensors, as PyTorch's F.interpolate with
// mode 'nearest' (output i reads input ⌊i·in/out⌋) or 'bilinear' / 'linear': with alignCorners
// false output i samples input position (i + ½)·in/out − ½, clamped at 0, between its two
// neighbours; with alignCorners true it samples i·(in − 1)/(out − 1), so the corner samples sit
// on the corner inputs. Bilinear is separable: a linear pass along H, then along W.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import type { Tensor } from '../tensor';
import { defineOp, record } from './record';
import { checkKeys, checkTensor } from './spatial';

/** How `interpolate` samples: nearest neighbour, or linear / bilinear. */
export type InterpolateMode = 'nearest' | 'linear' | 'bilinear';

/** Options of `interpolate`: an output `size` or a `scaleFactor`, and the mode. */
export interface InterpolateOptions {
  /** The output's spatial size: a number for every spatial axis, or one per axis. */
  size?: number | readonly number[];
  /** Or a factor per spatial axis (the output size is ⌊in·factor⌋), as PyTorch's scale_factor. */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (default), 'linear' (3-D input) or 'bilinear' (4-D input). */
  mode?: InterpolateMode;
  /**
   * Linear modes only. false (the default, PyTorch's): output pixel centres are spread over the
   * input's extent, sampling (i + ½)·in/out − ½. true: the corner pixels align, sampling
   * i·(in − 1)/(out − 1) (a scaleFactor then only sets the output size, as PyTorch).
   */
  alignCorners?: boolean;
}

interface Pass {
  axis: number;
  lo: Int32Array;
  hi: Int32Array;
  lam: Float64Array;
  inShape: number[];
}

interface InterpSaved {
  passes: Pass[];
  dtype: nd.Dtype;
}

const interpolateOp = defineOp<InterpSaved>('interpolate', (g, { passes, dtype }) => {
  let grad = g;
  for (let k = passes.length - 1; k >= 0; k--) {
    const p = passes[k];
    grad = nd.lerpAxisAdjoint(grad, p.inShape, p.axis, p.lo, p.hi, p.lam, dtype);
  }
  return [grad];
});

/** The sampling of one axis of `size` resized to `out`. */
function axisPass(size: number, out: number, mode: InterpolateMode, scale: number | null, alignCorners: boolean): Omit<Pass, 'axis' | 'inShape'> {
  const lo = new Int32Array(out);
  const hi = new Int32Array(out);
  const lam = new Float64Array(out);
  // PyTorch uses 1/scaleFactor when one is given, else in/out
  const ratio = scale !== null ? 1 / scale : size / out;
  for (let i = 0; i < out; i++) {
    if (mode === 'nearest') {
      const j = Math.min(Math.floor(i * ratio), size - 1);
      lo[i] = j;
      hi[i] = j;
    } else {
      const src = alignCorners ? (out > 1 ? (i * (size - 1)) / (out - 1) : 0) : Math.max((i + 0.5) * ratio - 0.5, 0);
      const j = Math.min(Math.floor(src), size - 1);
      lo[i] = j;
      hi[i] = Math.min(j + 1, size - 1);
      lam[i] = src - j;
    }
  }
  return { lo, hi, lam };
}

/** Resizes the spatial axes of x [N, C, L] or [N, C, H, W] (see InterpolateOptions). */
export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  const op = 'interpolate';
  checkTensor(op, 'input', x);
  if (options === null || typeof options !== 'object') throw new ArgumentError(`${op}: options { size } or { scaleFactor } are required`);
  checkKeys(op, options, ['size', 'scaleFactor', 'mode', 'alignCorners']);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${op}: the input must be [N, C, L] or [N, C, H, W], got ${formatShape(x.shape)}`);
  const mode = options.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear') {
    throw new ArgumentError(`${op}: unknown mode '${String(mode)}'; use 'nearest', 'linear' (3-D input) or 'bilinear' (4-D input)`);
  }
  if ((mode === 'linear' && x.ndim !== 3) || (mode === 'bilinear' && x.ndim !== 4)) {
    throw new ShapeError(`${op}: mode '${mode}' needs a ${mode === 'linear' ? '3' : '4'}-D input, got ${formatShape(x.shape)}`);
  }
  const alignCorners = options.alignCorners ?? false;
  if (typeof alignCorners !== 'boolean') throw new ArgumentError(`${op}: alignCorners must be true or false, got ${String(alignCorners)}`);
  if (alignCorners && mode === 'nearest') {
    throw new ArgumentError(`${op}: alignCorners applies to the linear modes only ('linear', 'bilinear'); leave it out for 'nearest'`);
  }
  const dims = x.ndim - 2;
  const spatial = x.shape.slice(2);
  const perAxis = (name: string, v: number | readonly number[], integer: boolean): number[] => {
    const list = typeof v === 'number' ? new Array<number>(dims).fill(v) : Array.isArray(v) ? [...v] : [];
    if (list.length !== dims || list.some((u) => typeof u !== 'number' || !(u > 0) || !Number.isFinite(u) || (integer && !Number.isInteger(u)))) {
      throw new ArgumentError(`${op}: ${name} must be a positive ${integer ? 'integer' : 'number'} or ${dims} of them, got ${JSON.stringify(v)}`);
    }
    return list;
  };
  if ((options.size === undefined) === (options.scaleFactor === undefined)) {
    throw new ArgumentError(`${op}: give exactly one of size and scaleFactor`);
  }
  const scales = options.scaleFactor !== undefined ? perAxis('scaleFactor', options.scaleFactor, false) : null;
  const size = options.size !== undefined ? perAxis('size', options.size, true) : spatial.map((s, i) => Math.floor(s * (scales as number[])[i]));
  if (size.some((s) => s < 1)) throw new ShapeError(`${op}: the output size [${size}] would be empty for input ${formatShape(x.shape)}`);
  if (spatial.some((s) => s < 1)) throw new ShapeError(`${op}: the input ${formatShape(x.shape)} has an empty spatial axis`);
  const passes: Pass[] = [];
  let y = x.data;
  for (let i = 0; i < dims; i++) {
    const axis = 2 + i;
    const pass = { ...axisPass(spatial[i], size[i], mode, scales === null ? null : scales[i], alignCorners), axis, inShape: [...y.shape] };
    y = nd.lerpAxis(y, axis, pass.lo, pass.hi, pass.lam);
    passes.push(pass);
  }
  return record(interpolateOp, [x], y, { passes, dtype: x.dtype });
}
