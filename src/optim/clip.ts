// Gradient clipping, in place on `.grad`, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
import * as nd from '../nd';
import { ArgumentError } from '../errors';
import { Tensor } from '../tensor';

/** Options of `optim.clipGradNorm`. */
export interface ClipGradNormOptions {
  /** The p of the p-norm (default 2; Infinity for the largest absolute value). */
  normType?: number;
  /** Throw (before changing any gradient) when the total norm is NaN or infinite. */
  errorIfNonfinite?: boolean;
}

function gradsOf(op: string, parameters: Iterable<Tensor> | Tensor): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  const out: Tensor[] = [];
  for (const [i, p] of list.entries()) {
    if (!(p instanceof Tensor)) throw new ArgumentError(`${op}: entry ${i} of parameters is not a Tensor`);
    if (p.grad === null) continue;
    // clipping writes in place: make sure the gradient owns a contiguous buffer
    if (!nd.isContiguous(p.grad.data)) p.grad = new Tensor(nd.copy(p.grad.data));
    out.push(p);
  }
  return out;
}

/**
 * Scale all gradients together so that their combined norm (the norm of the vector of every
 * gradient element) is at most `maxNorm`. Returns the total norm before clipping.
 */
export function clipGradNorm(
  parameters: Iterable<Tensor> | Tensor,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): number {
  const op = 'clipGradNorm';
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) {
    throw new ArgumentError(`${op}: invalid maxNorm: ${maxNorm}; it must be a number ≥ 0`);
  }
  const p = options.normType ?? 2;
  if (typeof p !== 'number' || !(p > 0)) throw new ArgumentError(`${op}: invalid normType: ${p}; it must be > 0 (or Infinity)`);
  const params = gradsOf(op, parameters);
  let total = 0;
  if (p === Infinity) {
    for (const param of params) {
      const g = (param.grad as Tensor).data.data;
      for (let i = 0; i < g.length; i++) {
        const a = Math.abs(g[i]);
        if (a > total || a !== a) total = a;
      }
    }
  } else {
    let acc = 0;
    for (const param of params) {
      const g = (param.grad as Tensor).data.data;
      if (p === 2) for (let i = 0; i < g.length; i++) acc += g[i] * g[i];
      else for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]) ** p;
    }
    total = p === 2 ? Math.sqrt(acc) : acc ** (1 / p);
  }
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new ArgumentError(
      `${op}: the total ${p}-norm of the gradients is ${total}; no gradient was changed ` +
        '(pass errorIfNonfinite: false to clip anyway)',
    );
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const param of params) {
      const g = (param.grad as Tensor).data.data;
      for (let i = 0; i < g.length; i++) g[i] *= coef;
    }
  }
  return total;
}

/** Clamp every gradient element to [−clipValue, clipValue]. */
export function clipGradValue(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  const op = 'clipGradValue';
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) {
    throw new ArgumentError(`${op}: invalid clipValue: ${clipValue}; it must be a number ≥ 0`);
  }
  for (const param of gradsOf(op, parameters)) {
    const g = (param.grad as Tensor).data.data;
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      g[i] = v > clipValue ? clipValue : v < -clipValue ? -clipValue : v;
    }
  }
}
