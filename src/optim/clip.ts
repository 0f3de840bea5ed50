// Gradient clipping, in place on `.grad`, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
import * as nd from '../nd';
import { ArgumentError } from '../errors';
import { Tensor } from '../tensor';
import { type Validator, describeValue, validator } from '../validate';

export interface ClipGradNormOptions {
  /** The p of the p-norm (default 2; Infinity for the largest absolute value). */
  normType?: number;
  /** Throw (before changing any gradient) when the total norm is NaN or infinite. */
  errorIfNonfinite?: boolean;
}

/** The parameters that have a gradient, checked (no change is made here). */
function paramsWithGrads(v: Validator, parameters: unknown): Tensor[] {
  if (parameters === null || typeof parameters !== 'object' || typeof (parameters as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    if (!(parameters instanceof Tensor)) throw v.invalid('parameters', parameters, 'a Tensor or a list of tensors (model.parameters())');
  }
  const list: unknown[] = parameters instanceof Tensor ? [parameters] : [...(parameters as Iterable<unknown>)];
  const out: Tensor[] = [];
  for (const [i, p] of list.entries()) {
    if (!(p instanceof Tensor)) throw v.error(`entry ${i} of parameters is not a Tensor (got ${describeValue(p)})`);
    if (p.grad === null) continue;
    if (!(p.grad instanceof Tensor) || !sameShape(p.grad.shape, p.shape)) {
      throw v.error(`entry ${i} of parameters has a .grad that is not a Tensor of its shape [${p.shape.join(', ')}]`);
    }
    out.push(p);
  }
  return out;
}

/** Clipping writes in place: make sure each gradient owns a contiguous buffer. */
function ownGrads(params: readonly Tensor[]): void {
  for (const p of params) {
    const g = p.grad as Tensor;
    if (!nd.isContiguous(g.data)) p.grad = new Tensor(nd.copy(g.data));
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
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
  // 1. validate
  const v = validator(op);
  v.number('maxNorm', maxNorm, { min: 0, allowInfinity: true });
  const o = v.options(options, ['normType', 'errorIfNonfinite'], { example: '{ normType: 2 }' });
  const p = v.number('normType', o.normType ?? 2, { min: 0, minOpen: true, allowInfinity: true });
  const errorIfNonfinite = v.boolean('errorIfNonfinite', o.errorIfNonfinite ?? false);
  const params = paramsWithGrads(v, parameters);
  ownGrads(params);
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
  if (errorIfNonfinite && !Number.isFinite(total)) {
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
  // 1. validate
  const v = validator('clipGradValue');
  const clip = v.number('clipValue', clipValue, { min: 0, allowInfinity: true });
  const params = paramsWithGrads(v, parameters);
  // 2. mutate
  ownGrads(params);
  for (const param of params) {
    const g = (param.grad as Tensor).data.data;
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      g[i] = v > clip ? clip : v < -clip ? -clip : v;
    }
  }
}
