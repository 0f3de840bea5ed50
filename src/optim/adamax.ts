// Adamax, Adam's infinity-norm variant, as PyTorch documents it (torch.optim.Adamax):
//
//   g ← ∇f(θ)                          (−∇f(θ) when maximize)
//   g ← g + λθ                         (weight decay)
//   m ← β₁m + (1 − β₁)g
//   u ← max(β₂u, |g| + ε)
//   θ ← θ − γm / ((1 − β₁ᵗ)u)
import * as nd from '../nd';
import type { Tensor } from '../tensor';
import {
  type FloatArray,
  type ParamGroup,
  type Params,
  Optimizer,
} from './optimizer';
import type { Validator } from '../validate';

/** Options of `optim.Adamax`. */
export interface AdamaxOptions {
  /** γ (default 2e-3). */
  lr: number;
  /** [β₁, β₂] (default [0.9, 0.999]). */
  betas: [number, number];
  /** ε (default 1e-8). */
  eps: number;
  /** λ (default 0). */
  weightDecay: number;
  /** Ascend the objective instead of descending it (default false). */
  maximize: boolean;
}

/** Adamax's per-parameter state. */
export type AdamaxState = {
  /** The number of steps taken for this parameter. */
  step: number;
  /** m, the running average of the gradient. */
  expAvg: FloatArray;
  /** u, the exponentially weighted infinity norm. */
  expInf: FloatArray;
};

const ADAMAX_DEFAULTS: AdamaxOptions = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  maximize: false,
};

/** Adamax, Adam with the infinity norm (Kingma & Ba 2015). */
export class Adamax extends Optimizer<AdamaxOptions, AdamaxState> {
  readonly name = 'Adamax';

  /** Creates the optimizer over `params` (tensors or param groups) with the given defaults. */
  constructor(params: Params<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super('Adamax', params, ADAMAX_DEFAULTS, options);
  }

  protected checkOptions(v: Validator, o: AdamaxOptions): void {
    v.number('lr', o.lr, { min: 0 });
    v.numbers('betas', o.betas, { min: 0, max: 1, maxOpen: true }, 2);
    v.number('eps', o.eps, { min: 0 });
    v.number('weightDecay', o.weightDecay, { min: 0 });
    v.boolean('maximize', o.maximize);
  }

  protected initState(param: Tensor): AdamaxState {
    return { step: 0, expAvg: nd.alloc(param.dtype, param.size), expInf: nd.alloc(param.dtype, param.size) };
  }

  protected update(p: FloatArray, g: FloatArray, state: AdamaxState, group: ParamGroup<AdamaxOptions>): void {
    const t = ++state.step;
    const beta1 = group.betas[0];
    const beta2 = group.betas[1];
    const eps = group.eps;
    const wd = group.weightDecay;
    const sign = group.maximize ? -1 : 1;
    const stepSize = group.lr / (1 - beta1 ** t);
    const m = state.expAvg;
    const u = state.expInf;
    const n = p.length;
    for (let i = 0; i < n; i++) {
      const gi = sign * g[i] + wd * p[i];
      const mi = beta1 * m[i] + (1 - beta1) * gi;
      m[i] = mi;
      const decayed = beta2 * u[i];
      const fresh = Math.abs(gi) + eps;
      const ui = decayed > fresh ? decayed : fresh;
      u[i] = ui;
      p[i] -= (stepSize * mi) / ui;
    }
  }
}
