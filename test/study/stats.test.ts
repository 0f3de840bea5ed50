import { describe, expect, it } from 'vitest';
import { holm, lnGamma, quantile, regularizedBeta, tQuantile, twoSidedP, welch } from '../../study/stats';

/** P(|T| ≥ t) by Simpson integration of Student's t density (an oracle independent of the incomplete beta). */
function pByIntegration(t: number, df: number): number {
  const c = Math.exp(lnGamma((df + 1) / 2) - lnGamma(df / 2)) / Math.sqrt(df * Math.PI);
  const density = (x: number): number => c * (1 + (x * x) / df) ** (-(df + 1) / 2);
  const n = 20000;
  const h = Math.abs(t) / n;
  let s = density(0) + density(Math.abs(t));
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * density(i * h);
  return 1 - 2 * ((s * h) / 3);
}

describe('study statistics', () => {
  it('lnGamma matches known values', () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(lnGamma(10.5)).toBeCloseTo(Math.log(1133278.3889487855), 9);
  });

  it('the regularized incomplete beta has its closed forms', () => {
    for (const x of [0.1, 0.37, 0.5, 0.93]) {
      expect(regularizedBeta(x, 1, 1)).toBeCloseTo(x, 12);
      expect(regularizedBeta(x, 3, 1)).toBeCloseTo(x ** 3, 12);
      expect(regularizedBeta(x, 1, 2)).toBeCloseTo(1 - (1 - x) ** 2, 12);
    }
  });

  it("Student's t p-values: closed forms for 1 and 2 degrees of freedom, integration otherwise", () => {
    for (const t of [0.3, 1, 2.5, 7]) {
      expect(twoSidedP(t, 1)).toBeCloseTo(1 - (2 / Math.PI) * Math.atan(t), 10); // Cauchy
      expect(twoSidedP(-t, 2)).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 10);
      expect(twoSidedP(t, 4.6)).toBeCloseTo(pByIntegration(t, 4.6), 7);
    }
    expect(twoSidedP(0, 3)).toBeCloseTo(1, 12);
  });

  it("Welch's test by hand: [1,2,3] vs [4,5,6] has t = −3/√(2/3) and 4 degrees of freedom", () => {
    const r = welch([1, 2, 3], [4, 5, 6]);
    expect(r.diff).toBe(-3);
    expect(r.t).toBeCloseTo(-3 / Math.sqrt(2 / 3), 12);
    expect(r.df).toBeCloseTo(4, 12);
    expect(r.p).toBeCloseTo(pByIntegration(r.t, 4), 7);
    // unequal variances: Welch–Satterthwaite df by hand
    const u = welch([0, 0, 3], [1, 2, 3, 4, 5]);
    const va = 3 / 3; // var([0,0,3]) = 3, over n = 3
    const vb = 2.5 / 5;
    expect(u.df).toBeCloseTo((va + vb) ** 2 / (va ** 2 / 2 + vb ** 2 / 4), 12);
  });

  it('zero variance: constant and equal samples give p = 1; constant and different give no verdict (NaN), not p = 0', () => {
    const same = welch([0.1, 0.1], [0.1, 0.1]);
    expect(same.p).toBe(1);
    expect(same.ci95).toEqual([0, 0]);
    expect(same.zeroVariance).toBe(true);
    // every seed at 11.3 % against every seed at 9.8 %: t would be −∞ for any difference
    const chance = welch([0.113, 0.113, 0.113, 0.113, 0.113], [0.098, 0.098, 0.098, 0.098, 0.098]);
    expect(chance.p).toBeNaN();
    expect(chance.ci95[0]).toBeNaN();
    expect(chance.zeroVariance).toBe(true);
    expect(chance.diff).toBeCloseTo(0.015, 15);
    // Holm leaves such a comparison out of the family: the other p-value is not multiplied by 2
    expect(holm([chance.p, 0.02])).toEqual([Number.NaN, 0.02]);
    // one constant side is an ordinary test: se² = var(b)/n_b, df = n_b − 1 by the Welch–Satterthwaite formula
    const one = welch([0.5, 0.5, 0.5], [0.1, 0.2, 0.3]);
    expect(one.zeroVariance).toBe(false);
    expect(one.t).toBeCloseTo(0.3 / Math.sqrt(0.01 / 3), 12);
    expect(one.df).toBeCloseTo(2, 12);
    expect(one.p).toBeCloseTo(1 - one.t / Math.sqrt(2 + one.t * one.t), 10);
    expect(welch([0.1], [0.2, 0.3]).p).toBeNaN();
  });

  it("Student's t quantiles: closed forms for 1 and 2 degrees of freedom, tables otherwise", () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(Math.tan(Math.PI * 0.475), 9); // Cauchy: tan(π(q − ½))
    // df = 2: 1 − t/√(2 + t²) = 0.05 ⇒ t² = 2·0.95²/(1 − 0.95²)
    expect(tQuantile(0.975, 2)).toBeCloseTo(Math.sqrt((2 * 0.95 ** 2) / (1 - 0.95 ** 2)), 10);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.776445105, 8); // printed tables
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 5);
    expect(tQuantile(0.5, 3)).toBeNaN();
  });

  it("Welch's 95 % interval by hand: [1,2,3] vs [4,5,6] is −3 ± t(0.975, 4)·√(2/3)", () => {
    const r = welch([1, 2, 3], [4, 5, 6]);
    expect(r.ci95[0]).toBeCloseTo(-3 - 2.776445105 * Math.sqrt(2 / 3), 7);
    expect(r.ci95[1]).toBeCloseTo(-3 + 2.776445105 * Math.sqrt(2 / 3), 7);
    // the interval excludes 0 exactly when p < 0.05
    for (const [a, b] of [[[1, 2, 3], [2, 3, 4.5]], [[0, 1, 0, 1], [1, 2, 2, 1]], [[5, 6, 7], [1, 9, 3]]] as const) {
      const w = welch(a, b);
      expect(w.ci95[0] > 0 || w.ci95[1] < 0).toBe(w.p < 0.05);
    }
  });

  it('quantiles interpolate between order statistics (type 7)', () => {
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    // [1, 2, 3, 4]: h = 3·0.25 = 0.75 → 1.75; h = 2.25 → 3.25
    expect(quantile([4, 1, 3, 2], 0.25)).toBeCloseTo(1.75, 15);
    expect(quantile([4, 1, 3, 2], 0.75)).toBeCloseTo(3.25, 15);
    expect(quantile([7], 0.75)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it("Holm's adjustment: sorted p-values times (m − rank), made monotone, capped at 1, NaN left out", () => {
    const adjusted = holm([0.01, 0.04, Number.NaN, 0.03, 0.5]);
    // m = 4: 0.01·4 = 0.04; 0.03·3 = 0.09; 0.04·2 = 0.08 → monotone 0.09; 0.5·1 = 0.5
    expect(adjusted[0]).toBeCloseTo(0.04, 12);
    expect(adjusted[3]).toBeCloseTo(0.09, 12);
    expect(adjusted[1]).toBeCloseTo(0.09, 12);
    expect(adjusted[4]).toBeCloseTo(0.5, 12);
    expect(adjusted[2]).toBeNaN();
  });
});
