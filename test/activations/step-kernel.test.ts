// The float32 fast paths of relu's exact backward and of its other rules, so that each rule costs
// about what the exact one costs: the WASM kernels `stepScaleInto` (exact and the rules of the same
// two-level shape: 'leaky', 'identity', floorAdded / peakNormalised of the exact derivative),
// `bSiluScaleInto` ('bSilu') and `guidedBackwardInto` ('guided') (asm/gemm.ts via src/nd/wasm),
// each against its formula written out in float64 here, their fallbacks, and that the activation
// engine really takes them.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { rules } from '../../src/activations';
import { STAGED_MIN, bSiluScaleInto, guidedBackwardInto, stagedKernelCount, stepScaleInto } from '../../src/nd/wasm';
import { gradTensor } from '../grad';
import { mulberry32 } from '../nd/gemm-harness';
import type { RuleChoice } from '../../src/activations';

/** Deterministic float32 values in [lo, hi). */
function values(n: number, seed: number, lo: number, hi: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** g·(x > 0 ? hi : lo) in float64 from the float32 inputs. */
const reference = (g: number, x: number, hi: number, lo: number): number => g * (x > 0 ? hi : lo);

/** Every element within float32 rounding of the float64 reference: |err| ≤ 2^-23·|ref| (0 stays exactly 0, NaN stays NaN). */
function expectNear(out: Float32Array, g: Float32Array, x: Float32Array, hi: number, lo: number): void {
  for (let i = 0; i < out.length; i++) {
    const ref = reference(g[i], x[i], hi, lo);
    if (Number.isNaN(ref)) {
      if (!Number.isNaN(out[i])) throw new Error(`x=${x[i]} g=${g[i]}: got ${out[i]}, want NaN`);
      continue;
    }
    const err = Math.abs(out[i] - ref);
    if (!(err <= 2 ** -23 * Math.abs(ref))) throw new Error(`hi=${hi} lo=${lo} x=${x[i]} g=${g[i]}: got ${out[i]}, want ${ref}`);
  }
}

const LENGTHS = [STAGED_MIN, STAGED_MIN + 3, 1001, 4096 * 2 + 37]; // several 4096-element chunks and tails not a multiple of 4

describe('stepScaleInto (WASM SIMD) vs g·(x > 0 ? hi : lo) in float64', () => {
  for (const [hi, lo] of [[1, 0], [1, 0.01], [1, 1], [2.5, -0.3], [0.1, 0.1]]) {
    it(`hi = ${hi}, lo = ${lo}: random data, several lengths`, () => {
      for (const n of LENGTHS) {
        const x = values(n, 3 + n, -2, 2);
        const g = values(n, 5 + n, -3, 3);
        const out = new Float32Array(n);
        expect(stepScaleInto(out, g, x, hi, lo)).toBe(true);
        expectNear(out, g, x, hi, lo);
        if (hi === 1 && (lo === 0 || lo === 1)) {
          // factors 0 and 1 are exact: the very values of the JS loop g·+(x > 0)
          out.forEach((v, i) => expect(Object.is(v, Math.fround(g[i] * (x[i] > 0 ? 1 : lo)))).toBe(true));
        }
      }
    });
  }

  it('NaN, ±Infinity and ±0 agree with the JS loop g·+(x > 0) bit for bit', () => {
    const special = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38];
    const n = STAGED_MIN + special.length * special.length;
    const x = values(n, 9, -1, 1);
    const g = values(n, 11, -1, 1);
    let at = 0;
    for (const a of special) {
      for (const b of special) {
        x[at] = a;
        g[at] = b;
        at++;
      }
    }
    const out = new Float32Array(n);
    expect(stepScaleInto(out, g, x, 1, 0)).toBe(true);
    out.forEach((v, i) => expect(Object.is(v, Math.fround(g[i] * +(x[i] > 0))), `x=${x[i]} g=${g[i]} got ${v}`).toBe(true));
  });

  it('out may alias g or x; elements beyond n are untouched', () => {
    const n = 1001;
    const x = values(n, 1, -2, 2);
    const g = values(n, 2, -2, 2);
    const want = Array.from(g, (v, i) => Math.fround(v * (x[i] > 0 ? 1 : 0.25)));
    const g2 = g.slice();
    expect(stepScaleInto(g2, g2, x, 1, 0.25)).toBe(true);
    expect(Array.from(g2)).toEqual(want);
    const x2 = x.slice();
    expect(stepScaleInto(x2, g, x2, 1, 0.25)).toBe(true);
    expect(Array.from(x2)).toEqual(want);
    const big = new Float32Array(n + 5).fill(7);
    expect(stepScaleInto(big.subarray(0, n), g, x, 1, 0.25)).toBe(true);
    expect(Array.from(big.subarray(n))).toEqual([7, 7, 7, 7, 7]);
  });

  it('declines (returns false, writes nothing) for float64, mismatched lengths or fewer than STAGED_MIN elements', () => {
    const n = STAGED_MIN;
    const out = new Float32Array(n);
    const ones = new Float32Array(n).fill(1);
    expect(stepScaleInto(new Float64Array(n), ones, ones, 1, 0)).toBe(false);
    expect(stepScaleInto(out, ones, new Float32Array(n - 1).fill(1), 1, 0)).toBe(false);
    expect(stepScaleInto(out.subarray(1), ones.subarray(1), ones.subarray(1), 1, 0)).toBe(false);
    expect(Array.from(out)).toEqual(new Array(n).fill(0));
  });
});

