// Float32 parameters big enough (≥ 256 elements) for the optimizers' WASM SIMD updates, against the
// update rules written here in float64 (PyTorch's documented algorithms); float32 storage rounds
// each step, so the comparison is to a relative 1e-5.
import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index';

const N = 300;
const P0 = Array.from({ length: N }, (_, i) => Math.sin(i * 0.37) * 2);
const grads = (step: number): number[] => Array.from({ length: N }, (_, i) => Math.cos(i * 0.11 + step) + 0.3 * Math.sin(i * step));

function expectNear(actual: ArrayLike<number>, expected: readonly number[]): void {
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-5 * (1 + Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

function run(make: (p: ReturnType<typeof tensor>) => { step(): void }, steps: number): Float32Array {
  const p = tensor(Float32Array.from(P0), { requiresGrad: true });
  const opt = make(p);
  for (let t = 1; t <= steps; t++) {
    p.grad = tensor(Float32Array.from(grads(t)));
    opt.step();
  }
  return p.toTypedArray() as Float32Array;
}

describe('SGD on float32 (SIMD path)', () => {
  it('plain, with weight decay: θ ← θ − lr(g + λθ)', () => {
    const [lr, wd] = [0.1, 0.01];
    const th = [...P0];
    for (let t = 1; t <= 3; t++) grads(t).forEach((g, i) => (th[i] -= lr * (g + wd * th[i])));
    expectNear(run((p) => new optim.SGD([p], { lr, weightDecay: wd }), 3), th);
  });

  it('momentum with dampening, and Nesterov', () => {
    for (const nesterov of [false, true]) {
      const [lr, wd, mu, damp] = [0.05, 0.02, 0.9, nesterov ? 0 : 0.1];
      const th = [...P0];
      const b = new Array<number>(N).fill(0);
      for (let t = 1; t <= 4; t++) {
        grads(t).forEach((g0, i) => {
          const g = g0 + wd * th[i];
          b[i] = t === 1 ? g : mu * b[i] + (1 - damp) * g;
          th[i] -= lr * (nesterov ? g + mu * b[i] : b[i]);
        });
      }
      expectNear(run((p) => new optim.SGD([p], { lr, weightDecay: wd, momentum: mu, dampening: damp, nesterov }), 4), th);
    }
  });
});

describe('Adam and AdamW on float32 (SIMD path)', () => {
  function reference(decoupled: boolean, maximize: boolean): number[] {
    const [lr, b1, b2, eps, wd] = [0.01, 0.9, 0.999, 1e-8, 0.05];
    const th = [...P0];
    const m = new Array<number>(N).fill(0);
    const v = new Array<number>(N).fill(0);
    for (let t = 1; t <= 4; t++) {
      grads(t).forEach((g0, i) => {
        let g = maximize ? -g0 : g0;
        if (decoupled) th[i] *= 1 - lr * wd;
        else g += wd * th[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        const mh = m[i] / (1 - b1 ** t);
        const vh = v[i] / (1 - b2 ** t);
        th[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
      });
    }
    return th;
  }

  it('Adam with L2 weight decay, and maximize', () => {
    for (const maximize of [false, true]) {
      expectNear(run((p) => new optim.Adam([p], { lr: 0.01, weightDecay: 0.05, maximize }), 4), reference(false, maximize));
    }
  });

  it('AdamW (decoupled weight decay)', () => {
    expectNear(run((p) => new optim.AdamW([p], { lr: 0.01, weightDecay: 0.05 }), 4), reference(true, false));
  });
});
