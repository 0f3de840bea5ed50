// grad / valueAndGrad write .grad on their fresh leaves only, as torch.autograd.grad: every other
// tensor the function reaches (a model's weights, an argument not differentiated, a retainGrad
// intermediate) keeps its .grad exactly as it was. The gradients themselves are checked against
// float64 central differences.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { grad, valueAndGrad } from '../../src/autograd/functional';
import { noGrad } from '../../src/autograd/tape';
import { gradcheck } from '../../src/autograd/gradcheck';
import { Linear, ReLU, Sequential } from '../../src/nn';
import { Generator } from '../../src/random';
import type { Tensor } from '../../src/tensor';

const X = [
  [0.3, -0.2],
  [1.0, 0.5],
  [-0.7, 0.9],
];

function model(): Sequential {
  const generator = new Generator(5);
  return new Sequential(new Linear(2, 3, { dtype: 'float64', generator }), new ReLU(), new Linear(3, 1, { dtype: 'float64', generator }));
}

function values(t: Tensor): number[] {
  return Array.from(t.toNdarray().data);
}

/** Central differences in float64 of the scalar f at the nested array x. */
function numericGrad(f: (x: Tensor) => Tensor, x: number[][], eps = 1e-6): number[] {
  const flat = x.flat();
  return flat.map((_, k) => {
    const at = (d: number): number => {
      const p = flat.slice();
      p[k] += d;
      const rows = x.map((r, i) => p.slice(i * r.length, (i + 1) * r.length));
      return noGrad(() => f(tensor(rows, { dtype: 'float64' })).item());
    };
    return (at(eps) - at(-eps)) / (2 * eps);
  });
}

function expectNear(actual: readonly number[], expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThan(tol));
}

describe('grad and valueAndGrad leave every other tensor\'s .grad alone', () => {
  it('grad(f)(x): a weight with .grad null stays null, a weight with a preset .grad keeps exactly that value; df/dx equals finite differences', () => {
    const m = model();
    const [w1, b1, w2, b2] = m.parameters();
    const preset = tensor([[0.25, -1.5, 3]], { dtype: 'float64' });
    w2.grad = preset;
    const f = (x: Tensor): Tensor => m.forward(x).sum();
    const x = tensor(X, { dtype: 'float64' });
    const g = grad(f)(x);
    expect(w1.grad).toBeNull();
    expect(b1.grad).toBeNull();
    expect(b2.grad).toBeNull();
    expect(w2.grad).toBe(preset);
    expect(values(w2.grad as Tensor)).toEqual([0.25, -1.5, 3]);
    expect(x.grad).toBeNull();
    expectNear(values(g), numericGrad(f, X), 1e-8);
  });

  it('valueAndGrad with several arguments: an argument not differentiated that requires grad keeps its .grad', () => {
    const m = model();
    const [w1] = m.parameters();
    const scale = tensor([2], { dtype: 'float64', requiresGrad: true });
    const f = (x: Tensor, s: Tensor): Tensor => m.forward(x).mul(s).sum();
    const x = tensor(X, { dtype: 'float64' });
    const [value, [gx]] = valueAndGrad(f, [0])(x, scale);
    expect(scale.grad).toBeNull();
    expect(w1.grad).toBeNull();
    expect(value.item()).toBeCloseTo(noGrad(() => f(x, scale).item()), 12);
    expectNear(values(gx), numericGrad((t) => f(t, scale), X), 1e-8);
  });

  it('a model weight passed as the differentiated argument gets its gradient; the caller\'s weight and the others are untouched', () => {
    const m = model();
    const [w1, b1, w2] = m.parameters();
    b1.grad = tensor([1, 2, 3], { dtype: 'float64' });
    const x = tensor(X, { dtype: 'float64' });
    // d/dw2 of sum(relu(x W1ᵀ + b1) W2ᵀ + b2) by finite differences in w2
    const h = (w: Tensor): Tensor => x.matmul(w1.transpose()).add(b1).relu().matmul(w.transpose()).sum();
    const g = grad(h)(w2);
    expect(w2.grad).toBeNull();
    expect(w1.grad).toBeNull();
    expect(values(b1.grad as Tensor)).toEqual([1, 2, 3]);
    const w2Rows = [values(w2)];
    expectNear(values(g), numericGrad(h, w2Rows), 1e-8);
    expect(w1.grad).toBeNull(); // numericGrad ran under noGrad
  });

  it('a retainGrad intermediate inside f gets no .grad', () => {
    let kept: Tensor | null = null;
    const f = (x: Tensor): Tensor => {
      const y = x.mul(x);
      y.retainGrad();
      kept = y;
      return y.sum();
    };
    const g = grad(f)(tensor([1, -2], { dtype: 'float64' }));
    expect(values(g)).toEqual([2, -4]);
    expect((kept as Tensor | null)?.grad).toBeNull();
  });

  it('f returning a leaf it closes over: that leaf gets no .grad, the argument a zero gradient', () => {
    const w = tensor([3], { dtype: 'float64', requiresGrad: true });
    const g = grad((_x: Tensor) => w)(tensor([1, 2], { dtype: 'float64' }));
    expect(values(g)).toEqual([0, 0]);
    expect(w.grad).toBeNull();
  });

  it('gradcheck does not write .grad on the parameters fn closes over', () => {
    const m = model();
    const report = gradcheck((x: Tensor) => m.forward(x), [tensor(X, { dtype: 'float64' })]);
    expect(report.ok).toBe(true);
    for (const p of m.parameters()) expect(p.grad).toBeNull();
  });
});
