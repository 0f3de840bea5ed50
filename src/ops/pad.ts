// pad: constant, reflect, replicate and circular padding of the trailing axes, as PyTorch's F.pad. Each
// padded axis becomes an index map (output position → input position, or −1 for the constant);
// the forward gathers through the maps and the backward scatters back through them.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import type { Tensor } from '../tensor';
import { defineOp, record } from './record';
import { checkKeys, checkTensor } from './spatial';

/**
 * How `pad` fills the new border: a constant, the mirror image (no edge repeat), the edge value,
 * or the other end of the axis (periodic wrap-around).
 */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Options of `pad`: the mode and, for `constant`, the fill value. */
export interface PadOptions {
  /**
   * 'constant' (default), 'reflect' (mirror without repeating the edge), 'replicate' (repeat the
   * edge) or 'circular' (wrap around: position −1 reads the last element).
   */
  mode?: PadMode;
  /** The fill of 'constant' padding (default 0). */
  value?: number;
}

interface PadSaved {
  maps: Int32Array[];
  xShape: readonly number[];
  dtype: nd.Dtype;
}

const padOp = defineOp<PadSaved>('pad', (g, { maps, xShape, dtype }) => [nd.scatterByMaps(g, xShape, maps, dtype)]);

/** The index map of one axis of `size` padded by `before` and `after`. */
function axisMap(size: number, before: number, after: number, mode: PadMode): Int32Array {
  const map = new Int32Array(before + size + after);
  for (let i = 0; i < map.length; i++) {
    let j = i - before;
    if (j < 0 || j >= size) {
      if (mode === 'constant') j = -1;
      else if (mode === 'replicate') j = j < 0 ? 0 : size - 1;
      else if (mode === 'circular') j = ((j % size) + size) % size;
      else j = j < 0 ? -j : 2 * (size - 1) - j;
    }
    map[i] = j;
  }
  return map;
}

/**
 * Pads the trailing axes of `x`. `padding` lists (before, after) pairs starting from the last
 * axis, as PyTorch: `[left, right]` pads the last axis, `[left, right, top, bottom]` the last two.
 * 'reflect' needs each padding smaller than its axis; 'replicate' needs a non-empty axis;
 * 'circular' needs each padding at most its axis's size (it wraps around once, as PyTorch).
 */
export function pad(x: Tensor, padding: readonly number[], options: PadOptions = {}): Tensor {
  const op = 'pad';
  checkTensor(op, 'input', x);
  checkKeys(op, options, ['mode', 'value']);
  if (!Array.isArray(padding) || padding.length % 2 !== 0 || padding.length === 0 || padding.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new ArgumentError(`${op}: padding must be a non-empty list of (before, after) pairs of non-negative integers, last axis first, got ${JSON.stringify(padding)}`);
  }
  const axes = padding.length / 2;
  if (axes > x.ndim) {
    throw new ShapeError(`${op}: padding ${JSON.stringify(padding)} pads ${axes} axes but the input ${formatShape(x.shape)} has ${x.ndim}`);
  }
  const mode = options.mode ?? 'constant';
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'replicate' && mode !== 'circular') {
    throw new ArgumentError(`${op}: unknown mode '${String(mode)}'; use 'constant', 'reflect', 'replicate' or 'circular'`);
  }
  const value = options.value ?? 0;
  if (typeof value !== 'number') throw new ArgumentError(`${op}: value must be a number, got ${String(value)}`);
  if (mode !== 'constant' && value !== 0) throw new ArgumentError(`${op}: value applies to mode 'constant' only`);
  const maps = x.shape.map((size) => axisMap(size, 0, 0, 'constant'));
  for (let k = 0; k < axes; k++) {
    const axis = x.ndim - 1 - k;
    const size = x.shape[axis];
    const before = padding[2 * k];
    const after = padding[2 * k + 1];
    if (mode === 'reflect' && (before >= size || after >= size) && before + after > 0) {
      throw new ShapeError(
        `${op}: reflect padding (${before}, ${after}) of axis ${axis} must be smaller than its size ${size} (input ${formatShape(x.shape)}); use 'replicate' or less padding`,
      );
    }
    if (mode === 'replicate' && size === 0 && before + after > 0) {
      throw new ShapeError(`${op}: cannot replicate the edge of the empty axis ${axis} (input ${formatShape(x.shape)})`);
    }
    if (mode === 'circular' && (before > size || after > size) && before + after > 0) {
      throw new ShapeError(
        `${op}: circular padding (${before}, ${after}) of axis ${axis} must be at most its size ${size} (input ${formatShape(x.shape)}): it wraps around once; use less padding`,
      );
    }
    maps[axis] = axisMap(size, before, after, mode);
  }
  const out = nd.gatherByMaps(x.data, maps, value);
  return record(padOp, [x], out, { maps, xShape: x.shape, dtype: x.dtype });
}
