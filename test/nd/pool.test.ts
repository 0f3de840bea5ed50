import { describe, expect, it } from 'vitest';
import * as nd from '../../src/nd';

describe('nd buffer pool', () => {
  it('hands a released buffer out again for the same dtype and length, and only then', () => {
    nd.clearPool();
    const a = nd.acquire('float32', 100);
    expect(nd.isPooled(a)).toBe(true);
    nd.release(a);
    expect(nd.isPooled(a)).toBe(false);
    expect(nd.acquire('float64', 100)).not.toBe(a); // another dtype: another class
    expect(nd.acquire('float32', 101)).not.toBe(a); // another length: another class
    expect(nd.acquire('float32', 100)).toBe(a);
    expect(nd.poolStats().hits).toBe(1);
  });

  it('ignores buffers it did not hand out, and a second release of the same buffer', () => {
    nd.clearPool();
    const foreign = new Float32Array(10);
    nd.release(foreign);
    expect(nd.poolStats().freeBuffers).toBe(0);
    const b = nd.acquire('float32', 10);
    nd.release(b);
    nd.release(b);
    expect(nd.poolStats().freeBuffers).toBe(1);
    const first = nd.acquire('float32', 10);
    const second = nd.acquire('float32', 10);
    expect(first).toBe(b);
    expect(second).not.toBe(b); // not handed out twice
  });

  it('an adopted buffer is never taken back', () => {
    nd.clearPool();
    const c = nd.acquire('float32', 8);
    nd.adopt(c);
    nd.release(c);
    expect(nd.poolStats().freeBuffers).toBe(0);
    expect(nd.acquire('float32', 8)).not.toBe(c);
  });

  it('pooledZeros is zero-filled even when the buffer is reused', () => {
    nd.clearPool();
    const a = nd.pooledZeros([2, 3], 'float32');
    a.data.fill(7);
    nd.release(a.data);
    const b = nd.pooledZeros([3, 2], 'float32');
    expect(b.data).toBe(a.data);
    expect(Array.from(b.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(b.shape).toEqual([3, 2]);
  });

  it('sumRowsPooled sums the columns of a matrix, strided or not', () => {
    const g = nd.wrap(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(Array.from(nd.sumRowsPooled(g, 3).data)).toEqual([5, 7, 9]);
    const t = nd.permute(nd.wrap(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]), [1, 0]); // [[1,3,5],[2,4,6]]
    expect(Array.from(nd.sumRowsPooled(t, 3).data)).toEqual([3, 7, 11]);
  });
});
