// The backward pass's pooled buffers (tape.ts reference counts, nd/pool.ts): a buffer goes back to
// the pool only when nothing in the pass holds it any more, and every temporary does go back.
//
// 1. Released too early, a buffer the pass still holds is handed out again to the next backward
//    of the same size and overwritten while it is read; an elementwise backward would not notice
//    (it reads and writes element i together), a matmul backward does. Oracle: the chain rule
//    written with plain loops.
// 2. Never released, each step allocates afresh: the pool's miss count grows with every step
//    instead of staying flat after the first (the pool's documented purpose, nd/pool.ts).
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import * as nd from '../../src/nd';
import { Generator } from '../../src/random';
import { randn } from '../../src/creation';
import { grad } from '../../src/autograd/functional';

const sig = (z: number): number => 1 / (1 + Math.exp(-z));

type M = number[][];
const matmul = (p: M, q: M): M => p.map((row) => q[0].map((_, j) => row.reduce((s, v, k) => s + v * q[k][j], 0)));
const T = (p: M): M => p[0].map((_, j) => p.map((row) => row[j]));

function rand(n: number, m: number, seed: number): M {
  let s = seed;
  const next = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  return Array.from({ length: n }, () => Array.from({ length: m }, next));
}

describe('pooled buffers are released only when nothing holds them', () => {
  it('x → matmul A → sigmoid → matmul B → sum: every temporary the same size, dx by the chain rule', () => {
    const n = 4;
    const X = rand(n, n, 1);
    const A = rand(n, n, 2);
    const B = rand(n, n, 3);
    for (let rep = 0; rep < 3; rep++) {
      const x = tensor(X, { dtype: 'float64', requiresGrad: true });
      x.matmul(tensor(A, { dtype: 'float64' })).sigmoid().matmul(tensor(B, { dtype: 'float64' })).sum().backward();
      const Z = matmul(X, A);
      const dS = matmul(X.map((r) => r.map(() => 1)), T(B)); // ∂L/∂s = 1·Bᵀ
      const dZ = dS.map((r, i) => r.map((v, j) => v * sig(Z[i][j]) * (1 - sig(Z[i][j]))));
      const dX = matmul(dZ, T(A));
      const got = x.grad!.toArray() as M;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(got[i][j]).toBeCloseTo(dX[i][j], 12);
    }
  });

  it('the same with the matmul input used twice (its gradient summed from two paths)', () => {
    const n = 4;
    const X = rand(n, n, 4);
    const A = rand(n, n, 5);
    const x = tensor(X, { dtype: 'float64', requiresGrad: true });
    const a = tensor(A, { dtype: 'float64' });
    const s = x.sigmoid();
    s.matmul(a).add(s.matmul(a).matmul(a)).sum().backward(); // L = Σ (sA + sA²)
    const ones = X.map((r) => r.map(() => 1));
    const AT = T(A);
    const dS = matmul(ones, AT).map((r, i) => r.map((v, j) => v + matmul(matmul(ones, AT), AT)[i][j]));
    const dX = dS.map((r, i) => r.map((v, j) => v * sig(X[i][j]) * (1 - sig(X[i][j]))));
    const got = x.grad!.toArray() as M;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(got[i][j]).toBeCloseTo(dX[i][j], 12);
  });
});

describe('a retained gradient is not given back while the pass still holds it', () => {
  it('s = sigmoid(xA).retainGrad(): s.grad is 1·Bᵀ, not overwritten by the next backward of its size', () => {
    const n = 4;
    const X = rand(n, n, 6);
    const A = rand(n, n, 7);
    const B = rand(n, n, 8);
    const x = tensor(X, { dtype: 'float64', requiresGrad: true });
    const s = x.matmul(tensor(A, { dtype: 'float64' })).sigmoid().retainGrad();
    s.matmul(tensor(B, { dtype: 'float64' })).sum().backward();
    const dS = matmul(X.map((r) => r.map(() => 1)), T(B));
    const got = s.grad!.toArray() as M;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(got[i][j]).toBeCloseTo(dS[i][j], 12);
  });
});

describe('every temporary goes back to the pool', () => {
  it("grad(f) of a function returning a captured leaf: the root's seed goes back to the pool", () => {
    const w = tensor([3], { requiresGrad: true, dtype: 'float64' });
    const f = grad(() => w);
    f(tensor([1], { dtype: 'float64' }));
    for (let i = 0; i < 3; i++) {
      const before = nd.poolStats().misses;
      expect(Array.from(f(tensor([1], { dtype: 'float64' })).toTypedArray())).toEqual([0]);
      expect(nd.poolStats().misses - before).toBe(0);
    }
    expect(w.grad).toBeNull();
  });

  it('after two warm-up steps, a training step takes from the pool only the buffers it gives away as .grad', () => {
    const gen = new Generator(3);
    const w1 = randn([8, 6], { generator: gen, requiresGrad: true });
    const w2 = randn([6, 1], { generator: gen, requiresGrad: true });
    const x = randn([5, 8], { generator: gen });
    const step = (): void => {
      w1.grad = null;
      w2.grad = null;
      const h = x.matmul(w1).sigmoid();
      h.add(h.mul(h)).matmul(w2).square().mean().backward();
    };
    step();
    step();
    // the only buffers that may leave the pool each step are the two adopted as w1.grad and w2.grad
    for (let i = 0; i < 5; i++) {
      const before = nd.poolStats().misses;
      step();
      expect(nd.poolStats().misses - before).toBeLessThanOrEqual(2);
    }
    // accumulating into .grad that already exists gives nothing away: after one warm-up step (the
    // buffers of the gradients' own size were given away above), no buffer leaves the pool
    const accumulate = (): void => {
      const h = x.matmul(w1).sigmoid();
      h.add(h.mul(h)).matmul(w2).square().mean().backward();
    };
    accumulate();
    for (let i = 0; i < 3; i++) {
      const before = nd.poolStats().misses;
      accumulate();
      expect(nd.poolStats().misses - before).toBe(0);
    }
  });
});
