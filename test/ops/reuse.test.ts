// A node used twice by one binary op (b = a ⊕ a) must receive the sum of both gradients.
// Each case is checked against the closed-form derivative of f(a) = sum(w · (a ⊕ a)).
import { describe, it } from 'vitest';
import * as ops from '../../src/ops';
import { tensor } from '../../src/creation';
import type { Tensor } from '../../src/tensor';
import { expectClose, f64, gradOf } from './helpers';

const values = [0.5, 1.25, 2, 0.8];
const weights = [1, -2, 0.5, 3];
const w = (): Tensor => tensor(weights, { dtype: 'float64' });
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

interface ReuseCase {
  op: string;
  apply: (a: Tensor) => Tensor;
  /** d/da_i of Σ w · (a ⊕ a), elementwise. */
  expected: (a: number, w: number) => number;
}

const elementwise: ReuseCase[] = [
  { op: 'add', apply: (a) => ops.add(a, a), expected: (_a, wi) => 2 * wi },
  { op: 'sub', apply: (a) => ops.sub(a, a), expected: () => 0 },
  { op: 'mul', apply: (a) => ops.mul(a, a), expected: (a, wi) => 2 * a * wi },
  { op: 'div', apply: (a) => ops.div(a, a), expected: () => 0 },
  { op: 'pow', apply: (a) => ops.pow(a, a), expected: (a, wi) => wi * a ** a * (Math.log(a) + 1) },
  // a tie in every element: half the gradient to each use, 1 in all
  { op: 'maximum', apply: (a) => ops.maximum(a, a), expected: (_a, wi) => wi },
  { op: 'minimum', apply: (a) => ops.minimum(a, a), expected: (_a, wi) => wi },
  { op: 'where', apply: (a) => ops.where(tensor([1, 0, 1, 0]), a, a), expected: (_a, wi) => wi },
  { op: 'mseLoss', apply: (a) => ops.mseLoss(a, a, { reduction: 'none' }), expected: () => 0 },
  { op: 'l1Loss', apply: (a) => ops.l1Loss(a, a, { reduction: 'none' }), expected: () => 0 },
  {
    // max(a, 0) − a² + log(1 + e^{−|a|}): derivative σ(a) − a from the logits and −a from the target
    op: 'binaryCrossEntropyWithLogits',
    apply: (a) => ops.binaryCrossEntropyWithLogits(a, a, { reduction: 'none' }),
    expected: (a, wi) => wi * (sigmoid(a) - 2 * a),
  },
];

describe('reused nodes: b = a ⊕ a sums the gradients of both uses', () => {
  for (const c of elementwise) {
    it(c.op, () => {
      const a = tensor(values, f64);
      ops.sum(ops.mul(c.apply(a), w())).backward();
      expectClose(gradOf(a), values.map((v, i) => c.expected(v, weights[i])), 1e-12);
    });
  }

  it('concat and stack', () => {
    const a = tensor(values, f64);
    ops.sum(ops.mul(ops.concat([a, a]), tensor([...weights, ...weights.map((x) => 10 * x)], { dtype: 'float64' }))).backward();
    expectClose(gradOf(a), weights.map((x) => 11 * x), 1e-12);
    const b = tensor(values, f64);
    ops.sum(ops.stack([b, b, b])).backward();
    expectClose(gradOf(b), [3, 3, 3, 3], 0);
  });

  it('matmul: d/dA Σ A·A = 1·Aᵀ + Aᵀ·1', () => {
    const data = [[1, 2], [3, 4]];
    const a = tensor(data, f64);
    ops.sum(ops.matmul(a, a)).backward();
    // (1·Aᵀ)[i, k] = Σ_j A[k, j] (row sums of A); (Aᵀ·1)[i, k] = Σ_j A[j, i] (column sums)
    const rows = data.map((r) => r[0] + r[1]);
    const cols = [data[0][0] + data[1][0], data[0][1] + data[1][1]];
    expectClose(gradOf(a), [rows[0] + cols[0], rows[1] + cols[0], rows[0] + cols[1], rows[1] + cols[1]], 1e-12);
  });

  it('matmul of a matrix with its own transpose (a view of the same storage)', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], f64);
    ops.sum(ops.matmul(a, ops.transpose(a))).backward();
    // Σ_{i,j} Σ_k A[i,k] A[j,k] = Σ_k (Σ_i A[i,k])²: gradient 2·(column sum of k)
    expectClose(gradOf(a), [10, 14, 18, 10, 14, 18], 1e-12);
  });

  it('the design example: b = a + a; c = b · b gives dc/da = 8a', () => {
    const a = tensor(values, f64);
    const b = ops.add(a, a);
    ops.sum(ops.mul(b, b)).backward();
    expectClose(gradOf(a), values.map((v) => 8 * v), 1e-12);
  });
});
