// The staged float32 WASM kernels of issue 11 (src/nd/wasm/index.ts): Adam, SGD and sigmoid's
// backward, four lanes at a time in float32 arithmetic. The oracle is the update written out in
// float64 here; the kernels may differ from it only by float32 rounding. Lengths cover several
// chunks (4096 elements each) and a tail that is not a multiple of 4.
import { describe, expect, it } from 'vitest';
import * as nd from '../../src/nd';
import { stagedKernelCount } from '../../src/nd/wasm';
import { linear, optim, tensor } from '../../src';

/** Deterministic values in [lo, hi) (a small LCG: the test needs no library randomness). */
function values(n: number, seed: number, lo: number, hi: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}

/** Largest |a − b| / (|b| + floor) over the arrays. */
function worst(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let w = 0;
  for (let i = 0; i < b.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + floor));
  return w;
}

const LENGTHS = [256, 1001, 4096 * 2 + 37];

describe('adamStepInto', () => {
  const cases: [string, nd.AdamStepParams][] = [
    ['Adam, step 1', { sign: 1, l2: 0, shrink: 1, beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / (1 - 0.9), invSqrtBc2: 1 / Math.sqrt(1 - 0.999), eps: 1e-8 }],
    ['Adam with L2 weight decay, maximize, step 7', { sign: -1, l2: 0.3, shrink: 1, beta1: 0.8, beta2: 0.95, stepSize: 0.01 / (1 - 0.8 ** 7), invSqrtBc2: 1 / Math.sqrt(1 - 0.95 ** 7), eps: 0.1 }],
    ['AdamW (decoupled shrink)', { sign: 1, l2: 0, shrink: 1 - 0.05 * 0.01, beta1: 0.9, beta2: 0.999, stepSize: 0.05 / (1 - 0.9 ** 3), invSqrtBc2: 1 / Math.sqrt(1 - 0.999 ** 3), eps: 1e-8 }],
  ];
  for (const [name, h] of cases) {
    it(`is the float64 update to float32 rounding: ${name}`, () => {
      for (const n of LENGTHS) {
        const p = values(n, 1, -2, 2);
        const g = values(n, 2, -1, 1);
        const m = values(n, 3, -0.1, 0.1);
        const v = values(n, 4, 0, 0.01);
        // the oracle, in float64 from the same float32 inputs
        const want = { p: new Float64Array(n), m: new Float64Array(n), v: new Float64Array(n) };
        for (let i = 0; i < n; i++) {
          const gi = h.sign * g[i] + h.l2 * p[i];
          const mi = h.beta1 * m[i] + (1 - h.beta1) * gi;
          const vi = h.beta2 * v[i] + (1 - h.beta2) * gi * gi;
          want.m[i] = mi;
          want.v[i] = vi;
          want.p[i] = h.shrink * p[i] - (h.stepSize * mi) / (Math.sqrt(vi) * h.invSqrtBc2 + h.eps);
        }
        const gBefore = g.slice();
        const runs = stagedKernelCount();
        expect(nd.adamStepInto(p, g, m, v, h)).toBe(true);
        expect(stagedKernelCount()).toBe(runs + 1);
        // floors at the size of the terms: float32 rounding of O(1) terms that cancel
        expect(worst(m, want.m, 0.1)).toBeLessThan(1e-6);
        expect(worst(v, want.v, 0.01)).toBeLessThan(1e-6);
        expect(worst(p, want.p, 1)).toBeLessThan(1e-6);
        expect(g).toEqual(gBefore); // the gradient is read, never written
      }
    });
  }

  it('declines, touching nothing, for float64, short or mismatched arrays', () => {
    const h = cases[0][1];
    const p = values(1000, 1, -1, 1);
    const before = p.slice();
    expect(nd.adamStepInto(new Float64Array(1000), new Float64Array(1000), new Float64Array(1000), new Float64Array(1000), h)).toBe(false);
    expect(nd.adamStepInto(p.subarray(0, 255), p.subarray(0, 255), p.subarray(0, 255), p.subarray(0, 255), h)).toBe(false);
    expect(nd.adamStepInto(p, new Float32Array(999), new Float32Array(1000), new Float32Array(1000), h)).toBe(false);
    expect(p).toEqual(before);
  });
});

