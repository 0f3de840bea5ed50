// Which modules of a model the diagnostics look at, and small numeric helpers they share.
//
// A "weight layer" is a module that owns a parameter named `weight` with at least two dimensions
// (Linear, and any later Conv): the layers whose gradient norms tell whether gradients vanish.
// An "activation layer" is an `nn.Activation` (nn.ReLU, nn.Sigmoid, ...): where dead units and
// saturation are measured. Both are listed in the model's own order (depth first, declaration
// order), which for an MLP is input side first.
import * as nd from '../nd';
import type { Tensor } from '../tensor';
import { Module, Parameter } from '../nn/module';
import { Activation } from '../nn/activation';
import { isRule } from '../activations/rule';
import type { RuleChoice } from '../activations/rule';
import type { ActivationName } from '../activations/names';

/** A layer with a weight (and maybe a bias) parameter, as the diagnostics find it. */
export interface WeightLayer {
  /** The dotted module name ('0', 'fc1', 'encoder.2'). */
  readonly name: string;
  /** The layer. */
  readonly module: Module;
  /** The layer's `weight` parameter. */
  readonly weight: Parameter;
  /** The layer's `bias` parameter, or null. */
  readonly bias: Parameter | null;
}

/** The weight layers of `model`, input side first (for an nn.mlp: every Linear). */
export function weightLayers(model: Module): WeightLayer[] {
  const out: WeightLayer[] = [];
  for (const [name, module] of model.namedModules()) {
    const slots = module as unknown as Record<string, unknown>;
    const weight = slots.weight;
    if (!(weight instanceof Parameter) || weight.ndim < 2) continue;
    const bias = slots.bias instanceof Parameter ? slots.bias : null;
    out.push({ name, module, weight, bias });
  }
  return out;
}

/** The activation layers of `model`, in order. */
export function activationLayers(model: Module): [string, Activation<ActivationName>][] {
  return model.namedModules().filter((e): e is [string, Activation<ActivationName>] => e[1] instanceof Activation);
}

/** The Euclidean norm of a tensor's values (accumulated in float64). */
export function norm(t: Tensor): number {
  const v = nd.contiguous(t.data).data;
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += v[i] * v[i];
  return Math.sqrt(ss);
}

/** The Euclidean norm of a parameter's gradient; 0 when it has none (no gradient reached it). */
export function gradNormOf(p: Tensor): number {
  return p.grad === null ? 0 : norm(p.grad);
}

/** How a layer's rule choice is shown in reports: 'exact', 'sigmoidShaped(k=2)', 'inline', 'inherit'. */
export function ruleName(choice: RuleChoice | undefined): string {
  if (choice === undefined) return 'inherit';
  if (typeof choice === 'string') return choice;
  if (isRule(choice)) {
    const params = Object.entries(choice.params);
    return params.length === 0 ? choice.name : `${choice.name}(${params.map(([k, v]) => `${k}=${v}`).join(', ')})`;
  }
  return 'inline';
}

/** a / b, with the conventions the reports use: 1 when both are 0, NaN when either is not finite. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Number.NaN;
  if (a === 0 && b === 0) return 1;
  return a / b;
}
