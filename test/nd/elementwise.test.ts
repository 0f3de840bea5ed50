import { describe, expect, it } from 'vitest';
import * as nd from '../../src/nd';

function arr(shape: number[], f: (i: number) => number): nd.Nd {
  const a = nd.zeros(shape, 'float64');
  for (let i = 0; i < a.data.length; i++) a.data[i] = f(i);
  return a;
}

describe('nd.zip broadcasting', () => {
  // out[i, j, k] = a[i, j, k] - 10·b[...], written out by hand for each broadcast pattern
  const a = arr([2, 3, 4], (i) => i);
  const f = (x: number, y: number): number => x - 10 * y;

  it('repeats a trailing row or block of the second operand (bias pattern)', () => {
    const row = arr([4], (i) => i + 1);
    const out = nd.zip(a, row, f);
    for (let i = 0; i < 24; i++) expect(out.data[i]).toBe(i - 10 * ((i % 4) + 1));
    const block = arr([1, 3, 4], (i) => i * 2);
    const out2 = nd.zip(a, block, f);
    for (let i = 0; i < 24; i++) expect(out2.data[i]).toBe(i - 10 * ((i % 12) * 2));
  });

  it('repeats a trailing row of the first operand', () => {
    const row = arr([4], (i) => i + 1);
    const out = nd.zip(row, a, f);
    for (let i = 0; i < 24; i++) expect(out.data[i]).toBe((i % 4) + 1 - 10 * i);
  });

  it('handles a middle-axis broadcast (not a trailing block) through the general path', () => {
    const col = arr([3, 1], (i) => i + 1); // broadcasts along the last axis
    const out = nd.zip(a, col, f);
    for (let i = 0; i < 24; i++) expect(out.data[i]).toBe(i - 10 * (Math.floor(i / 4) % 3 + 1));
  });

  it('reads transposed (strided) inputs correctly', () => {
    const m = arr([3, 2], (i) => i); // m = [[0,1],[2,3],[4,5]]
    const t = nd.permute(m, [1, 0]); // [[0,2,4],[1,3,5]]
    const out = nd.zip(t, arr([3], () => 0), f);
    expect(Array.from(out.data)).toEqual([0, 2, 4, 1, 3, 5]);
  });
});

describe('one elementwise engine (nd/loops.ts)', () => {
  it('zip compiles one loop per function source, shared by closures made from one literal', () => {
    const a = nd.wrap(Float64Array.from([1, 2, 3]), [3]);
    const b = nd.wrap(Float64Array.from([10, 20, 30]), [3]);
    const scaled = (k: number) => (x: number, y: number): number => k * x + y;
    nd.zip(a, b, scaled(1)); // compiles the loop for this source
    const before = nd.compiledLoopCount();
    const results = [2, 3, 4].map((k) => Array.from(nd.zip(a, b, scaled(k)).data));
    expect(nd.compiledLoopCount()).toBe(before);
    expect(results).toEqual([[12, 24, 36], [13, 26, 39], [14, 28, 42]]);
  });

  it('every fast path of zip agrees with a naive broadcast loop', () => {
    const f = (x: number, y: number): number => x * 2 - y;
    const m = nd.wrap(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const row = nd.wrap(Float64Array.from([7, 8, 9]), [3]);
    const s = nd.wrap(Float64Array.from([5]), []);
    const naive = (p: number[][], q: number[][]): number[] => p.flatMap((r, i) => r.map((v, j) => f(v, q[i][j])));
    const M = [[1, 2, 3], [4, 5, 6]];
    const R = [[7, 8, 9], [7, 8, 9]];
    const S = [[5, 5, 5], [5, 5, 5]];
    expect(Array.from(nd.zip(m, row, f).data)).toEqual(naive(M, R));
    expect(Array.from(nd.zip(row, m, f).data)).toEqual(naive(R, M));
    expect(Array.from(nd.zip(m, s, f).data)).toEqual(naive(M, S));
    expect(Array.from(nd.zip(s, m, f).data)).toEqual(naive(S, M));
    expect(Array.from(nd.zip(m, m, f).data)).toEqual(naive(M, M));
    expect(Array.from(nd.map(m, (v) => v * v).data)).toEqual([1, 4, 9, 16, 25, 36]);
    expect(Array.from(nd.zip3(m, m, m, (x, y, z) => x + y * z).data)).toEqual([2, 6, 12, 20, 30, 42]);
  });
});
