// A small least-squares problem, f(w) = ½‖Aw − b‖², whose gradient Aᵀ(Aw − b) the tests compute
// by hand in float64, and a driver that runs an optimizer on it with those hand-made gradients.
import { type Tensor, tensor } from '../../src/index';

export const A = [
  [1, 2, -1, 0.5],
  [3, -1, 0.25, 2],
  [0.5, 4, 1, -3],
];
export const b = [1, -2, 0.5];
export const W0 = [0.3, -0.7, 1.1, 0.05];

/** ∇f(w) = Aᵀ(Aw − b), in plain numbers. */
export function gradient(w: readonly number[]): number[] {
  const r = A.map((row, i) => row.reduce((s, a, j) => s + a * w[j], 0) - b[i]);
  return w.map((_, j) => A.reduce((s, row, i) => s + row[j] * r[i], 0));
}

export interface StepTarget {
  step(): unknown;
}

/**
 * Run `steps` steps of the optimizer made by `make` on w, setting w.grad by hand to ∇f(w) each
 * time; returns w after each step.
 */
export function runOptimizer(
  make: (params: Tensor[]) => StepTarget,
  options: { steps?: number; dtype?: 'float32' | 'float64'; w0?: readonly number[] } = {},
): number[][] {
  const w = tensor([...(options.w0 ?? W0)], { dtype: options.dtype ?? 'float64', requiresGrad: true });
  const opt = make([w]);
  const history: number[][] = [];
  for (let t = 0; t < (options.steps ?? 3); t++) {
    const current = Array.from(w.toTypedArray());
    w.grad = tensor(gradient(current), { dtype: w.dtype });
    opt.step();
    history.push(Array.from(w.toTypedArray()));
  }
  return history;
}

/** Run a hand-written update rule (the oracle) from the same start. */
export function runOracle(
  update: (theta: number[], g: number[], t: number) => number[],
  options: { steps?: number; w0?: readonly number[] } = {},
): number[][] {
  let theta = [...(options.w0 ?? W0)];
  const history: number[][] = [];
  for (let t = 1; t <= (options.steps ?? 3); t++) {
    theta = update(theta, gradient(theta), t);
    history.push([...theta]);
  }
  return history;
}

/** Largest |a − b| / max(1, |b|) over all entries. */
export function maxRelError(actual: number[][], expected: number[][]): number {
  let worst = 0;
  actual.forEach((row, i) =>
    row.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - expected[i][j]) / Math.max(1, Math.abs(expected[i][j])));
    }),
  );
  return worst;
}
