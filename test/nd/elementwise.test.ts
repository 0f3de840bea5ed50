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
