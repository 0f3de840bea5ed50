// The statistics the study reports: Welch's two-sample t-test (unequal variances) for each
// comparison of a rule with the exact derivative, and Holm's step-down correction over all the
// comparisons of a section, so "significant" means p < 0.05 after accounting for how many
// comparisons were made.

/** mean, sample sd (n − 1) and n of the finite values. */
export function describe(values: readonly number[]): { mean: number; sd: number; n: number } {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, n };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? Number.NaN : Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { mean, sd, n };
}

export interface WelchResult {
  /** mean(a) − mean(b). */
  diff: number;
  t: number;
  df: number;
  /**
   * Two-sided p-value. NaN (no verdict) when a side has fewer than two values, or when both
   * samples are constant and different: with no variance on either side the t statistic is
   * ±∞ whatever the difference, which says nothing about it. 1 when both are constant and equal.
   */
  p: number;
  /** The 95 % confidence interval of `diff` (Welch–Satterthwaite); NaN where `p` is NaN. */
  ci95: [number, number];
  /** Both samples have zero variance (every value of each side equal). */
  zeroVariance: boolean;
}

/** Welch's t-test of mean(a) = mean(b), two-sided. Needs at least two values on each side. */
export function welch(a: readonly number[], b: readonly number[]): WelchResult {
  const x = describe(a);
  const y = describe(b);
  const diff = x.mean - y.mean;
  const none = { diff, t: Number.NaN, df: Number.NaN, p: Number.NaN, ci95: [Number.NaN, Number.NaN] as [number, number] };
  if (x.n < 2 || y.n < 2) return { ...none, zeroVariance: false };
  // a constant side has variance 0 exactly (its float sd from the mean can be ~1e-17 instead)
  const va = constant(a) ? 0 : (x.sd * x.sd) / x.n;
  const vb = constant(b) ? 0 : (y.sd * y.sd) / y.n;
  const se2 = va + vb;
  if (se2 === 0) return diff === 0 ? { diff, t: 0, df: Number.NaN, p: 1, ci95: [0, 0], zeroVariance: true } : { ...none, zeroVariance: true };
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (x.n - 1) + (vb * vb) / (y.n - 1));
  const half = tQuantile(0.975, df) * Math.sqrt(se2);
  return { diff, t, df, p: twoSidedP(t, df), ci95: [diff - half, diff + half], zeroVariance: false };
}

function constant(values: readonly number[]): boolean {
  const v = values.filter((x) => Number.isFinite(x));
  return v.every((x) => x === v[0]);
}

/** The q-quantile (0.5 < q < 1) of Student's t with `df` degrees of freedom, by bisection on the two-sided p. */
export function tQuantile(q: number, df: number): number {
  if (!(q > 0.5 && q < 1) || !(df > 0)) return Number.NaN;
  const target = 2 * (1 - q); // P(|T| ≥ t)
  let lo = 0;
  let hi = 1;
  while (twoSidedP(hi, df) > target) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (twoSidedP(mid, df) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function twoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * Holm's step-down adjustment: the adjusted p-values of `ps` (NaN entries stay NaN and are not
 * counted among the comparisons). Reject at level α where adjusted p < α.
 */
export function holm(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => [p, i] as const).filter(([p]) => Number.isFinite(p)).sort((u, v) => u[0] - v[0]);
  const m = order.length;
  const out = ps.map(() => Number.NaN);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/** The regularized incomplete beta function I_x(a, b) (continued fraction, Numerical Recipes §6.4). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  // the continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 digits). */
export function lnGamma(x: number): number {
  const g = 7;
  const coef = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let s = coef[0];
  for (let i = 1; i < g + 2; i++) s += coef[i] / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** The q-quantile of the finite values, interpolating linearly between order statistics (R's type 7: q = 0.5 is the median). */
export function quantile(values: readonly number[], q: number): number {
  const s = values.filter((x) => Number.isFinite(x)).sort((u, v) => u - v);
  if (s.length === 0 || !(q >= 0 && q <= 1)) return Number.NaN;
  const h = (s.length - 1) * q;
  const i = Math.floor(h);
  return i + 1 < s.length ? s[i] + (h - i) * (s[i + 1] - s[i]) : s[i];
}
