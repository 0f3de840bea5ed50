// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, as
// PyTorch documents it (torch.optim.SGD):
//
//   g ← ∇f(θ)                      (−∇f(θ) when maximize)
//   g ← g + λθ                     (weight decay, an L2 term in the gradient)
//   if μ ≠ 0:
//     b ← g on the first step, else b ← μb + (1 − τ)g
//     g ← g + μb  (nesterov)   or   g ← b
//   θ ← θ − γg
import * as nd from '../nd';
import {
  type FloatArray,
  type ParamGroup,
  type Params,
  Optimizer,
  allocLike,
} from './optimizer';
import type { Validator } from '../validate';

/** Options of `optim.SGD`. */
export interface SGDOptions {
  /** γ, the learning rate (default 1e-3). */
  lr: number;
  /** μ (default 0: no momentum). */
  momentum: number;
  /** τ, the share of the new gradient damped out of the momentum buffer (default 0). */
  dampening: number;
  /** λ, an L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Ascend instead of descend. */
  maximize: boolean;
}

/** SGD's per-parameter state: the momentum buffer. */
export type SGDState = {
  /** The momentum buffer b, made on the first step that uses momentum. */
  momentumBuffer: FloatArray | null;
};

const SGD_DEFAULTS: SGDOptions = {
  lr: 1e-3,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
};

/** Stochastic gradient descent with optional momentum (heavy-ball or Nesterov), dampening and weight decay, as PyTorch's SGD. */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  readonly name = 'SGD';

  /** Creates the optimizer over `params` (tensors or param groups) with the given defaults. */
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, SGD_DEFAULTS, options);
  }

  protected checkOptions(v: Validator, o: SGDOptions): void {
    v.number('lr', o.lr, { min: 0 });
    v.number('momentum', o.momentum, { min: 0 });
    v.number('dampening', o.dampening, { min: 0 });
    v.number('weightDecay', o.weightDecay, { min: 0 });
    v.boolean('nesterov', o.nesterov);
    v.boolean('maximize', o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw v.error(
        `invalid nesterov: true with momentum ${o.momentum} and dampening ${o.dampening}; ` +
          'Nesterov momentum needs momentum > 0 and dampening 0',
      );
    }
  }

  protected initState(): SGDState {
    return { momentumBuffer: null };
  }

  protected update(p: FloatArray, g: FloatArray, state: SGDState, group: ParamGroup<SGDOptions>): void {
    const lr = group.lr;
    const wd = group.weightDecay;
    const mu = group.momentum;
    const sign = group.maximize ? -1 : 1;
    const n = p.length;
    const keep = 1 - group.dampening;
    const nesterovOn = group.nesterov;
    if (mu === 0) {
      // float32 parameters: the same update four lanes at a time on the WASM SIMD kernel
      if (nd.sgdStepInto(p, g, null, { lr, sign, weightDecay: wd, momentum: 0, keep, nesterov: nesterovOn, first: false })) return;
      for (let i = 0; i < n; i++) p[i] -= lr * (sign * g[i] + wd * p[i]);
      return;
    }
    const nesterov = group.nesterov ? 1 : 0;
    let b = state.momentumBuffer;
    const first = b === null;
    if (b === null) b = state.momentumBuffer = allocLike(p);
    if (nd.sgdStepInto(p, g, b, { lr, sign, weightDecay: wd, momentum: mu, keep, nesterov: nesterovOn, first })) return;
    if (first) {
      // first step: b₁ = g₁
      for (let i = 0; i < n; i++) {
        const gi = sign * g[i] + wd * p[i];
        b[i] = gi;
        p[i] -= lr * (nesterov ? gi + mu * gi : gi);
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const gi = sign * g[i] + wd * p[i];
      const bi = mu * b[i] + keep * gi;
      b[i] = bi;
      p[i] -= lr * (nesterov ? gi + mu * bi : bi);
    }
  }
}
