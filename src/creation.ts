// Making tensors. Random creators draw from a seeded Generator (the default one unless
// `generator` is given), so results are reproducible.
import * as nd from './nd';
import { ArgumentError, ShapeError } from './errors';
import { Tensor, type NestedArray } from './tensor';
import { Generator as GeneratorClass, type Generator, getDefaultGenerator } from './random';
import { type Validator, validator } from './validate';

/** Options of the creation functions (`zeros`, `ones`, `full`, ...): dtype and whether the tensor requires a gradient. */
export interface CreateOptions {
  /** 'float32' (default) or 'float64'. */
  dtype?: nd.Dtype;
  /** Whether the tensor is a leaf that accumulates `.grad` (default false). */
  requiresGrad?: boolean;
}

/** Options of the random creation functions (`rand`, `randn`): those of `CreateOptions` plus the seeded generator to draw from. */
export interface RandomOptions extends CreateOptions {
  /** The generator to draw from (default: the default generator). */
  generator?: Generator;
}

/** Options of `tensor()`: dtype and whether the tensor requires a gradient. */
export interface TensorOptions extends CreateOptions {
  /** Required for a flat typed array or number[] that should not be 1-D. */
  shape?: readonly number[];
}

const CREATE_KEYS = ['dtype', 'requiresGrad'] as const;
const RANDOM_KEYS = [...CREATE_KEYS, 'generator'] as const;

/** The checked options of a creation function: known keys only, dtype and requiresGrad valid. */
interface Created {
  dtype: nd.Dtype;
  requiresGrad: boolean;
  o: Record<string, unknown>;
  v: Validator;
}

function createOptions(op: string, options: unknown, keys: readonly string[], fallback: nd.Dtype = 'float32'): Created {
  const v = validator(op);
  const o = v.options(options, keys, { example: "{ dtype: 'float64', requiresGrad: true }" });
  const dtype = v.oneOf('dtype', o.dtype ?? fallback, nd.DTYPES);
  const requiresGrad = v.boolean('requiresGrad', o.requiresGrad ?? false);
  return { dtype, requiresGrad, o, v };
}

function generatorFrom(c: Created): Generator {
  if (c.o.generator === undefined) return getDefaultGenerator();
  return c.v.instance('generator', c.o.generator, GeneratorClass, 'a Generator (new Generator(seed))');
}

function checkShape(op: string, shape: unknown): number[] {
  return validator(op).shape('shape', shape);
}

function make(data: nd.Nd, c: Created): Tensor {
  return new Tensor(data, c.requiresGrad);
}

/**
 * A tensor from a number, a nested array of numbers, or a typed array (copied). The dtype
 * defaults to float32, or float64 for a Float64Array.
 */