describe('the engine takes the step kernel for relu rules of the two-level shape', () => {
  const ROWS = 16;
  const COLS = 40; // 640 elements ≥ STAGED_MIN
  /** relu(x) backward with upstream gradient w (sum(relu(x)·w)), x and w deterministic; x has exact zeros. */
  function reluGrad(dtype: 'float32' | 'float64', backward: RuleChoice): { grad: number[]; runs: number; xs: number[]; ws: number[] } {
    const xs = Array.from(values(ROWS * COLS, 21, -3, 3));
    for (let i = 0; i < xs.length; i += 37) xs[i] = 0; // the tie: every rule of this file takes lo there
    const ws = Array.from(values(ROWS * COLS, 22, -2, 2));
    const x = tensor(xs, { dtype, requiresGrad: true });
    const w = tensor(ws, { dtype });
    const before = stagedKernelCount();
    const y = x.reshape([ROWS, COLS]).relu({ backward }).reshape([ROWS * COLS]);
    const reluForwardRuns = stagedKernelCount() - before; // the forward's own WASM kernel, if it ran
    y.mul(w).sum().backward();
    return { grad: Array.from(gradTensor(x).toTypedArray()), runs: stagedKernelCount() - before - reluForwardRuns, xs, ws };
  }

  const cases: [string, RuleChoice, number, number][] = [
    ['exact', 'exact', 1, 0],
    ["'leaky' (c = 0.01)", 'leaky', 1, 0.01],
    ['leakyBackward({ c: 0.2 })', rules.leakyBackward({ c: 0.2 }), 1, 0.2],
    ["'identity'", 'identity', 1, 1],
    ['floorAdded({ c: 0.1 }) of exact', rules.floorAdded({ c: 0.1 }), 1.1, 0.1],
    ['peakNormalised() of exact', rules.peakNormalised(), 1, 0],
  ];
  for (const [name, rule, hi, lo] of cases) {
    it(`float32 ${name}: one kernel run, g·(x > 0 ? ${hi} : ${lo}) to float32 rounding`, () => {
      const { grad, runs, xs, ws } = reluGrad('float32', rule);
      expect(runs).toBe(1);
      grad.forEach((v, i) => {
        const ref = reference(Math.fround(ws[i]), Math.fround(xs[i]), hi, lo);
        expect(Math.abs(v - ref)).toBeLessThanOrEqual(2 ** -23 * Math.abs(ref) + 1e-30);
      });
    });
    it(`float64 ${name}: the JS loop, the formula exactly`, () => {
      const { grad, runs, xs, ws } = reluGrad('float64', rule);
      expect(runs).toBe(0);
      grad.forEach((v, i) => expect(v).toBeCloseTo(reference(ws[i], xs[i], hi, lo), 14));
    });
  }

  it('leakyRelu (another activation) with the identity rule takes it too; a small tensor does not', () => {
    const xs = Array.from(values(ROWS * COLS, 31, -3, 3));
    const x = tensor(xs, { dtype: 'float32', requiresGrad: true });
    const before = stagedKernelCount();
    x.leakyRelu({ backward: 'identity' }).sum().backward();
    expect(stagedKernelCount() - before).toBe(1);
    expect(Array.from(gradTensor(x).toTypedArray())).toEqual(new Array(xs.length).fill(1));
    const small = tensor([-1, 0, 2], { dtype: 'float32', requiresGrad: true });
    const b2 = stagedKernelCount();
    small.relu().sum().backward();
    expect(stagedKernelCount()).toBe(b2);
    expect(Array.from(gradTensor(small).toTypedArray())).toEqual([0, 0, 1]);
  });
});