describe('sgdStepInto', () => {
  const base: nd.SgdStepParams = { lr: 0.1, sign: 1, weightDecay: 0, momentum: 0, keep: 1, nesterov: false, first: false };
  const cases: [string, nd.SgdStepParams][] = [
    ['plain', base],
    ['weight decay, maximize', { ...base, sign: -1, weightDecay: 0.2 }],
    ['momentum, first step', { ...base, momentum: 0.9, first: true }],
    ['momentum with dampening', { ...base, momentum: 0.9, keep: 0.7 }],
    ['nesterov', { ...base, momentum: 0.8, nesterov: true, weightDecay: 0.01 }],
  ];
  for (const [name, h] of cases) {
    it(`is the float64 update to float32 rounding: ${name}`, () => {
      for (const n of LENGTHS) {
        const p = values(n, 5, -2, 2);
        const g = values(n, 6, -1, 1);
        const b = values(n, 7, -0.5, 0.5);
        const wantP = new Float64Array(n);
        const wantB = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const gi = h.sign * g[i] + h.weightDecay * p[i];
          if (h.momentum === 0) {
            wantP[i] = p[i] - h.lr * gi;
            continue;
          }
          const bi = h.first ? gi : h.momentum * b[i] + h.keep * gi;
          wantB[i] = bi;
          wantP[i] = p[i] - h.lr * (h.nesterov ? gi + h.momentum * bi : bi);
        }
        const bBefore = b.slice();
        expect(nd.sgdStepInto(p, g, h.momentum === 0 ? null : b, h)).toBe(true);
        expect(worst(p, wantP, 1)).toBeLessThan(1e-6);
        if (h.momentum === 0) expect(b).toEqual(bBefore); // no buffer: not touched
        else expect(worst(b, wantB, 1)).toBeLessThan(1e-6);
      }
    });
  }

  it('declines without a float32 momentum buffer of the same length when momentum is on', () => {
    const p = values(512, 1, -1, 1);
    const before = p.slice();
    expect(nd.sgdStepInto(p, p.slice(), null, { ...base, momentum: 0.9 })).toBe(false);
    expect(nd.sgdStepInto(p, p.slice(), new Float32Array(511), { ...base, momentum: 0.9 })).toBe(false);
    expect(p).toEqual(before);
  });
});

describe('sigmoidBackwardInto', () => {
  it('is g·(scale·y(1 − y) + shift) to float32 rounding, out aliasing nothing or g', () => {
    for (const n of LENGTHS) {
      const y = values(n, 8, 0, 1);
      const g = values(n, 9, -3, 3);
      for (const [scale, shift] of [[1, 0], [4, 0], [1, 0.1]]) {
        const want = Array.from(g, (gi, i) => gi * (scale * y[i] * (1 - y[i]) + shift));
        const out = new Float32Array(n);
        expect(nd.sigmoidBackwardInto(out, g, y, scale, shift)).toBe(true);
        expect(worst(out, want, 1e-6)).toBeLessThan(4e-7);
        const inPlace = g.slice();
        expect(nd.sigmoidBackwardInto(inPlace, inPlace, y, scale, shift)).toBe(true);
        expect(inPlace).toEqual(out);
      }
    }
  });
});