export function tensor(values: NestedArray | Float32Array | Float64Array, options: TensorOptions = {}): Tensor {
  const fallback = values instanceof Float64Array ? 'float64' : 'float32';
  const c = createOptions('tensor', options, [...CREATE_KEYS, 'shape'], fallback);
  const dtype = c.dtype;
  const wantShape = c.o.shape === undefined ? undefined : checkShape('tensor', c.o.shape);
  let flat: ArrayLike<number>;
  let shape: number[];
  if (typeof values !== 'number' && !Array.isArray(values) && !(values instanceof Float32Array) && !(values instanceof Float64Array)) {
    throw c.v.invalid('values', values, 'a number, a (nested) array of numbers, or a Float32Array/Float64Array');
  }
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
  if (wantShape !== undefined) {
    if (nd.sizeOf(wantShape) !== flat.length) {
      throw new ShapeError(`tensor: ${flat.length} values do not fill shape [${wantShape}] (${nd.sizeOf(wantShape)} elements)`);
    }
    shape = wantShape;
  }
  const data = nd.alloc(dtype, flat.length);
  data.set(flat);
  return make(nd.wrap(data, shape), c);
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

/** A tensor of the given shape filled with 0, as `torch.zeros`. */
export function zeros(shape: readonly number[], options?: CreateOptions): Tensor {
  const c = createOptions('zeros', options, CREATE_KEYS);
  const dims = checkShape('zeros', shape);
  return make(nd.zeros(dims, c.dtype), c);
}

/** A tensor of the given shape filled with 1, as `torch.ones`. */
export function ones(shape: readonly number[], options?: CreateOptions): Tensor {
  const c = createOptions('ones', options, CREATE_KEYS);
  const dims = checkShape('ones', shape);
  return make(nd.full(dims, 1, c.dtype), c);
}

/** Every element `value` (a number; ±Infinity allowed, NaN allowed only as NaN itself). */
export function full(shape: readonly number[], value: number, options?: CreateOptions): Tensor {
  const c = createOptions('full', options, CREATE_KEYS);
  const dims = checkShape('full', shape);
  if (typeof value !== 'number') throw c.v.invalid('value', value, 'a number');
  return make(nd.full(dims, value, c.dtype), c);
}

function likeOf(op: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw validator(op).invalid('t', t, 'a Tensor');
  return t;
}

/** A tensor of 0s with the shape (and, by default, the dtype) of `t`, as `torch.zeros_like`. */
export function zerosLike(t: Tensor, options?: CreateOptions): Tensor {
  const like = likeOf('zerosLike', t);
  const c = createOptions('zerosLike', options, CREATE_KEYS, like.dtype);
  return make(nd.zeros(like.shape, c.dtype), c);
}

/** A tensor of 1s with the shape (and, by default, the dtype) of `t`, as `torch.ones_like`. */
export function onesLike(t: Tensor, options?: CreateOptions): Tensor {
  const like = likeOf('onesLike', t);
  const c = createOptions('onesLike', options, CREATE_KEYS, like.dtype);
  return make(nd.full(like.shape, 1, c.dtype), c);
}

/** A tensor filled with `value` with the shape (and, by default, the dtype) of `t`, as `torch.full_like`. */
export function fullLike(t: Tensor, value: number, options?: CreateOptions): Tensor {
  const like = likeOf('fullLike', t);
  const c = createOptions('fullLike', options, CREATE_KEYS, like.dtype);
  if (typeof value !== 'number') throw c.v.invalid('value', value, 'a number');
  return make(nd.full(like.shape, value, c.dtype), c);
}

/** Uniform on [low, high) (default [0, 1)). */
export function rand(shape: readonly number[], options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const c = createOptions('rand', options, [...RANDOM_KEYS, 'low', 'high']);
  const dims = checkShape('rand', shape);
  const low = c.v.number('low', c.o.low ?? 0);
  const high = c.v.number('high', c.o.high ?? 1);
  if (!(high >= low)) throw c.v.error(`high (${high}) must be at least low (${low})`);
  const gen = generatorFrom(c);
  const out = nd.zeros(dims, c.dtype);
  const d = out.data;
  for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * gen.uniform();
  return make(out, c);
}

/** Normal with the given mean and standard deviation (default 0 and 1). */
export function randn(shape: readonly number[], options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const c = createOptions('randn', options, [...RANDOM_KEYS, 'mean', 'std']);
  const dims = checkShape('randn', shape);
  const mean = c.v.number('mean', c.o.mean ?? 0);
  const std = c.v.number('std', c.o.std ?? 1, { min: 0 });
  const gen = generatorFrom(c);
  const out = nd.zeros(dims, c.dtype);
  const d = out.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * gen.normal();
  return make(out, c);
}

/** start, start+step, ... below end (like Python's range); `arange(n)` is 0..n-1. */
export function arange(start: number, end?: number, step = 1, options?: CreateOptions): Tensor {
  const c = createOptions('arange', options, CREATE_KEYS);
  const v = c.v;
  const [lo, hi] = end === undefined ? [0, v.number('end', start)] : [v.number('start', start), v.number('end', end)];
  v.number('step', step);
  if (step === 0) throw v.invalid('step', step, 'a non-zero finite number');
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  if (n > MAX_ARANGE) throw v.error(`arange(${lo}, ${hi}, ${step}) would have ${n} elements, more than an array can hold (${MAX_ARANGE})`);
  const out = nd.zeros([n], c.dtype);
  for (let i = 0; i < n; i++) out.data[i] = lo + i * step;
  return make(out, c);
}

/** The most elements arange makes (the largest typed array length V8 allows for float64). */
const MAX_ARANGE = 2 ** 32;

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, options?: CreateOptions): Tensor {
  const c = createOptions('linspace', options, CREATE_KEYS);
  c.v.number('start', start);
  c.v.number('end', end);
  c.v.integer('steps', steps, { min: 0 });
  const out = nd.zeros([steps], c.dtype);
  for (let i = 0; i < steps; i++) out.data[i] = steps === 1 ? start : start + ((end - start) * i) / (steps - 1);
  return make(out, c);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m: number = n, options?: CreateOptions): Tensor {
  const c = createOptions('eye', options, CREATE_KEYS);
  c.v.integer('n', n, { min: 0 });
  c.v.integer('m', m, { min: 0 });
  const out = nd.zeros([n, m], c.dtype);
  for (let i = 0; i < Math.min(n, m); i++) out.data[i * m + i] = 1;
  return make(out, c);
}
