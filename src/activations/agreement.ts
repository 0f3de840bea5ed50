// How far a backward rule's gradient is from the exact one, measured rather than assumed.
import * as nd from '../nd';
import { ArgumentError, GraphError } from '../errors';
import { describeValue } from '../validate';
import { Tensor } from '../tensor';
import { backward } from '../autograd/tape';
import type { BackwardChoices } from './names';
import { withBackward, withExactRules } from './registry';

/** For one input: the gradient under the chosen rules (g) against the exact gradient (e). */
export interface GradientAgreement {
  /**
   * cos ∠(g, e) = g·e / (‖g‖‖e‖): 1 when the rules point the same way as the exact gradient.
   * 1 when both gradients are zero; NaN when exactly one of them is.
   */
  cosine: number;
  /** ‖g‖ / ‖e‖: 1 when the step size is the same (Infinity when only e is zero, 1 when both are). */
  normRatio: number;
  /** ‖g‖, the Euclidean norm of the gradient under the chosen rules. */
  ruleNorm: number;
  /** ‖e‖, the Euclidean norm of the exact gradient. */
  exactNorm: number;
}

/**
 * Compare the gradients of the scalar `fn(...inputs)` with respect to each input under `rules`
 * (applied as a `withBackward` scope, so per-call and per-module choices still beat them) with the
 * gradients under exact rules for every activation (per-call choices included). Returns one
 * GradientAgreement per input, in order.
 *
 * The inputs must be leaf tensors, such as parameters (`gradientAgreement(() => loss(model(x)),
 * model.parameters(), { relu: 'sigmoid' })`); their `.grad` and `requiresGrad` are restored
 * afterwards, and the `.grad` of any other tensor `fn` uses is never touched. `fn` runs twice, so it should be deterministic (no dropout, or a seeded one).
 */
export function gradientAgreement(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  rules: BackwardChoices,
): GradientAgreement[] {
  if (typeof fn !== 'function') throw new ArgumentError('gradientAgreement: fn must be a function returning a scalar tensor');
  if (!Array.isArray(inputs)) throw new ArgumentError(`gradientAgreement: inputs must be a list of tensors, got ${describeValue(inputs)}`);
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ArgumentError(`gradientAgreement: input ${i} is not a Tensor`);
    if (!t.isLeaf) {
      throw new ArgumentError(`gradientAgreement: input ${i} is the output of an op; pass leaf tensors (inputs or parameters), or detach() it`);
    }
  });
  const underRules = withBackward(rules, () => gradients(fn, inputs));
  const underExact = withExactRules(() => gradients(fn, inputs));
  return inputs.map((_, i) => compare(underRules[i], underExact[i]));
}

/** The gradient of fn with respect to each input, as float64 copies; the inputs are left as found. */
function gradients(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[]): Float64Array[] {
  const saved = inputs.map((t) => ({ grad: t.grad, requiresGrad: t.requiresGrad }));
  try {
    for (const t of inputs) {
      t.grad = null;
      t.requiresGrad = true;
    }
    const out = fn(...inputs);
    if (!(out instanceof Tensor) || out.size !== 1) {
      throw new GraphError('gradientAgreement: fn must return a one-element tensor (a scalar loss); reduce it first, e.g. with .sum()');
    }
    // only the inputs get .grad (reset above, restored below): every other leaf fn reaches, such as
    // a model's parameters when the inputs are data, is left as found
    if (out.requiresGrad) backward(out, undefined, { inputs });
    return inputs.map((t) => {
      const copy = new Float64Array(t.size);
      if (t.grad !== null) copy.set(nd.contiguous(t.grad.data).data);
      return copy;
    });
  } finally {
    inputs.forEach((t, i) => {
      t.grad = saved[i].grad;
      t.requiresGrad = saved[i].requiresGrad;
    });
  }
}

/** Cosine similarity and norm ratio of a gradient `g` against the exact gradient `e` (flattened). */
export function compare(g: Float64Array, e: Float64Array): GradientAgreement {
  let dot = 0;
  let gg = 0;
  let ee = 0;
  for (let i = 0; i < g.length; i++) {
    dot += g[i] * e[i];
    gg += g[i] * g[i];
    ee += e[i] * e[i];
  }
  const ruleNorm = Math.sqrt(gg);
  const exactNorm = Math.sqrt(ee);
  if (ruleNorm === 0 && exactNorm === 0) return { cosine: 1, normRatio: 1, ruleNorm, exactNorm };
  const cosine = ruleNorm === 0 || exactNorm === 0 ? Number.NaN : Math.max(-1, Math.min(1, dot / (ruleNorm * exactNorm)));
  return { cosine, normRatio: ruleNorm / exactNorm, ruleNorm, exactNorm };
}
