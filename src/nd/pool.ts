// A size-classed pool of the buffers the engine owns for the length of a backward pass: gradient
// temporaries (an activation's input gradient, a linear layer's dx), the sums of accumulated
// gradients. A training loop asks for the same sizes every step, so after the first step these
// come back from the pool instead of being allocated, zero-filled and collected again.
//
// Ownership is explicit. `acquire` hands out a buffer and remembers it as outstanding; only the
// code that knows no one else holds it (the backward pass, through its reference counts) gives it
// back with `release`. A buffer that is never released — say one adopted as a parameter's `.grad`
// — simply stays with its new owner and is garbage-collected like any other array, so a pooled
// buffer can never be shared with a user-visible tensor that outlives its release.
//
// Classes are exact (dtype, length) pairs: an ndarray's buffer must be exactly its size to count
// as contiguous, and a loop's shapes repeat exactly. Each class keeps at most MAX_PER_CLASS free
// buffers and the pool at most MAX_BYTES in all; beyond that a released buffer is dropped.
import { type Dtype, type FloatArray, type Nd, alloc, sizeOf, wrap } from './array';

const MAX_PER_CLASS = 8;
const MAX_BYTES = 64 * 1024 * 1024;

const free = new Map<number, FloatArray[]>();
/** Buffers handed out and not yet released. */
let outstanding = new WeakSet<FloatArray>();
let freeBytes = 0;
let hits = 0;
let misses = 0;

function classOf(dtype: Dtype, length: number): number {
  return dtype === 'float64' ? -length - 1 : length;
}

/** A buffer of `length` elements from the pool (its contents are whatever was there). */
export function acquire(dtype: Dtype, length: number): FloatArray {
  const list = free.get(classOf(dtype, length));
  let buffer: FloatArray;
  if (list !== undefined && list.length > 0) {
    buffer = list.pop() as FloatArray;
    freeBytes -= buffer.byteLength;
    hits++;
  } else {
    buffer = alloc(dtype, length);
    misses++;
  }
  outstanding.add(buffer);
  return buffer;
}

/** A zero-filled contiguous array of `shape` whose buffer comes from the pool. */
export function pooledZeros(shape: readonly number[], dtype: Dtype): Nd {
  const buffer = acquire(dtype, sizeOf(shape));
  buffer.fill(0);
  return wrap(buffer, shape);
}

/** A contiguous array of `shape` from the pool, contents unspecified (the caller writes every element). */
export function pooledEmpty(shape: readonly number[], dtype: Dtype): Nd {
  return wrap(acquire(dtype, sizeOf(shape)), shape);
}

/** True for a buffer the pool handed out that has not been released. */
export function isPooled(buffer: FloatArray): boolean {
  return outstanding.has(buffer);
}

/**
 * Give a buffer back. Only buffers that `acquire` handed out are taken, each once; anything else
 * (a user's array, a buffer already released) is ignored, so a stray call cannot put a foreign or
 * doubly-owned buffer into circulation.
 */
export function release(buffer: FloatArray): void {
  if (!outstanding.delete(buffer)) return;
  if (buffer.length === 0 || freeBytes + buffer.byteLength > MAX_BYTES) return;
  const dtype: Dtype = buffer instanceof Float64Array ? 'float64' : 'float32';
  const key = classOf(dtype, buffer.length);
  let list = free.get(key);
  if (list === undefined) free.set(key, (list = []));
  if (list.length >= MAX_PER_CLASS) return;
  list.push(buffer);
  freeBytes += buffer.byteLength;
}

/** Give up ownership: the buffer stays with whoever holds it and is never reused by the pool. */
export function adopt(buffer: FloatArray): void {
  outstanding.delete(buffer);
}

/** What the pool holds and how often it served a request (for benchmarks and tests). */
export interface PoolStats {
  freeBuffers: number;
  freeBytes: number;
  hits: number;
  misses: number;
}

export function poolStats(): PoolStats {
  let freeBuffers = 0;
  for (const list of free.values()) freeBuffers += list.length;
  return { freeBuffers, freeBytes, hits, misses };
}

/** Drop every free buffer and reset the counters (outstanding buffers stay with their holders). */
export function clearPool(): void {
  free.clear();
  outstanding = new WeakSet();
  freeBytes = 0;
  hits = 0;
  misses = 0;
}