/** The bSilu derivative σ(x) + (x + α)σ(x)(1 − σ(x)) in float64, as rules.bSilu states it. */
function bSiluRef(x: number, alpha: number): number {
  const s = 1 / (1 + Math.exp(-x));
  return s + (x + alpha) * s * (1 - s);
}

describe('bSiluScaleInto (WASM SIMD) vs g·h_bSilu(x) in float64', () => {
  /** |err| ≤ 4e-7·|ref| + 1e-7·|g|: a few float32 ulps, absolute where h crosses 0 or vanishes. */
  function expectBSilu(out: Float32Array, g: Float32Array, x: Float32Array, alpha: number): void {
    for (let i = 0; i < out.length; i++) {
      const ref = g[i] * bSiluRef(x[i], alpha);
      const err = Math.abs(out[i] - ref);
      if (!(err <= 4e-7 * Math.abs(ref) + 1e-7 * Math.abs(g[i]))) throw new Error(`α=${alpha} x=${x[i]} g=${g[i]}: got ${out[i]}, want ${ref}`);
    }
  }
  for (const alpha of [1.67, 0, -0.5, 3]) {
    it(`α = ${alpha}: a grid of 200001 points over [−30, 30] with g = 1, and random g at several lengths`, () => {
      const n = 200_001;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = -30 + (60 * i) / (n - 1);
      const ones = new Float32Array(n).fill(1);
      const out = new Float32Array(n);
      expect(bSiluScaleInto(out, ones, x, alpha)).toBe(true);
      expectBSilu(out, ones, x, alpha);
      for (const m of LENGTHS) {
        const xs = values(m, 40 + m, -12, 12);
        const g = values(m, 41 + m, -3, 3);
        const o = new Float32Array(m);
        expect(bSiluScaleInto(o, g, xs, alpha)).toBe(true);
        expectBSilu(o, g, xs, alpha);
      }
    });
  }

  it('far tails, ±∞ and NaN as the JS formula: NaN for ±∞ and NaN, → 0 below, → g above', () => {
    const xs = [NaN, Infinity, -Infinity, -200, -90, -88.5, 88.5, 200, 0, -0];
    const n = STAGED_MIN;
    const x = new Float32Array(n);
    x.set(xs);
    const g = new Float32Array(n).fill(2);
    const out = new Float32Array(n);
    expect(bSiluScaleInto(out, g, x, 1.67)).toBe(true);
    xs.forEach((v, i) => {
      const ref = 2 * bSiluRef(Math.fround(v), 1.67);
      if (Number.isNaN(ref)) expect(out[i]).toBeNaN();
      else expect(Math.abs(out[i] - ref)).toBeLessThanOrEqual(4e-7 * Math.abs(ref) + 2e-7);
    });
  });

  it('declines for float64, short or mismatched arrays and a non-finite α', () => {
    const n = STAGED_MIN;
    const ones = new Float32Array(n).fill(1);
    const out = new Float32Array(n);
    expect(bSiluScaleInto(new Float64Array(n), ones, ones, 1)).toBe(false);
    expect(bSiluScaleInto(out.subarray(1), ones.subarray(1), ones.subarray(1), 1)).toBe(false);
    expect(bSiluScaleInto(out, ones, ones.subarray(1), 1)).toBe(false);
    expect(bSiluScaleInto(out, ones, ones, NaN)).toBe(false);
    expect(Array.from(out)).toEqual(new Array(n).fill(0));
  });
});

