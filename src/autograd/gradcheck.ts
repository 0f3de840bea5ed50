// The test oracle, exported for users who write their own ops and rules: compare the gradient
// backward computes with central finite differences, in float64.
import * as nd from '../nd';
import { validator } from '../validate';
import { ArgumentError } from '../errors';
import { Tensor } from '../tensor';
import { Generator } from '../random';
import { backward, noGrad } from './tape';

/** Tolerances and step of `gradcheck`. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
  /** Relative tolerance (default 1e-4). */
  rtol?: number;
  /** Which inputs to check (default: every input that requires grad, or all if none does). */
  check?: readonly number[];
  /** Seed of the random projection that reduces a non-scalar output to a scalar. */
  seed?: number;
}

/** One element whose analytic derivative differs from the central difference. */
export interface GradcheckMismatch {
  /** Which input (0-based). */
  input: number;
  /** The element's flat index (C order) in that input. */
  index: number;
  /** The derivative backward computed. */
  analytic: number;
  /** The central-difference estimate. */
  numeric: number;
}

/** What `gradcheck` found: whether every analytic derivative matched central differences, and the worst element. */
export interface GradcheckResult {
  /** True when every element is within tolerance. */
  ok: boolean;
  /** The largest |analytic − numeric| over all elements (NaN if any is NaN). */
  maxAbsError: number;
  /** The worst element (largest error relative to tolerance), if any element failed. */
  worst: GradcheckMismatch | null;
  /** A readable summary, for assertion messages. */
  message: string;
}

/**
 * Check the gradient of `fn` at `inputs` against central differences. A non-scalar output y is
 * reduced to the scalar sum(y · w) with fixed random weights w, so every output element counts.
 * Inputs must be float64 (float32 differences are too coarse to mean anything).
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckResult {
  const v = validator('gradcheck');
  v.func('fn', fn);
  if (!Array.isArray(inputs) || inputs.some((t) => !(t instanceof Tensor))) throw v.invalid('inputs', inputs, 'a list of tensors');
  v.options(options, ['eps', 'atol', 'rtol', 'check', 'seed']);
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-6;
  const rtol = options.rtol ?? 1e-4;
  for (const [i, t] of inputs.entries()) {
    if (t.dtype !== 'float64') {
      throw new ArgumentError(`gradcheck: input ${i} is ${t.dtype}; finite differences need float64 inputs ({ dtype: 'float64' })`);
    }
  }
  const wanted = options.check ?? defaultChecked(inputs);

  // fresh leaves with private copies, so the caller's tensors are never perturbed
  const leaves = inputs.map((t, i) => new Tensor(nd.copy(t.data), wanted.includes(i), true));
  const out = fn(...leaves);
  const weights = projection(out.shape, options.seed ?? 1);
  const project = (y: Tensor): number => {
    const v = nd.contiguous(y.data).data;
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * weights.data[i];
    return s;
  };

  // only the checked leaves get .grad: parameters fn closes over are left as found
  if (out.requiresGrad) backward(out, new Tensor(weights), { inputs: wanted.map((i) => leaves[i]) });

  let maxAbsError = 0;
  let worst: GradcheckMismatch | null = null;
  let worstScore = 1;
  for (const i of wanted) {
    const leaf = leaves[i];
    const x = leaf.data.data; // contiguous: made by nd.copy
    const analytic = leaf.grad === null ? new Float64Array(x.length) : nd.contiguous(leaf.grad.data).data;
    for (let k = 0; k < x.length; k++) {
      const original = x[k];
      x[k] = original + eps;
      const up = noGrad(() => project(fn(...leaves)));
      x[k] = original - eps;
      const down = noGrad(() => project(fn(...leaves)));
      x[k] = original;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(analytic[k] - numeric);
      const score = err / (atol + rtol * Math.abs(numeric));
      if (err > maxAbsError || Number.isNaN(err)) maxAbsError = Number.isNaN(err) ? Number.NaN : err;
      if (score > worstScore || Number.isNaN(score)) {
        worstScore = Number.isNaN(score) ? Infinity : score;
        worst = { input: i, index: k, analytic: analytic[k], numeric };
      }
    }
  }
  const ok = worst === null;
  const message = ok
    ? `gradcheck passed (max abs error ${maxAbsError.toExponential(2)})`
    : `gradcheck failed: input ${worst?.input}, flat index ${worst?.index}: backward gave ${worst?.analytic}, ` +
      `finite differences give ${worst?.numeric} (atol ${atol}, rtol ${rtol})`;
  return { ok, maxAbsError, worst, message };
}

function defaultChecked(inputs: readonly Tensor[]): number[] {
  const flagged = inputs.flatMap((t, i) => (t.requiresGrad ? [i] : []));
  return flagged.length > 0 ? flagged : inputs.map((_, i) => i);
}

function projection(shape: readonly number[], seed: number): nd.Nd {
  const gen = new Generator(seed);
  const w = nd.zeros(shape, 'float64');
  for (let i = 0; i < w.data.length; i++) w.data[i] = 0.5 + gen.uniform(); // in [0.5, 1.5): no cancellation
  return w;
}
