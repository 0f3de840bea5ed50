// The float32 fast path of relu's 'sigmoid' rule (rules.sigmoidShaped): the WASM SIMD kernel
// `sigmoidScaleInto` (asm/gemm.ts via src/nd/wasm) against the formula g·σ(k·x) in float64, its
// fallbacks, and that the activation engine really takes it.
import { describe, expect, it, vi } from 'vitest';
import { tensor } from '../../src/creation';
import { rules } from '../../src/activations';
import { SIGMOID_SCALE_MIN, sigmoidScaleCount, sigmoidScaleInto } from '../../src/nd/wasm';
import * as nd from '../../src/nd';
import { mulberry32 } from '../nd/gemm-harness';
import { gradTensor } from '../grad';

/** g·σ(k·x) in float64 from the float32 inputs, as the JS path computes it. */
const reference = (g: number, x: number, k: number): number => g * (1 / (1 + Math.exp(-k * x)));

/** Documented bound: 3e-7 relative, or 1e-7·|g| absolute where σ is tiny (σ < 1e-30 included). */
function expectNear(out: Float32Array, g: Float32Array, x: Float32Array, k: number): void {
  let worst = 0;
  for (let i = 0; i < out.length; i++) {
    const ref = reference(g[i], x[i], k);
    const err = Math.abs(out[i] - ref);
    const bound = 3e-7 * Math.abs(ref) + 1e-7 * Math.abs(g[i]);
    if (!(err <= bound)) throw new Error(`k=${k} x=${x[i]} g=${g[i]}: got ${out[i]}, want ${ref} (err ${err})`);
    worst = Math.max(worst, err / bound);
  }
  expect(worst).toBeLessThanOrEqual(1);
}


describe('sigmoidScaleInto (WASM SIMD) vs g·σ(kx) in float64', () => {
  for (const k of [1, 2, 0.5]) {
    it(`k = ${k}: a grid of 600001 points over [−30, 30], g = 1 and g random`, () => {
      const n = 600_001; // not a multiple of 4: the padded tail is exercised
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = -30 + (60 * i) / (n - 1);
      const ones = new Float32Array(n).fill(1);
      const out = new Float32Array(n);
      expect(sigmoidScaleInto(out, ones, x, k)).toBe(true);
      expectNear(out, ones, x, k);
      const rand = mulberry32(k * 1000);
      const g = new Float32Array(n).map(() => rand() * 4 - 2);
      expect(sigmoidScaleInto(out, g, x, k)).toBe(true);
      expectNear(out, g, x, k);
    });

    it(`k = ${k}: random data, several lengths`, () => {
      const rand = mulberry32(7 + k * 10);
      for (const n of [SIGMOID_SCALE_MIN, 33, 37, 255, 1001, 32768]) {
        const x = new Float32Array(n).map(() => (rand() - 0.5) * 60);
        const g = new Float32Array(n).map(() => (rand() - 0.5) * 10);
        const out = new Float32Array(n);
        expect(sigmoidScaleInto(out, g, x, k)).toBe(true);
        expectNear(out, g, x, k);
      }
    });
  }

  it('a k that is no power of two keeps k·x exact (formed in split precision, as JS does in float64)', () => {
    const n = 100_000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -30 + (60 * i) / (n - 1);
    const g = new Float32Array(n).fill(1);
    const out = new Float32Array(n);
    for (const k of [3.7, 0.013, 1 / 3]) {
      expect(sigmoidScaleInto(out, g, x, k)).toBe(true);
      expectNear(out, g, x, k);
    }
  });

  it('NaN, ±Infinity, ±0 and saturation agree with the JS path', () => {
    const special = [NaN, Infinity, -Infinity, 0, -0, 1e30, -1e30, 88, -88, 100, -100, 3.4e38, -3.4e38];
    const n = 64;
    const x = new Float32Array(n).map((_, i) => special[i % special.length]);
    const g = new Float32Array(n).map((_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? -2.5 : 0.75));
    g[60] = NaN;
    for (const k of [1, 2, 0.5]) {
      const out = new Float32Array(n);
      expect(sigmoidScaleInto(out, g, x, k)).toBe(true);
      const h = rules.sigmoidShaped({ k }).derivative;
      for (let i = 0; i < n; i++) {
        const js = Math.fround(g[i] * h(x[i], 0));
        if (Number.isNaN(js)) expect(out[i]).toBeNaN();
        else expect(Math.abs(out[i] - js)).toBeLessThanOrEqual(1e-7 * Math.abs(g[i]));
      }
      // exact saturation: σ(+∞) = 1, σ(−∞) = 0, NaN → NaN
      expect(out[0]).toBeNaN();
      expect(out[1]).toBe(g[1]);
      expect(out[2]).toBe(0);
    }
  });

  it('out may alias g; the arrays beyond n are untouched', () => {
    const buf = new Float32Array(50).fill(7);
    const g = buf.subarray(0, 37);
    const x = new Float32Array(37).map((_, i) => i - 18);
    const want = Array.from(g, (v, i) => reference(v, x[i], 1));
    expect(sigmoidScaleInto(g, g, x, 1)).toBe(true);
    for (let i = 0; i < 37; i++) expect(Math.abs(g[i] - want[i])).toBeLessThanOrEqual(3e-7 * Math.abs(want[i]) + 1e-7);
    expect(Array.from(buf.subarray(37))).toEqual(new Array(13).fill(7));
  });

  it('declines (returns false, writes nothing) when it cannot or should not run', () => {
    const n = 100;
    const f32 = (): Float32Array => new Float32Array(n).fill(0.5);
    const out = new Float32Array(n).fill(9);
    expect(sigmoidScaleInto(new Float64Array(n), new Float64Array(n), new Float64Array(n), 1)).toBe(false);
    expect(sigmoidScaleInto(out, f32(), new Float64Array(n), 1)).toBe(false);
    expect(sigmoidScaleInto(out, f32(), new Float32Array(n - 1), 1)).toBe(false);
    const small = SIGMOID_SCALE_MIN - 1;
    expect(sigmoidScaleInto(new Float32Array(small), new Float32Array(small), new Float32Array(small), 1)).toBe(false);
    expect(sigmoidScaleInto(out, f32(), f32(), Infinity)).toBe(false);
    expect(sigmoidScaleInto(out, f32(), f32(), NaN)).toBe(false);
    expect(Array.from(out)).toEqual(new Array(n).fill(9));
    expect(nd.sigmoidScaleInto).toBe(sigmoidScaleInto); // the nd layer's export
  });
});

