// Summaries over seeds, and deriving independent seeds for the parts of one run.

/**
 * Mean and sample standard deviation (n − 1) over seeds. NaN and null values (a diverged run, a
 * ratio of two zero norms) are left out; an infinite value (a ratio over a zero norm) makes the
 * mean infinite, with no sd. sd is null with fewer than two values.
 */
export interface MeanSd {
  /** The mean of the counted values (NaN when none). */
  mean: number;
  /** The sample standard deviation, or null with fewer than two values or an infinite mean. */
  sd: number | null;
  /** How many values were counted (not NaN or null). */
  n: number;
}

/** Mean and sample standard deviation of `values`, leaving out NaN and null (see {@link MeanSd}). */
export function meanSd(values: readonly (number | null)[]): MeanSd {
  const counted = values.filter((v): v is number => v !== null && !Number.isNaN(v));
  const n = counted.length;
  if (n === 0) return { mean: Number.NaN, sd: null, n };
  const mean = counted.reduce((a, b) => a + b, 0) / n;
  if (n < 2 || !Number.isFinite(mean)) return { mean, sd: null, n };
  const ss = counted.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

/**
 * An independent seed for one purpose of one run (`stream` 1: initial weights, 2: batch order,
 * 3: the reference batch), so those streams never replay one another. A splitmix32 step.
 */
export function deriveSeed(seed: number, stream: number): number {
  let z = (Math.floor(seed) * 0x9e3779b9 + stream * 0x85ebca6b) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
