// nd.reduce, nd.unbroadcast and nd.sumRowsPooled against plain loops written here: every axis
// subset of arrays up to 3-D, in every layout a tensor's storage can have (contiguous, permuted,
// strided with an offset, reversed, broadcast with stride 0), for sum, max and min.
import { describe, expect, it } from 'vitest';
import * as nd from '../../src/nd';
import { at, indices, layouts, subsets, value } from './layouts';

/** The keepDims reduction of `a` over `axes`, computed element by element in float64. */
function naive(a: nd.Nd, axes: readonly number[], kind: nd.ReduceKind): { shape: number[]; values: number[] } {
  const shape = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const values: number[] = [];
  for (const o of indices(shape)) {
    const ranges = a.shape.map((d, i) => (axes.includes(i) ? d : 1));
    let acc = kind === 'sum' ? 0 : kind === 'max' ? -Infinity : Infinity;
    for (const r of indices(ranges)) {
      const idx = o.map((v, i) => (axes.includes(i) ? r[i] : v));
      const v = at(a, idx);
      if (kind === 'sum') acc += v;
      else if (Number.isNaN(v) || Number.isNaN(acc)) acc = NaN;
      else acc = kind === 'max' ? Math.max(acc, v) : Math.min(acc, v);
    }
    values.push(acc);
  }
  return { shape, values };
}

const shapes: number[][] = [[], [5], [3, 4], [2, 3, 4], [4, 1, 3]];
const kinds: nd.ReduceKind[] = ['sum', 'max', 'min'];

