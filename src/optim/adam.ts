// Adam and AdamW, as PyTorch documents them (torch.optim.Adam, torch.optim.AdamW):
//
//   g ← ∇f(θ)                          (−∇f(θ) when maximize)
//   Adam:  g ← g + λθ                  (weight decay as an L2 term in the gradient)
//   AdamW: θ ← θ − γλθ                 (decoupled weight decay, kept out of m and v)
//   m ← β₁m + (1 − β₁)g
//   v ← β₂v + (1 − β₂)g²
//   m̂ ← m / (1 − β₁ᵗ)
//   amsgrad: vmax ← max(vmax, v);  v̂ ← vmax / (1 − β₂ᵗ)
//   else:    v̂ ← v / (1 − β₂ᵗ)
//   θ ← θ − γ m̂ / (√v̂ + ε)
//
// (AMSGrad keeps the maximum of the raw v and bias-corrects it afterwards, as PyTorch's code
// and its current documentation do; older documentation wrote the maximum of the corrected v̂.)
import * as nd from '../nd';
import type { Tensor } from '../tensor';
import {
  type FloatArray,
  type ParamGroup,
  type Params,
  Optimizer,
} from './optimizer';
import type { Validator } from '../validate';

/** Options of `optim.Adam` and `optim.AdamW`. */
export interface AdamOptions {
  /** γ (default 1e-3). */
  lr: number;
  /** [β₁, β₂], the decay rates of the two moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** ε, added to the denominator (default 1e-8). */
  eps: number;
  /** λ (Adam default 0, AdamW default 0.01). */
  weightDecay: number;
  /** Keep the running maximum of v (AMSGrad). */
  amsgrad: boolean;
  /** Ascend the objective instead of descending it (default false). */
  maximize: boolean;
}

/** Adam's per-parameter state: step count and moment estimates. */
export type AdamState = {
  /** The number of steps taken for this parameter. */
  step: number;
  /** m, the running average of the gradient. */
  expAvg: FloatArray;
  /** v, the running average of the squared gradient. */
  expAvgSq: FloatArray;
  /** Only with amsgrad. */
  maxExpAvgSq: FloatArray | null;
};

abstract class AdamBase extends Optimizer<AdamOptions, AdamState> {
  /** Whether weight decay is decoupled from the gradient (AdamW) or an L2 term (Adam). */
  protected abstract readonly decoupled: boolean;

  protected checkOptions(v: Validator, o: AdamOptions): void {
    v.number('lr', o.lr, { min: 0 });
    v.numbers('betas', o.betas, { min: 0, max: 1, maxOpen: true }, 2);
    v.number('eps', o.eps, { min: 0 });
    v.number('weightDecay', o.weightDecay, { min: 0 });
    v.boolean('amsgrad', o.amsgrad);
    v.boolean('maximize', o.maximize);
  }

  protected initState(param: Tensor, group: ParamGroup<AdamOptions>): AdamState {
    return {
      step: 0,
      expAvg: nd.alloc(param.dtype, param.size),
      expAvgSq: nd.alloc(param.dtype, param.size),
      maxExpAvgSq: group.amsgrad ? nd.alloc(param.dtype, param.size) : null,
    };
  }

  protected update(p: FloatArray, g: FloatArray, state: AdamState, group: ParamGroup<AdamOptions>): void {
    const t = ++state.step;
    const lr = group.lr;
    const beta1 = group.betas[0];
    const beta2 = group.betas[1];
    const eps = group.eps;
    const sign = group.maximize ? -1 : 1;
    // exactly one of the two weight decays is non-zero
    const l2 = this.decoupled ? 0 : group.weightDecay;
    const shrink = this.decoupled ? 1 - lr * group.weightDecay : 1;
    // θ − γ m̂/(√v̂ + ε) = θ − (γ/(1−β₁ᵗ)) m / (√v/√(1−β₂ᵗ) + ε)
    const stepSize = lr / (1 - beta1 ** t);
    const invSqrtBc2 = 1 / Math.sqrt(1 - beta2 ** t);
    const m = state.expAvg;
    const v = state.expAvgSq;
    const n = p.length;
    let vmax: FloatArray | null = null;
    if (group.amsgrad) {
      // (amsgrad switched on after the first step starts its maximum from the current v)
      vmax = state.maxExpAvgSq ??= v.slice();
    }
    if (vmax === null) {
      // float32 parameters: the same update four lanes at a time on the WASM SIMD kernel
      if (nd.adamStepInto(p, g, m, v, { sign, l2, shrink, beta1, beta2, stepSize, invSqrtBc2, eps })) return;
      for (let i = 0; i < n; i++) {
        const theta = p[i];
        const gi = sign * g[i] + l2 * theta;
        const mi = beta1 * m[i] + (1 - beta1) * gi;
        const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = shrink * theta - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const theta = p[i];
        const gi = sign * g[i] + l2 * theta;
        const mi = beta1 * m[i] + (1 - beta1) * gi;
        const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const vm = vmax[i] > vi ? vmax[i] : vi;
        vmax[i] = vm;
        p[i] = shrink * theta - (stepSize * mi) / (Math.sqrt(vm) * invSqrtBc2 + eps);
      }
    }
  }
}

const ADAM_DEFAULTS: AdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
};

/** Adam (Kingma & Ba) with PyTorch's L2 weight decay and optional AMSGrad. */
export class Adam extends AdamBase {
  readonly name: string = 'Adam';
  protected readonly decoupled: boolean = false;

  /** Creates the optimizer over `params` (tensors or param groups) with the given defaults. */
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, ADAM_DEFAULTS, options);
  }
}

/** AdamW (Loshchilov & Hutter): Adam with decoupled weight decay (default λ = 0.01). */
export class AdamW extends AdamBase {
  readonly name: string = 'AdamW';
  protected readonly decoupled: boolean = true;

  /** Creates the optimizer over `params` (tensors or param groups) with the given defaults. */
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, { ...ADAM_DEFAULTS, weightDecay: 0.01 }, options);
  }
}
