// Gradient norms read from the parameters' `.grad` after a backward pass: no hooks, no extra
// pass, so they are cheap enough to record after every training step.
import type { Module } from '../nn/module';
import { gradNormOf, ratio, weightLayers } from './layers';

/** One weight layer's gradient norms. */
export interface LayerGradNorm {
  /** The dotted module name ('0', '2', 'fc1'). */
  name: string;
  /** 1-based position among the weight layers, input side first. */
  index: number;
  /** ‖∂L/∂W‖ (Euclidean/Frobenius), 0 when the weight has no gradient. */
  weightGradNorm: number;
  /** ‖∂L/∂b‖, or null for a layer without bias. */
  biasGradNorm: number | null;
  /**
   * ‖∂L/∂z‖ for the layer's output z (over the whole batch), the gradient backpropagation
   * carries into the layer. Only a `monitor` can see it (it keeps z's gradient with
   * retainGrad); null here.
   */
  outputGradNorm: number | null;
}

/** The Euclidean norm of every parameter's gradient, by dotted name (0 where there is none). */
export function gradNorms(model: Module): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, p] of model.namedParameters()) out[name] = gradNormOf(p);
  return out;
}

/** The weight and bias gradient norms of every weight layer (Linear), input side first. */
export function layerGradNorms(model: Module): LayerGradNorm[] {
  return weightLayers(model).map((layer, i) => ({
    name: layer.name,
    index: i + 1,
    weightGradNorm: gradNormOf(layer.weight),
    biasGradNorm: layer.bias === null ? null : gradNormOf(layer.bias),
    outputGradNorm: null,
  }));
}

/**
 * ‖∂L/∂W₁‖ / ‖∂L/∂W_L‖: the first weight layer's gradient norm over the last one's. Far below 1
 * is the vanishing-gradient signature, far above 1 the exploding one. Infinity when only the last
 * is 0; NaN when both are 0 (nothing to compare: a net whose units are all dead), for no layers,
 * or for non-finite norms.
 */
export function firstLastRatio(layers: readonly Pick<LayerGradNorm, 'weightGradNorm'>[]): number {
  if (layers.length === 0) return Number.NaN;
  const first = layers[0].weightGradNorm;
  const last = layers[layers.length - 1].weightGradNorm;
  if (first === 0 && last === 0) return Number.NaN;
  return ratio(first, last);
}
