// Small helpers shared by the data tests. They read tensors through the public API only.
import type { Tensor } from '../../src/tensor';

export function values(t: Tensor): number[] {
  return Array.from(t.toTypedArray());
}

/** Row i of a tensor whose first axis is the example axis, as plain numbers. */
export function rows(t: Tensor): number[][] {
  const flat = t.toTypedArray();
  const n = t.shape[0];
  const size = n === 0 ? 0 : flat.length / n;
  return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * size, (i + 1) * size)));
}

export function countBy(labels: readonly number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

export function std(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / xs.length);
}

/** Column j of row-major data with `width` columns. */
export function column(flat: ArrayLike<number>, width: number, j: number): number[] {
  const out: number[] = [];
  for (let i = j; i < flat.length; i += width) out.push(flat[i]);
  return out;
}

export function bitsEqual(a: Tensor, b: Tensor): boolean {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  if (x.length !== y.length || a.dtype !== b.dtype) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}
