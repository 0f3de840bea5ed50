// Scalar functions the activations and the rule factories share. Written once, numerically safe
// over the whole real line (no exp overflow, no catastrophic cancellation in the tails).

/**
 * The logistic function 1 / (1 + e^-x). Safe as written: for x ≪ 0, e^-x overflows to Infinity
 * and the result is 0, never NaN; and there is no sign branch to mispredict in hot loops.
 */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** log(1 + e^x), stable for large |x|. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
/** Below this the Maclaurin series is used for erf, above it a continued fraction for erfc. */
const SERIES_LIMIT = 3;

/**
 * erf(z) for 0 ≤ z ≤ 3 from erf(z) = (2/√π)·e^(−z²)·Σ 2ⁿ z^(2n+1) / (1·3·…·(2n+1)).
 * Every term is positive, so there is no cancellation; about 60 terms at z = 3.
 */
function erfSeries(z: number): number {
  const z2 = 2 * z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= z2 / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-z * z) * sum;
}

/**
 * erfc(z) for z ≥ 3 from the continued fraction
 * erfc(z) = e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))), evaluated by modified Lentz.
 */
function erfcFraction(z: number): number {
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = z + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = z + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (INV_SQRT_PI * Math.exp(-z * z)) / f;
}

/** The complementary error function, accurate to ~1e-15 relative for z ≤ 3 and beyond. */
export function erfc(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z < 0) return 2 - erfc(-z);
  if (z < SERIES_LIMIT) return 1 - erfSeries(z);
  if (z > 27) return 0;
  return erfcFraction(z);
}

/** The error function. */
export function erf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z < 0) return -erf(-z);
  if (z < SERIES_LIMIT) return erfSeries(z);
  return 1 - erfcFraction(Math.min(z, 27));
}

const INV_SQRT_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Φ(x), the standard normal CDF, without cancellation in the left tail. */
export function normalCdf(x: number): number {
  return x < 0 ? 0.5 * erfc(-x * INV_SQRT_2) : 1 - 0.5 * erfc(x * INV_SQRT_2);
}

/** φ(x), the standard normal density. */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** Round half to even (banker's rounding), as PyTorch's and NumPy's round do: 0.5 → 0, 1.5 → 2. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // half up
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
