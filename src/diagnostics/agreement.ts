// How far the gradient a model's rules produce is from the exact gradient, layer by layer: the
// same loss differentiated twice, once as the model is configured and once with every activation
// on its exact rule (withExactRules), compared per weight layer (weight and bias together).
import * as nd from '../nd';
import { ArgumentError, GraphError } from '../errors';
import { Tensor } from '../tensor';
import type { Module, Parameter } from '../nn/module';
import { withExactRules } from '../activations/registry';
import { compare } from '../activations/agreement';
import { weightLayers } from './layers';
import { restoreState, saveState } from './state';

/** One weight layer's gradient under the model's rules (g) against the exact gradient (e). */
export interface LayerAgreement {
  /** The dotted module name of the weight layer. */
  name: string;
  /** 1-based position among the weight layers. */
  index: number;
  /** cos ∠(g, e): 1 when both point the same way; 1 when both are 0, NaN when only one is. */
  cosine: number;
  /** ‖g‖ / ‖e‖ (1 when both are 0; Infinity when only e is). */
  normRatio: number;
  /** ‖g‖, the weight gradient's norm under the model's rules. */
  ruleNorm: number;
  /** ‖e‖, the weight gradient's norm under exact rules. */
  exactNorm: number;
}

/**
 * Compare, per weight layer, the gradient of `loss()` under the model's backward rules with the
 * gradient under exact rules. `loss` builds the scalar loss from scratch (a forward pass) and is
 * called twice, so it must be deterministic (no dropout). Parameters' `.grad` and the model's
 * buffers (BatchNorm running statistics) are left as they were found.
 *
 *     diagnostics.ruleAgreement(model, () => model.forward(x).crossEntropy(labels))
 */
export function ruleAgreement(model: Module, loss: () => Tensor): LayerAgreement[] {
  if (typeof loss !== 'function') throw new ArgumentError('ruleAgreement: loss must be a function that returns a scalar loss tensor');
  const layers = weightLayers(model);
  const params = layers.map((l) => (l.bias === null ? [l.weight] : [l.weight, l.bias]));
  const state = saveState(model);
  try {
    const underRules = gradientsOf(model, params, loss);
    const underExact = withExactRules(() => gradientsOf(model, params, loss));
    return layers.map((layer, i) => ({ name: layer.name, index: i + 1, ...compare(underRules[i], underExact[i]) }));
  } finally {
    restoreState(state);
  }
}

/** One Float64Array per layer: its parameters' gradients, concatenated. */
function gradientsOf(model: Module, params: Parameter[][], loss: () => Tensor): Float64Array[] {
  model.zeroGrad();
  const out = loss();
  if (!(out instanceof Tensor) || out.size !== 1) {
    throw new GraphError('ruleAgreement: loss() must return a one-element tensor (a scalar loss)');
  }
  if (out.requiresGrad) out.backward();
  return params.map((ps) => {
    const total = ps.reduce((n, p) => n + p.size, 0);
    const flat = new Float64Array(total);
    let offset = 0;
    for (const p of ps) {
      if (p.grad !== null) flat.set(nd.contiguous(p.grad.data).data, offset);
      offset += p.size;
    }
    return flat;
  });
}

