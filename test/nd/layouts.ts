// Test helpers for the nd layer: every storage layout a tensor's array can have, a naive
// element reader, and index enumeration, so loops can be checked against plain definitions.
import * as nd from '../../src/nd';

/** A deterministic value for element k: distinct, mixed signs, not integers. */
export const value = (k: number): number => ((k * 37) % 23) - 11 + k / 64;

/** Every subset of [0, n). */
export function subsets(n: number): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < 1 << n; m++) {
    const s: number[] = [];
    for (let d = 0; d < n; d++) if (m & (1 << d)) s.push(d);
    out.push(s);
  }
  return out;
}

/** Every multi-index of `shape`, in C order. */
export function indices(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  const total = shape.reduce((p, d) => p * d, 1);
  for (let k = 0; k < total; k++) {
    const idx = new Array<number>(shape.length);
    let r = k;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    out.push(idx);
  }
  return out;
}

/** The element of `a` at a multi-index, through its strides and offset. */
export function at(a: nd.Nd, idx: readonly number[]): number {
  let off = a.offset;
  for (let d = 0; d < idx.length; d++) off += idx[d] * a.stride[d];
  return a.data[off];
}

export interface Layout {
  name: string;
  make: (shape: number[], dtype: nd.Dtype) => nd.Nd;
}

/** Fill a fresh buffer so the logical element k of the view reads value(k) (or the buffer index). */
export const layouts: Layout[] = [
  {
    name: 'contiguous',
    make: (shape, dtype) => {
      const a = nd.zeros(shape, dtype);
      for (let i = 0; i < a.data.length; i++) a.data[i] = value(i);
      return a;
    },
  },
  {
    name: 'permuted (axes reversed)',
    make: (shape, dtype) => {
      const rev = [...shape].reverse();
      const base = nd.zeros(rev, dtype);
      for (let i = 0; i < base.data.length; i++) base.data[i] = value(i);
      return nd.permute(base, rev.map((_, d) => rev.length - 1 - d));
    },
  },
  {
    name: 'strided with an offset (every other element, starting at 3)',
    make: (shape, dtype) => {
      const n = shape.reduce((p, d) => p * d, 1);
      const data = nd.alloc(dtype, 2 * n + 5);
      for (let i = 0; i < data.length; i++) data[i] = value(i + 100);
      const stride = nd.stridesOf(shape).map((s) => 2 * s);
      return nd.view(data, shape, stride, 3);
    },
  },
  {
    name: 'reversed (negative strides)',
    make: (shape, dtype) => {
      const n = shape.reduce((p, d) => p * d, 1);
      const data = nd.alloc(dtype, n);
      for (let i = 0; i < n; i++) data[i] = value(i + 7);
      const stride = nd.stridesOf(shape).map((s) => -s);
      return nd.view(data, shape, stride, Math.max(0, n - 1));
    },
  },
  {
    name: 'broadcast (stride 0 on the first axis)',
    make: (shape, dtype) => {
      if (shape.length === 0) {
        const data = nd.alloc(dtype, 1);
        data[0] = value(3);
        return nd.view(data, [], [], 0);
      }
      const inner = shape.slice(1);
      const base = nd.zeros(inner, dtype);
      for (let i = 0; i < base.data.length; i++) base.data[i] = value(i + 11);
      return nd.broadcastTo(base, shape);
    },
  },
];