describe('the kernels behind the public API', () => {
  it('optim.Adam on a float32 parameter follows the float64 Adam recursion over 5 steps', () => {
    const n = 1500;
    const w0 = values(n, 11, -1, 1);
    const w = tensor(Array.from(w0), { requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.01, weightDecay: 0.1 });
    const theta = Float64Array.from(w0);
    const m = new Float64Array(n);
    const v = new Float64Array(n);
    const runs = stagedKernelCount();
    for (let t = 1; t <= 5; t++) {
      const g = values(n, 20 + t, -1, 1);
      w.grad = tensor(Array.from(g));
      opt.step();
      for (let i = 0; i < n; i++) {
        const gi = g[i] + 0.1 * theta[i];
        m[i] = 0.9 * m[i] + 0.1 * gi;
        v[i] = 0.999 * v[i] + 0.001 * gi * gi;
        theta[i] -= (0.01 * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
      }
    }
    expect(stagedKernelCount()).toBe(runs + 5);
    expect(worst(w.toTypedArray(), theta, 1)).toBeLessThan(2e-6);
  });

  it('optim.SGD with Nesterov momentum on a float32 parameter follows the float64 recursion', () => {
    const n = 700;
    const w0 = values(n, 12, -1, 1);
    const w = tensor(Array.from(w0), { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.05, momentum: 0.9, nesterov: true });
    const theta = Float64Array.from(w0);
    const b = new Float64Array(n);
    const runs = stagedKernelCount();
    for (let t = 1; t <= 4; t++) {
      const g = values(n, 30 + t, -1, 1);
      w.grad = tensor(Array.from(g));
      opt.step();
      for (let i = 0; i < n; i++) {
        b[i] = t === 1 ? g[i] : 0.9 * b[i] + g[i];
        theta[i] -= 0.05 * (g[i] + 0.9 * b[i]);
      }
    }
    expect(stagedKernelCount()).toBe(runs + 4);
    expect(worst(w.toTypedArray(), theta, 1)).toBeLessThan(1e-6);
  });

  it("sigmoid's backward (exact, peakNormalised, floorAdded) on float32 is the formula in float64", () => {
    const n = 600;
    const xs = Array.from(values(n, 13, -6, 6));
    for (const [rule, scale, shift] of [['exact', 1, 0], ['peakNormalised', 4, 0], ['floorAdded', 1, 0.1]] as const) {
      const x = tensor(xs, { requiresGrad: true });
      const y = x.sigmoid({ backward: rule });
      const upstream = values(n, 14, -2, 2);
      const runs = stagedKernelCount();
      y.backward(tensor(Array.from(upstream)));
      expect(stagedKernelCount()).toBe(runs + 1);
      const yv = y.toTypedArray();
      const want = Array.from(upstream, (g, i) => g * (scale * yv[i] * (1 - yv[i]) + shift));
      expect(worst((x.grad as typeof x).toTypedArray(), want, 1e-6)).toBeLessThan(4e-7);
    }
  });
});

describe('sumRowsInto (a bias gradient)', () => {
  it('adds each column in float64, row by row, exactly as the JS loop does', () => {
    for (const [n, m] of [[32, 64], [128, 10], [7, 257], [300, 3]]) {
      const g = values(n * m + 5, 40 + m, -1, 1);
      const off = 5; // a block that starts inside a larger array
      const want = new Float64Array(m);
      for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) want[j] += g[off + r * m + j];
      const out64 = new Float64Array(m);
      expect(nd.sumRowsInto(out64, g, off, n, m)).toBe(true);
      expect(Array.from(out64)).toEqual(Array.from(want)); // same sums in the same order: bit-identical
      const out32 = new Float32Array(m);
      expect(nd.sumRowsInto(out32, g, off, n, m)).toBe(true);
      expect(out32).toEqual(Float32Array.from(want));
    }
  });

  it('is what linear’s bias gradient uses: db = Σ over the batch of the upstream gradient', () => {
    const [n, inF, outF] = [40, 3, 21];
    const x = tensor(Array.from({ length: n }, (_, r) => Array.from(values(inF, r, -1, 1))));
    const w = tensor(Array.from({ length: outF }, (_, r) => Array.from(values(inF, 100 + r, -1, 1))), { requiresGrad: true });
    const b = tensor(Array.from(values(outF, 7, -1, 1)), { requiresGrad: true });
    const upstream = values(n * outF, 8, -1, 1);
    const runs = stagedKernelCount();
    linear(x, w, b).backward(tensor(Array.from({ length: n }, (_, r) => Array.from(upstream.subarray(r * outF, (r + 1) * outF)))));
    expect(stagedKernelCount()).toBeGreaterThan(runs);
    const want = new Float64Array(outF);
    for (let r = 0; r < n; r++) for (let j = 0; j < outF; j++) want[j] += upstream[r * outF + j];
    expect((b.grad as typeof b).toTypedArray()).toEqual(Float32Array.from(want));
  });

  it('declines for float64 or tiny blocks, and for a block past the end of the array', () => {
    const out = new Float64Array(4);
    expect(nd.sumRowsInto(out, new Float64Array(400), 0, 100, 4)).toBe(false);
    expect(nd.sumRowsInto(out, new Float32Array(8), 0, 2, 4)).toBe(false);
    expect(nd.sumRowsInto(out, new Float32Array(400), 4, 100, 4)).toBe(false);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });
});

describe('reluInto', () => {
  /** Values with the special cases relu must keep: ±0, ±∞, NaN, tiny and huge magnitudes. */
  function specials(n: number): Float32Array {
    const x = values(n, 50, -3, 3);
    const s = [0, -0, Infinity, -Infinity, Number.NaN, 1e-45, -1e-45, 3e38, -3e38];
    for (let i = 0; i < s.length; i++) x[i * 97 % n] = s[i];
    return x;
  }

  it('forward: x·[x > 0] + 0 (NaN stays NaN, −0 and −∞ give +0), bit for bit', () => {
    for (const n of LENGTHS) {
      const x = specials(n);
      const want = Float32Array.from(x, (v) => (v === -Infinity ? 0 : v * +(v > 0) + 0));
      const y = new Float32Array(n).fill(7);
      expect(nd.reluInto(y, x)).toBe(true);
      expect(Object.is(y[x.indexOf(-0)], 0)).toBe(true);
      expect(y).toEqual(want); // toEqual tells +0 from −0 and matches NaN with NaN
    }
  });

  it('relu through the public API uses it on float32 and gives the same values as on float64', () => {
    const xs = Array.from(specials(1000));
    const runs = stagedKernelCount();
    const x32 = tensor(xs, { requiresGrad: true });
    const x64 = tensor(xs, { requiresGrad: true, dtype: 'float64' });
    const y32 = x32.relu();
    const y64 = x64.relu();
    const up = Array.from(values(1000, 60, -1, 1));
    y32.backward(tensor(up));
    y64.backward(tensor(up, { dtype: 'float64' }));
    expect(stagedKernelCount()).toBe(runs + 2); // the forward and the exact backward (stepScaleInto)
    expect(Array.from(y32.toTypedArray())).toEqual(Array.from(y64.toTypedArray()).map(Math.fround));
    expect(Array.from((x32.grad as typeof x32).toTypedArray())).toEqual(Array.from((x64.grad as typeof x64).toTypedArray()).map(Math.fround));
  });
});
