// nd.zip, nd.map and nd.zip3 against plain loops for every pair of storage layouts (contiguous,
// permuted, strided with an offset, reversed, broadcast) and every broadcasting pattern (same
// shape, scalar either side, trailing row or block either side, middle axis, leading axes, 0-d),
// so each fast path and the general strided walk is checked on inputs that are not what it expects.
import { describe, expect, it } from 'vitest';
import * as nd from '../../src/nd';
import { at, indices, layouts } from './layouts';

const f = (x: number, y: number): number => 3 * x - y * y;

/** The broadcast result of f, element by element from the definition. */
function naiveZip(a: nd.Nd, b: nd.Nd, shape: readonly number[]): number[] {
  const pick = (v: nd.Nd, idx: readonly number[]): number => {
    const lead = idx.length - v.shape.length;
    return at(v, v.shape.map((d, i) => (d === 1 ? 0 : idx[i + lead])));
  };
  return indices(shape).map((idx) => f(pick(a, idx), pick(b, idx)));
}

const pairs: [number[], number[], number[]][] = [
  [[2, 3, 4], [2, 3, 4], [2, 3, 4]],
  [[2, 3, 4], [], [2, 3, 4]],
  [[], [2, 3, 4], [2, 3, 4]],
  [[2, 3, 4], [1], [2, 3, 4]],
  [[2, 3, 4], [4], [2, 3, 4]],
  [[4], [2, 3, 4], [2, 3, 4]],
  [[2, 3, 4], [3, 4], [2, 3, 4]],
  [[1, 3, 4], [2, 3, 4], [2, 3, 4]],
  [[2, 3, 4], [3, 1], [2, 3, 4]],
  [[2, 1, 4], [1, 3, 1], [2, 3, 4]],
  [[3, 1], [1, 4], [3, 4]],
  [[], [], []],
  [[5], [5], [5]],
  [[1, 1], [5], [1, 5]],
];

describe('nd.zip against a plain broadcast loop, every layout pair', () => {
  for (const [sa, sb, out] of pairs) {
    it(`[${sa}] with [${sb}]`, () => {
      for (const la of layouts) {
        for (const lb of layouts) {
          const a = la.make(sa, 'float64');
          const b = lb.make(sb, 'float64');
          const y = nd.zip(a, b, f);
          const what = `${la.name} × ${lb.name}`;
          expect(y.shape, what).toEqual(out);
          expect(nd.isContiguous(y), what).toBe(true);
          const ref = naiveZip(a, b, out);
          expect(Array.from(y.data), what).toEqual(ref);
        }
      }
    });
  }

  it('an empty broadcast result is empty, whatever the operands', () => {
    const a = nd.zeros([0, 3], 'float64');
    const b = layouts[2].make([3], 'float64');
    const y = nd.zip(a, b, f);
    expect(y.shape).toEqual([0, 3]);
    expect(y.data.length).toBe(0);
  });

  it('shapes that do not broadcast are refused before anything is computed', () => {
    let called = false;
    expect(() => nd.zip(nd.zeros([2, 3], 'float64'), nd.zeros([4], 'float64'), () => ((called = true), 0))).toThrow(/do not broadcast/);
    expect(called).toBe(false);
  });

  it('the output dtype: float64 wins, float32 with float32, or as asked', () => {
    const a32 = layouts[1].make([2, 3], 'float32');
    const b32 = layouts[2].make([3], 'float32');
    const b64 = layouts[0].make([3], 'float64');
    expect(nd.zip(a32, b32, f).data).toBeInstanceOf(Float32Array);
    expect(nd.zip(a32, b64, f).data).toBeInstanceOf(Float64Array);
    expect(nd.zip(b64, a32, f).data).toBeInstanceOf(Float64Array);
    const asked = nd.zip(a32, b32, f, 'float64');
    expect(asked.data).toBeInstanceOf(Float64Array);
    expect(Array.from(asked.data)).toEqual(naiveZip(a32, b32, [2, 3]));
    expect(Array.from(nd.zip(a32, b32, f).data)).toEqual(naiveZip(a32, b32, [2, 3]).map(Math.fround));
  });
});

describe('nd.map and nd.zip3 on every layout', () => {
  it('map reads strided inputs in C order', () => {
    for (const l of layouts) {
      for (const shape of [[], [5], [2, 3, 4]]) {
        const a = l.make(shape, 'float64');
        const y = nd.map(a, (v) => v * v - 1);
        expect(y.shape).toEqual(shape);
        expect(Array.from(y.data), `${l.name} [${shape}]`).toEqual(indices(shape).map((idx) => at(a, idx) ** 2 - 1));
        expect(nd.map(a, (v) => v, 'float32').data).toBeInstanceOf(Float32Array);
      }
    }
  });

  it('zip3 reads three strided inputs of one shape', () => {
    const shape = [2, 3, 4];
    for (const la of layouts) {
      for (const lb of layouts) {
        const a = la.make(shape, 'float64');
        const b = lb.make(shape, 'float64');
        const c = layouts[2].make(shape, 'float64');
        const y = nd.zip3(a, b, c, (x, p, q) => x * p - q);
        expect(Array.from(y.data), `${la.name} × ${lb.name}`).toEqual(indices(shape).map((idx) => at(a, idx) * at(b, idx) - at(c, idx)));
      }
    }
    const a32 = layouts[0].make(shape, 'float32');
    expect(nd.zip3(a32, a32, a32, (x) => x).data).toBeInstanceOf(Float32Array);
    expect(nd.zip3(a32, a32, a32, (x) => x, 'float64').data).toBeInstanceOf(Float64Array);
  });
});

describe('the compiled loops', () => {
  it('a function source met for the first time compiles one loop; met again, none', () => {
    const a = layouts[0].make([3], 'float64');
    const before = nd.compiledLoopCount();
    nd.zip(a, a, (x: number, y: number): number => x * 7.25 - y); // a source no other test uses
    expect(nd.compiledLoopCount()).toBe(before + 1);
    nd.zip(a, a, (x: number, y: number): number => x * 7.25 - y);
    expect(nd.compiledLoopCount()).toBe(before + 1);
  });
});

describe('nd.broadcastShapes', () => {
  it('pads the shorter shape with leading 1s and takes the non-1 length', () => {
    for (const [sa, sb, out] of pairs) {
      expect(nd.broadcastShapes(sa, sb)).toEqual(out);
      expect(nd.broadcastShapes(sb, sa)).toEqual(out);
    }
    expect(nd.broadcastShapes([2, 3], [4])).toBeNull();
    expect(nd.broadcastShapes([2, 1], [3, 4])).toBeNull();
    expect(nd.broadcastShapes([0], [1])).toEqual([0]);
    expect(nd.broadcastShapes([1], [0])).toEqual([0]);
  });
});