describe('guidedBackwardInto (WASM SIMD) vs (x > 0 and g > 0) ? g : 0', () => {
  it('random data with ties and special values: the JS rule bit for bit', () => {
    const special = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 2];
    for (const n of LENGTHS) {
      const x = values(n, 50 + n, -2, 2);
      const g = values(n, 51 + n, -2, 2);
      for (let i = 0; i < special.length * special.length && i < n; i++) {
        x[i] = special[i % special.length];
        g[i] = special[Math.floor(i / special.length)];
      }
      for (let i = 70; i < n; i += 13) x[i] = 0;
      const out = new Float32Array(n);
      expect(guidedBackwardInto(out, g, x)).toBe(true);
      out.forEach((v, i) => expect(Object.is(v, x[i] > 0 && g[i] > 0 ? g[i] : 0), `x=${x[i]} g=${g[i]} got ${v}`).toBe(true));
    }
  });

  it('declines for float64 and short arrays', () => {
    const ones = new Float32Array(STAGED_MIN).fill(1);
    expect(guidedBackwardInto(new Float64Array(STAGED_MIN), ones, ones)).toBe(false);
    expect(guidedBackwardInto(ones.subarray(1), ones.subarray(1), ones.subarray(1))).toBe(false);
  });
});

describe("the engine takes the 'bSilu' and 'guided' kernels on float32", () => {
  const xs = Array.from(values(640, 61, -6, 6));
  const ws = Array.from(values(640, 62, -2, 2));
  function grad(dtype: 'float32' | 'float64', backward: RuleChoice): { g: number[]; runs: number } {
    const x = tensor(xs, { dtype, requiresGrad: true });
    const y = x.relu({ backward });
    const before = stagedKernelCount();
    y.mul(tensor(ws, { dtype })).sum().backward();
    return { g: Array.from(gradTensor(x).toTypedArray()), runs: stagedKernelCount() - before };
  }
  it("'bSilu' and rules.bSilu({ alpha: 0.5 }): one kernel run, the formula to float32 rounding; float64 the JS loop", () => {
    for (const [rule, alpha] of [['bSilu', 1.67], [rules.bSilu({ alpha: 0.5 }), 0.5]] as const) {
      const f32 = grad('float32', rule);
      expect(f32.runs).toBe(1);
      f32.g.forEach((v, i) => {
        const gi = Math.fround(ws[i]);
        const ref = gi * bSiluRef(Math.fround(xs[i]), alpha);
        expect(Math.abs(v - ref)).toBeLessThanOrEqual(4e-7 * Math.abs(ref) + 1e-7 * Math.abs(gi));
      });
      const f64 = grad('float64', rule);
      expect(f64.runs).toBe(0);
      f64.g.forEach((v, i) => expect(v).toBe(ws[i] * bSiluRef(xs[i], alpha)));
    }
  });
  it("'guided': one kernel run and the rule's values; float64 the JS loop", () => {
    const f32 = grad('float32', 'guided');
    expect(f32.runs).toBe(1);
    f32.g.forEach((v, i) => expect(v).toBe(xs[i] > 0 && ws[i] > 0 ? Math.fround(ws[i]) : 0));
    const f64 = grad('float64', 'guided');
    expect(f64.runs).toBe(0);
    f64.g.forEach((v, i) => expect(v).toBe(xs[i] > 0 && ws[i] > 0 ? ws[i] : 0));
  });
});
