import { describe, expect, it } from 'vitest';
import { holm, lnGamma, regularizedBeta, twoSidedP, welch } from '../../study/stats';

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

  it('constant samples: equal means give p = 1, different means p = 0; too few values give NaN', () => {
    expect(welch([0.1, 0.1], [0.1, 0.1]).p).toBe(1);
    expect(welch([0.1, 0.1], [0.2, 0.2]).p).toBe(0);
    expect(welch([0.1], [0.2, 0.3]).p).toBeNaN();
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
