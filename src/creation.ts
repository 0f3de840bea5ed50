// Making tensors. Random creators draw from a seeded Generator (the default one unless
// `generator` is given), so results are reproducible.
import * as nd from './nd';
import { ArgumentError, ShapeError } from './errors';
import { Tensor, type NestedArray } from './tensor';
import { type Generator, getDefaultGenerator } from './random';

/** Options of the creation functions (`zeros`, `ones`, `full`, ...): dtype and whether the tensor requires a gradient. */
export interface CreateOptions {
  dtype?: nd.Dtype;
  requiresGrad?: boolean;
}

/** Options of the random creation functions (`rand`, `randn`): those of `CreateOptions` plus the seeded generator to draw from. */
export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

/** Options of `tensor()`: dtype and whether the tensor requires a gradient. */
export interface TensorOptions extends CreateOptions {
  /** Required for a flat typed array or number[] that should not be 1-D. */
  shape?: readonly number[];
}

function dtypeFrom(op: string, options: CreateOptions | undefined, fallback: nd.Dtype = 'float32'): nd.Dtype {
  const dtype = options?.dtype ?? fallback;
  if (!nd.isDtype(dtype)) {
    throw new ArgumentError(`${op}: unknown dtype '${String(dtype)}'; use one of ${nd.DTYPES.join(', ')}`);
  }
  return dtype;
}

function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`${op}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

function make(data: nd.Nd, options: CreateOptions | undefined): Tensor {
  return new Tensor(data, options?.requiresGrad ?? false);
}

/**
 * A tensor from a number, a nested array of numbers, or a typed array (copied). The dtype
 * defaults to float32, or float64 for a Float64Array.
 */
export function tensor(values: NestedArray | Float32Array | Float64Array, options: TensorOptions = {}): Tensor {
  const fallback = values instanceof Float64Array ? 'float64' : 'float32';
  const dtype = dtypeFrom('tensor', options, fallback);
  let flat: ArrayLike<number>;
  let shape: number[];
  if (typeof values === 'number') {
    flat = [values];
    shape = [];
  } else if (values instanceof Float32Array || values instanceof Float64Array) {
    flat = values;
    shape = [values.length];
  } else {
    shape = inferShape(values);
    const filled = new Float64Array(nd.sizeOf(shape));
    fill(values, shape, 0, filled, 0, []);
    flat = filled;
  }
  if (options.shape !== undefined) {
    checkShape('tensor', options.shape);
    if (nd.sizeOf(options.shape) !== flat.length) {
      throw new ShapeError(`tensor: ${flat.length} values do not fill shape [${options.shape}] (${nd.sizeOf(options.shape)} elements)`);
    }
    shape = [...options.shape];
  }
  const data = nd.alloc(dtype, flat.length);
  data.set(flat);
  return make(nd.wrap(data, shape), options);
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = (level as readonly NestedArray[])[0];
  }
  return shape;
}

/**
 * Copy nested `values` into `out` in C order, checking on the way that every row has the
 * length `shape` says (no ragged arrays) and that every leaf is a number. Returns the next offset.
 */
function fill(values: NestedArray, shape: readonly number[], depth: number, out: Float64Array, offset: number, path: number[]): number {
  if (!Array.isArray(values) || values.length !== shape[depth]) throw raggedError(path);
  const rows = values as readonly NestedArray[];
  if (depth === shape.length - 1) {
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i];
      if (typeof v !== 'number') {
        if (Array.isArray(v)) throw raggedError([...path, i]);
        throw new ArgumentError(`tensor: every element must be a number, found ${typeof v} at index [${[...path, i].join('][')}]`);
      }
      out[offset++] = v;
    }
    return offset;
  }
  for (let i = 0; i < rows.length; i++) {
    path.push(i);
    offset = fill(rows[i], shape, depth + 1, out, offset, path);
    path.pop();
  }
  return offset;
}

function raggedError(path: readonly number[]): ShapeError {
  return new ShapeError(`tensor: nested arrays are ragged at index [${path.join('][')}]; every row must have the same length`);
}

export function zeros(shape: readonly number[], options?: CreateOptions): Tensor {
  checkShape('zeros', shape);
  return make(nd.zeros(shape, dtypeFrom('zeros', options)), options);
}

export function ones(shape: readonly number[], options?: CreateOptions): Tensor {
  return full(shape, 1, options);
}

export function full(shape: readonly number[], value: number, options?: CreateOptions): Tensor {
  checkShape('full', shape);
  return make(nd.full(shape, value, dtypeFrom('full', options)), options);
}

export function zerosLike(t: Tensor, options?: CreateOptions): Tensor {
  return zeros(t.shape, { dtype: t.dtype, ...options });
}

export function onesLike(t: Tensor, options?: CreateOptions): Tensor {
  return ones(t.shape, { dtype: t.dtype, ...options });
}

export function fullLike(t: Tensor, value: number, options?: CreateOptions): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...options });
}

/** Uniform on [low, high) (default [0, 1)). */
export function rand(shape: readonly number[], options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  checkShape('rand', shape);
  const gen = options.generator ?? getDefaultGenerator();
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  if (!(high >= low)) throw new ArgumentError(`rand: high (${high}) must be at least low (${low})`);
  const out = nd.zeros(shape, dtypeFrom('rand', options));
  const d = out.data;
  for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * gen.uniform();
  return make(out, options);
}

/** Normal with the given mean and standard deviation (default 0 and 1). */
export function randn(shape: readonly number[], options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  checkShape('randn', shape);
  const gen = options.generator ?? getDefaultGenerator();
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  if (!(std >= 0)) throw new ArgumentError(`randn: std must be non-negative, got ${std}`);
  const out = nd.zeros(shape, dtypeFrom('randn', options));
  const d = out.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * gen.normal();
  return make(out, options);
}

/** start, start+step, ... below end (like Python's range); `arange(n)` is 0..n-1. */
export function arange(start: number, end?: number, step = 1, options?: CreateOptions): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(step)) throw new ArgumentError(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const out = nd.zeros([n], dtypeFrom('arange', options));
  for (let i = 0; i < n; i++) out.data[i] = lo + i * step;
  return make(out, options);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, options?: CreateOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ArgumentError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const out = nd.zeros([steps], dtypeFrom('linspace', options));
  for (let i = 0; i < steps; i++) out.data[i] = steps === 1 ? start : start + ((end - start) * i) / (steps - 1);
  return make(out, options);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m: number = n, options?: CreateOptions): Tensor {
  checkShape('eye', [n, m]);
  const out = nd.zeros([n, m], dtypeFrom('eye', options));
  for (let i = 0; i < Math.min(n, m); i++) out.data[i * m + i] = 1;
  return make(out, options);
}