// ---------------------------------------------------------------------------
// The activation engine
// ---------------------------------------------------------------------------

function randomMatrix(rows: number, cols: number, seed: number): number[][] {
  const rand = mulberry32(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (rand() - 0.5) * 12));
}

/** Backward of sum(relu(x)·w) with `backward`; returns x's gradient and how often the kernel ran. */
function reluGrad(dtype: 'float32' | 'float64', backward: Parameters<typeof rules.blend>[0]): { grad: number[]; runs: number; xs: number[]; ws: number[] } {
  const xs2 = randomMatrix(16, 24, 1);
  const ws2 = randomMatrix(16, 24, 2);
  const x = tensor(xs2, { dtype, requiresGrad: true });
  const w = tensor(ws2, { dtype });
  const before = sigmoidScaleCount();
  x.relu({ backward }).mul(w).sum().backward();
  const runs = sigmoidScaleCount() - before;
  return { grad: Array.from(gradTensor(x).toTypedArray()), runs, xs: xs2.flat(), ws: ws2.flat() };
}

describe("the engine takes the fast path for float32 relu 'sigmoid' only", () => {
  it("float32 relu 'sigmoid' and rules.sigmoidShaped({ k: 2 }) run the kernel, with the formula's values", () => {
    for (const [backward, k] of [['sigmoid', 1], [rules.sigmoidShaped({ k: 2 }), 2]] as const) {
      const { grad, runs, xs, ws } = reluGrad('float32', backward);
      expect(runs).toBe(1);
      grad.forEach((v, i) => {
        const gi = Math.fround(ws[i]);
        const ref = reference(gi, Math.fround(xs[i]), k);
        expect(Math.abs(v - ref)).toBeLessThanOrEqual(3e-7 * Math.abs(ref) + 1e-7 * Math.abs(gi));
      });
    }
  });

  it('float64 uses the JS loop (the kernel does not run) and matches float64 exactly', () => {
    const { grad, runs, xs, ws } = reluGrad('float64', 'sigmoid');
    expect(runs).toBe(0);
    grad.forEach((v, i) => expect(v).toBe(ws[i] * (1 / (1 + Math.exp(-xs[i])))));
  });

  it('other rules never carry it: blend, exact, a copy with another derivative', () => {
    expect(reluGrad('float32', rules.blend('sigmoid', 'exact', 0.5)).runs).toBe(0);
    expect(reluGrad('float32', 'exact').runs).toBe(0);
    expect(reluGrad('float32', rules.bSilu()).runs).toBe(0);
    const copy = { ...rules.sigmoidShaped({ k: 1 }), derivative: (x: number) => (x > 0 ? 2 : 0) };
    const { grad, runs, ws, xs } = reluGrad('float32', copy);
    expect(runs).toBe(0);
    grad.forEach((v, i) => expect(v).toBe(Math.fround(Math.fround(ws[i]) * (Math.fround(xs[i]) > 0 ? 2 : 0))));
  });

  it('a tensor too small to pay off uses the JS loop', () => {
    const x = tensor([-1, 0, 1, 2], { dtype: 'float32', requiresGrad: true });
    const before = sigmoidScaleCount();
    x.relu({ backward: 'sigmoid' }).sum().backward();
    expect(sigmoidScaleCount()).toBe(before);
    Array.from(gradTensor(x).toTypedArray()).forEach((v, i) => expect(v).toBeCloseTo(1 / (1 + Math.exp(-[-1, 0, 1, 2][i])), 6));
  });

  it('SURROGRAD_NO_WASM=1 (read on first use) falls back to the JS loop', async () => {
    const saved = process.env.SURROGRAD_NO_WASM;
    process.env.SURROGRAD_NO_WASM = '1';
    try {
      vi.resetModules();
      const wasm = await import('../../src/nd/wasm/index.js'); // vite resolves .js to the .ts source
      const creation = await import('../../src/creation.js');
      const n = 256;
      const out = new Float32Array(n);
      expect(wasm.sigmoidScaleInto(out, new Float32Array(n).fill(1), new Float32Array(n), 1)).toBe(false);
      expect(Array.from(out)).toEqual(new Array(n).fill(0));
      const xs = randomMatrix(16, 24, 3);
      const x = creation.tensor(xs, { dtype: 'float32', requiresGrad: true });
      x.relu({ backward: 'sigmoid' }).sum().backward();
      expect(wasm.sigmoidScaleCount()).toBe(0);
      const flat = xs.flat();
      Array.from(gradTensor(x).toTypedArray()).forEach((v, i) => expect(v).toBe(Math.fround(1 / (1 + Math.exp(-Math.fround(flat[i]))))));
    } finally {
      if (saved === undefined) delete process.env.SURROGRAD_NO_WASM;
      else process.env.SURROGRAD_NO_WASM = saved;
      vi.resetModules();
    }
  });
});
