// matmul hands transposed (and row-padded) views to gemm as they are, with trans flags and
// leading dimensions, in the forward and in both backward products: no operand is copied.
// The nd copy function is wrapped in a spy so a copy of an operand's buffer would be seen.
import { describe, expect, it, vi } from 'vitest';
import { copy } from '../../src/nd/array';
import { matmul, slice, sum, transpose } from '../../src/ops';
import { randn } from '../../src/creation';
import { gradTensor } from '../grad';

// hoisted above the imports by vitest
vi.mock('../../src/nd/array', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/nd/array')>();
  return { ...actual, copy: vi.fn(actual.copy) };
});

/** Whether nd.copy was called on (a view of) this buffer since the spy was cleared. */
function copied(buffer: Float32Array | Float64Array): boolean {
  return vi.mocked(copy).mock.calls.some(([array]) => array.data === buffer);
}

describe('matmul operand layouts', () => {
  it('never copies a transposed operand, forward or backward', () => {
    const x = randn([8, 5], { requiresGrad: true });
    const w = randn([3, 5], { requiresGrad: true }); // used as wᵀ: [5, 3], as nn.Linear does
    vi.mocked(copy).mockClear();
    sum(matmul(x, transpose(w))).backward();
    sum(matmul(transpose(x), x)).backward();
    expect(copied(x.data.data)).toBe(false);
    expect(copied(w.data.data)).toBe(false);
    expect(gradTensor(w).shape).toEqual([3, 5]);
  });

  it('never copies a batched transposed operand or a column slice (rows with a gap)', () => {
    const a = randn([2, 4, 6], { requiresGrad: true }); // used as aᵀ: [2, 6, 4]
    const b = randn([4, 7], { requiresGrad: true });
    vi.mocked(copy).mockClear();
    sum(matmul(transpose(a), slice(b, [null, [1, 6]]))).backward();
    expect(copied(a.data.data)).toBe(false);
    expect(copied(b.data.data)).toBe(false);
  });

  it('copies an operand whose rows and columns are both strided (the spy does see copies)', () => {
    const a = randn([6, 8]);
    const b = randn([4, 2]);
    vi.mocked(copy).mockClear();
    matmul(slice(a, [[0, 6, 2], [0, 8, 2]]), b);
    expect(copied(a.data.data)).toBe(true);
  });
});