describe('nd.reduce against a plain loop', () => {
  for (const layout of layouts) {
    for (const shape of shapes) {
      it(`${layout.name}, shape [${shape}]: every axis subset, sum, max and min`, () => {
        const a = layout.make(shape, 'float64');
        for (const axes of subsets(shape.length)) {
          for (const kind of kinds) {
            const out = nd.reduce(a, axes, kind);
            const ref = naive(a, axes, kind);
            expect(out.shape, `${kind} over [${axes}]`).toEqual(ref.shape);
            expect(nd.dtypeOf(out)).toBe('float64');
            const got = nd.toFlatArray(out);
            expect(got.length).toBe(ref.values.length);
            for (let i = 0; i < got.length; i++) expect(got[i], `${kind} over [${axes}] at ${i}`).toBeCloseTo(ref.values[i], 12);
          }
        }
      });
    }
  }

  it('a 0-d view reads its element at its offset', () => {
    const data = new Float64Array([1, 2, 3, 4]);
    const a = nd.view(data, [], [], 2);
    for (const kind of kinds) {
      const out = nd.reduce(a, [], kind);
      expect(out.shape).toEqual([]);
      expect(out.data[0]).toBe(3);
    }
  });

  it('a reduction over an empty axis gives the identity: 0, −∞, +∞', () => {
    const a = nd.zeros([3, 0], 'float64');
    expect(Array.from(nd.reduce(a, [1], 'sum').data)).toEqual([0, 0, 0]);
    expect(Array.from(nd.reduce(a, [1], 'max').data)).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(Array.from(nd.reduce(a, [1], 'min').data)).toEqual([Infinity, Infinity, Infinity]);
    expect(nd.reduce(a, [1], 'sum').shape).toEqual([3, 1]);
    // an empty array reduced over a non-empty axis stays empty
    const e = nd.reduce(a, [0], 'max');
    expect(e.shape).toEqual([1, 0]);
    expect(e.data.length).toBe(0);
    expect(nd.reduce(nd.zeros([0], 'float64'), [0], 'sum').data[0]).toBe(0);
  });

  it('NaN propagates through max and min wherever it sits, in every row', () => {
    for (const pos of [0, 2, 4]) {
      const a = nd.zeros([2, 5], 'float64');
      for (let i = 0; i < 10; i++) a.data[i] = value(i);
      a.data[pos] = NaN; // row 0
      a.data[5 + ((pos + 1) % 5)] = NaN; // row 1
      for (const kind of ['max', 'min'] as const) {
        const rows = nd.reduce(a, [1], kind);
        expect(Number.isNaN(rows.data[0]), `${kind} row 0, NaN at ${pos}`).toBe(true);
        expect(Number.isNaN(rows.data[1]), `${kind} row 1`).toBe(true);
        const cols = nd.toFlatArray(nd.reduce(a, [0], kind));
        for (let j = 0; j < 5; j++) {
          const nan = j === pos || j === (pos + 1) % 5;
          if (nan) expect(Number.isNaN(cols[j]), `${kind} column ${j}`).toBe(true);
          else expect(cols[j]).toBe(kind === 'max' ? Math.max(a.data[j], a.data[5 + j]) : Math.min(a.data[j], a.data[5 + j]));
        }
        // over both axes at once (the inner row loop of a whole-array reduction)
        expect(Number.isNaN(nd.reduce(a, [0, 1], kind).data[0])).toBe(true);
      }
    }
  });

  it('max and min of all-negative (all-positive) values are not the initial 0', () => {
    const a = nd.zeros([2, 2], 'float64');
    a.data.set([-5, -2, -7, -3]);
    expect(Array.from(nd.reduce(a, [1], 'max').data)).toEqual([-2, -3]);
    a.data.set([5, 2, 7, 3]);
    expect(Array.from(nd.reduce(a, [1], 'min').data)).toEqual([2, 3]);
  });

  it('sums accumulate in float64 and round once to a float32 output', () => {
    // 2^24 + 1 + 1 + ... : in float32 each +1 would be lost; in float64 they add up
    const a = nd.zeros([9], 'float32');
    a.data[0] = 2 ** 24;
    for (let i = 1; i < 9; i++) a.data[i] = 1;
    const s = nd.reduce(a, [0], 'sum');
    expect(nd.dtypeOf(s)).toBe('float32');
    expect(s.data[0]).toBe(2 ** 24 + 8);
    // over the non-last axis too (the per-element accumulation path)
    const b = nd.zeros([9, 2], 'float32');
    for (let i = 0; i < 9; i++) b.data.set(i === 0 ? [2 ** 24, 2 ** 24] : [1, 1], 2 * i);
    expect(Array.from(nd.reduce(b, [0], 'sum').data)).toEqual([2 ** 24 + 8, 2 ** 24 + 8]);
    // the dtype argument chooses the output type
    const t = new Float32Array([0.1, 0.2, 0.3]);
    const d = nd.reduce(nd.wrap(t, [3]), [0], 'sum', 'float64');
    expect(nd.dtypeOf(d)).toBe('float64');
    expect(d.data[0]).toBe(t[0] + t[1] + t[2]);
  });
});

/** unbroadcast's oracle: sum g over every position that maps to the same element of `shape`. */
function naiveUnbroadcast(g: nd.Nd, shape: readonly number[]): number[] {
  const lead = g.shape.length - shape.length;
  const out = new Array<number>(shape.reduce((p, d) => p * d, 1)).fill(0);
  const strides = nd.stridesOf(shape);
  for (const idx of indices(g.shape)) {
    let k = 0;
    for (let d = 0; d < shape.length; d++) k += (shape[d] === 1 ? 0 : idx[d + lead]) * strides[d];
    out[k] += at(g, idx);
  }
  return out;
}

