// Input normalisation for the loaders. The statistics always come from the training split and
// are applied unchanged to the test split, so no information leaks from test to train.
import type { FloatArray } from './dataset';

/**
 * How inputs were normalised: `normalized = (raw - shift[j]) / scale[j]`, where j is the feature
 * index (shift and scale have one entry per feature) or 0 for all features (one entry each).
 * Apply the same to new inputs to feed them to a model trained on the dataset.
 */
export interface Normalization {
  /** How the statistics were computed (the normalisation option used). */
  readonly mode: string;
  /** Subtracted from the raw inputs, per feature or one for all. */
  readonly shift: readonly number[];
  /** Divides the shifted inputs, per feature or one for all. */
  readonly scale: readonly number[];
}

/** Mean and (population) standard deviation of each of the `features` columns of `rows`. */
export function columnMeanStd(rows: FloatArray, features: number): { mean: number[]; std: number[] } {
  if (features === 1) {
    // One statistic over all values (MNIST's global normalisation): a plain pass, no index math.
    let sum = 0;
    for (let i = 0; i < rows.length; i++) sum += rows[i];
    const m = sum / rows.length;
    let sq = 0;
    for (let i = 0; i < rows.length; i++) sq += (rows[i] - m) * (rows[i] - m);
    return { mean: [m], std: [Math.sqrt(sq / rows.length)] };
  }
  const n = rows.length / features;
  const mean = new Array<number>(features).fill(0);
  const sq = new Array<number>(features).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < features; j++) mean[j] += rows[i * features + j];
  for (let j = 0; j < features; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < features; j++) {
      const d = rows[i * features + j] - mean[j];
      sq[j] += d * d;
    }
  }
  return { mean, std: sq.map((s) => Math.sqrt(s / n)) };
}

export function columnMinMax(rows: FloatArray, features: number): { min: number[]; max: number[] } {
  const min = new Array<number>(features).fill(Number.POSITIVE_INFINITY);
  const max = new Array<number>(features).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < rows.length; i++) {
    const j = i % features;
    if (rows[i] < min[j]) min[j] = rows[i];
    if (rows[i] > max[j]) max[j] = rows[i];
  }
  return { min, max };
}

/**
 * A scale of 0 (a constant feature in the training split) would divide by zero: such a feature is
 * only shifted, so it becomes 0 in train and stays finite in test.
 */
export function safeScale(scale: readonly number[]): number[] {
  return scale.map((s) => (s > 1e-12 ? s : 1));
}

/** Apply `normalization` in place to rows of `features` values. */
export function applyNormalization(rows: FloatArray, features: number, normalization: Normalization): void {
  const { shift, scale } = normalization;
  if (shift.length === 1) {
    const s = shift[0];
    const inv = 1 / scale[0];
    for (let i = 0; i < rows.length; i++) rows[i] = (rows[i] - s) * inv;
    return;
  }
  for (let i = 0; i < rows.length; i++) {
    const j = i % features;
    rows[i] = (rows[i] - shift[j]) / scale[j];
  }
}
