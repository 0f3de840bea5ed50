// Adagrad, as PyTorch documents it (torch.optim.Adagrad):
//
//   sum₀ ← τ                            (initialAccumulatorValue)
//   g ← ∇f(θ)                          (−∇f(θ) when maximize)
//   γ̃ ← γ / (1 + (t − 1)η)             (η = lrDecay)
//   g ← g + λθ                         (weight decay)
//   sum ← sum + g²
//   θ ← θ − γ̃ g / (√sum + ε)
import * as nd from '../nd';
import type { Tensor } from '../tensor';
import {
  type FloatArray,
  type ParamGroup,
  type Params,
  Optimizer,
} from './optimizer';
import type { Validator } from '../validate';

/** Options of `optim.Adagrad`. */
export interface AdagradOptions {
  /** γ (default 1e-2). */
  lr: number;
  /** η: the learning rate at step t is γ / (1 + (t − 1)η) (default 0). */
  lrDecay: number;
  /** λ (default 0). */
  weightDecay: number;
  /** τ, the starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** ε (default 1e-10). */
  eps: number;
  /** Ascend the objective instead of descending it (default false). */
  maximize: boolean;
}

/** Adagrad's per-parameter state: the sum of squared gradients. */
export type AdagradState = {
  /** The number of steps taken for this parameter. */
  step: number;
  /** The running sum of squared gradients (starting at initialAccumulatorValue). */
  sum: FloatArray;
};

const ADAGRAD_DEFAULTS: AdagradOptions = {
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
};

/** Adagrad (Duchi et al. 2011), as PyTorch's Adagrad. */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  readonly name = 'Adagrad';

  /** Creates the optimizer over `params` (tensors or param groups) with the given defaults. */
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, ADAGRAD_DEFAULTS, options);
  }

  protected checkOptions(v: Validator, o: AdagradOptions): void {
    v.number('lr', o.lr, { min: 0 });
    v.number('lrDecay', o.lrDecay, { min: 0 });
    v.number('weightDecay', o.weightDecay, { min: 0 });
    v.number('initialAccumulatorValue', o.initialAccumulatorValue, { min: 0 });
    v.number('eps', o.eps, { min: 0 });
    v.boolean('maximize', o.maximize);
  }

  protected initState(param: Tensor, group: ParamGroup<AdagradOptions>): AdagradState {
    const sum = nd.alloc(param.dtype, param.size);
    if (group.initialAccumulatorValue !== 0) sum.fill(group.initialAccumulatorValue);
    return { step: 0, sum };
  }

  protected update(p: FloatArray, g: FloatArray, state: AdagradState, group: ParamGroup<AdagradOptions>): void {
    const t = ++state.step;
    const lr = group.lr / (1 + (t - 1) * group.lrDecay);
    const wd = group.weightDecay;
    const eps = group.eps;
    const sign = group.maximize ? -1 : 1;
    const sum = state.sum;
    const n = p.length;
    for (let i = 0; i < n; i++) {
      const gi = sign * g[i] + wd * p[i];
      const si = sum[i] + gi * gi;
      sum[i] = si;
      p[i] -= (lr * gi) / (Math.sqrt(si) + eps);
    }
  }
}
