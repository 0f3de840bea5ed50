// RMSprop with optional momentum and centering, as PyTorch documents it (torch.optim.RMSprop):
//
//   g ← ∇f(θ)                          (−∇f(θ) when maximize)
//   g ← g + λθ                         (weight decay)
//   v ← αv + (1 − α)g²
//   ṽ ← v
//   centered: gₐ ← αgₐ + (1 − α)g;  ṽ ← ṽ − gₐ²
//   μ > 0:  b ← μb + g/(√ṽ + ε);  θ ← θ − γb
//   else:   θ ← θ − γ g/(√ṽ + ε)
import * as nd from '../nd';
import type { Tensor } from '../tensor';
import {
  type FloatArray,
  type ParamGroup,
  type Params,
  Optimizer,
  allocLike,
} from './optimizer';
import type { Validator } from '../validate';

/** Options of `optim.RMSprop`. */
export interface RMSpropOptions {
  /** γ (default 1e-2). */
  lr: number;
  /** α, the smoothing constant of the squared-gradient average, in [0, 1) (default 0.99). */
  alpha: number;
  /** ε (default 1e-8). */
  eps: number;
  /** λ (default 0). */
  weightDecay: number;
  /** μ (default 0). */
  momentum: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment. */
  centered: boolean;
  /** Ascend the objective instead of descending it (default false). */
  maximize: boolean;
}

/** RMSprop's per-parameter state. */
export type RMSpropState = {
  /** The number of steps taken for this parameter. */
  step: number;
  /** The running average of the squared gradient. */
  squareAvg: FloatArray;
  /** Only with momentum > 0. */
  momentumBuffer: FloatArray | null;
  /** Only when centered. */
  gradAvg: FloatArray | null;
};

const RMSPROP_DEFAULTS: RMSpropOptions = {
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
};

/** RMSprop (Hinton), with optional momentum and centring, as PyTorch's RMSprop. */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  readonly name = 'RMSprop';

  /** Creates the optimizer over `params` (tensors or param groups) with the given defaults. */
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, RMSPROP_DEFAULTS, options);
  }

  protected checkOptions(v: Validator, o: RMSpropOptions): void {
    v.number('lr', o.lr, { min: 0 });
    // α weighs the old average of g² against the new g². At α = 1 the average never leaves its
    // starting 0 and every step is γg/ε; above 1 it is no longer an average. α = 0 (v = g²) is a
    // valid if unsmoothed choice, so the interval is [0, 1), as for Adam's betas.
    v.number('alpha', o.alpha, { min: 0, max: 1, maxOpen: true });
    v.number('eps', o.eps, { min: 0 });
    v.number('weightDecay', o.weightDecay, { min: 0 });
    v.number('momentum', o.momentum, { min: 0 });
    v.boolean('centered', o.centered);
    v.boolean('maximize', o.maximize);
  }

  protected initState(param: Tensor, group: ParamGroup<RMSpropOptions>): RMSpropState {
    return {
      step: 0,
      squareAvg: nd.alloc(param.dtype, param.size),
      momentumBuffer: group.momentum > 0 ? nd.alloc(param.dtype, param.size) : null,
      gradAvg: group.centered ? nd.alloc(param.dtype, param.size) : null,
    };
  }

  protected update(p: FloatArray, g: FloatArray, state: RMSpropState, group: ParamGroup<RMSpropOptions>): void {
    state.step++;
    const lr = group.lr;
    const alpha = group.alpha;
    const eps = group.eps;
    const wd = group.weightDecay;
    const mu = group.momentum;
    const sign = group.maximize ? -1 : 1;
    const v = state.squareAvg;
    const n = p.length;
    // buffers for options switched on after the first step start from zero, as fresh ones do
    const gAvg = group.centered ? (state.gradAvg ??= allocLike(v)) : null;
    const b = mu > 0 ? (state.momentumBuffer ??= allocLike(v)) : null;
    for (let i = 0; i < n; i++) {
      const gi = sign * g[i] + wd * p[i];
      const vi = alpha * v[i] + (1 - alpha) * gi * gi;
      v[i] = vi;
      let vTilde = vi;
      if (gAvg !== null) {
        const ai = alpha * gAvg[i] + (1 - alpha) * gi;
        gAvg[i] = ai;
        vTilde -= ai * ai;
      }
      const scaled = gi / (Math.sqrt(vTilde) + eps);
      if (b !== null) {
        const bi = mu * b[i] + scaled;
        b[i] = bi;
        p[i] -= lr * bi;
      } else {
        p[i] -= lr * scaled;
      }
    }
  }
}