describe('nd.unbroadcast against a plain loop', () => {
  const targets: number[][] = [[], [1], [4], [1, 4], [3, 1], [3, 4], [1, 1, 4], [2, 1, 4], [2, 3, 1], [1, 3, 1], [2, 3, 4], [1, 1, 1]];
  for (const layout of layouts.slice(0, 3)) {
    it(`a [2, 3, 4] gradient (${layout.name}) summed back to every shape that broadcasts to it`, () => {
      const g = layout.make([2, 3, 4], 'float64');
      for (const shape of targets) {
        const out = nd.unbroadcast(g, shape);
        expect(out.shape, `to [${shape}]`).toEqual(shape);
        const got = nd.toFlatArray(out);
        const ref = naiveUnbroadcast(g, shape);
        for (let i = 0; i < ref.length; i++) expect(got[i], `to [${shape}] at ${i}`).toBeCloseTo(ref[i], 12);
      }
    });
  }

  it('a gradient whose own axis is 1 where the input is 1 is not summed twice', () => {
    const g = nd.zeros([3, 1], 'float64');
    g.data.set([1, 2, 3]);
    expect(nd.toFlatArray(nd.unbroadcast(g, [3, 1]))).toEqual([1, 2, 3]);
    expect(nd.toFlatArray(nd.unbroadcast(g, [1, 1]))).toEqual([6]);
    expect(nd.toFlatArray(nd.unbroadcast(g, [1]))).toEqual([6]);
  });
});

describe('nd.sumRowsPooled against a plain loop', () => {
  function naiveCols(g: nd.Nd): number[] {
    const [n, m] = g.shape;
    const out = new Array<number>(m).fill(0);
    for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) out[j] += at(g, [r, j]);
    return out;
  }

  it('contiguous, row-strided with an offset, and transposed matrices', () => {
    const c = layouts[0].make([4, 3], 'float64');
    const s = layouts[2].make([4, 3], 'float64'); // column stride 2
    const data = new Float64Array(40).map((_, i) => value(i));
    const rows = nd.view(data, [4, 3], [7, 1], 5); // rows 7 apart, columns adjacent, offset 5
    const t = layouts[1].make([4, 3], 'float64'); // transposed: column stride 4
    for (const g of [c, s, rows, t]) {
      const out = nd.sumRowsPooled(g, 3);
      expect(out.shape).toEqual([3]);
      const ref = naiveCols(g);
      for (let j = 0; j < 3; j++) expect(out.data[j]).toBeCloseTo(ref[j], 12);
    }
  });

  it('float32 matrices big enough for the SIMD kernel (≥ 256 elements), in every layout', () => {
    const n = 40;
    const m = 13;
    const big = new Float32Array(4 * n * m + 17).map((_, i) => value(i));
    const layoutsF32: [string, nd.Nd][] = [
      ['contiguous', nd.wrap(big.slice(0, n * m), [n, m])],
      ['contiguous rows at an offset', nd.view(big, [n, m], [m, 1], 17)],
      ['rows padded (row stride m + 3)', nd.view(big, [n, m], [m + 3, 1], 5)],
      ['columns strided (column stride 2)', nd.view(big, [n, m], [2 * m, 2], 1)],
      ['transposed', nd.permute(nd.wrap(big.slice(0, n * m), [m, n]), [1, 0])],
      // rows m apart as in a contiguous matrix, but each row read backwards
      ['columns reversed (row stride m, column stride −1)', nd.view(big, [n, m], [m, -1], m - 1)],
    ];
    for (const [name, g] of layoutsF32) {
      const out = nd.sumRowsPooled(g, m);
      expect(out.shape, name).toEqual([m]);
      expect(out.data, name).toBeInstanceOf(Float32Array);
      const ref = naiveCols(g).map((v) => Math.fround(v));
      expect(Array.from(out.data), name).toEqual(ref);
    }
  });

  it('keeps the dtype and rounds the float64 sums once', () => {
    const g = nd.zeros([9, 2], 'float32');
    for (let i = 0; i < 9; i++) g.data.set(i === 0 ? [2 ** 24, -(2 ** 24)] : [1, -1], 2 * i);
    const out = nd.sumRowsPooled(g, 2);
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(Array.from(out.data)).toEqual([2 ** 24 + 8, -(2 ** 24) - 8]);
  });
});
