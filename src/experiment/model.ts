// The models a comparison trains: an MLP of `depth` hidden layers, each Linear → [BatchNorm1d] →
// activation (carrying the row's backward rule), then a Linear to the classes. With `residual`,
// every hidden layer after the first (width → width) is wrapped in a skip connection x + layer(x). Every row of a
// comparison starts from the same Linear weights: they are drawn once per seed and copied in.
import { ArgumentError } from '../errors';
import type { ActivationCallOptions, ActivationName } from '../activations/names';
import type { RuleChoice } from '../activations/rule';
import { Generator } from '../random';
import type { Tensor } from '../tensor';
import { Residual, Sequential } from '../nn/container';
import { Linear } from '../nn/linear';
import { BatchNorm1d } from '../nn/norm';
import { activation as activationLayer } from '../nn/activation';
import { copyInto, type Module } from '../nn/module';
import { weightLayers } from '../diagnostics/layers';
import { uniform, xavierUniform } from '../nn/init';

export interface Architecture {
  inputs: number;
  classes: number;
  depth: number;
  width: number;
}

export interface LayerChoice {
  activation: ActivationName;
  activationOptions: Readonly<Record<string, number>>;
  backward: RuleChoice;
  batchNorm: boolean;
  /** Skip connections around hidden layers 2..depth (default false). */
  residual?: boolean;
}

/** The MLP for one row. Its Linear weights are placeholders until `loadInitialWeights`. */
export function buildModel(arch: Architecture, choice: LayerChoice, generator = new Generator(0)): Sequential {
  const model = new Sequential();
  let fanIn = arch.inputs;
  for (let i = 0; i < arch.depth; i++) {
    const block = new Sequential(new Linear(fanIn, arch.width, { generator }));
    if (choice.batchNorm) block.append(new BatchNorm1d(arch.width));
    const options = { ...choice.activationOptions, backward: choice.backward } as ActivationCallOptions<ActivationName>;
    block.append(activationLayer(choice.activation, options));
    if (choice.residual === true && i > 0) model.append(new Residual(block));
    else for (const layer of block) model.append(layer);
    fanIn = arch.width;
  }
  model.append(new Linear(fanIn, arch.classes, { generator }));
  return model;
}

/** The initial Linear weights and biases of one seed, input side first. */
export type InitialWeights = { weight: Tensor; bias: Tensor | null }[];

export const INIT_NAMES = ['default', 'xavier', 'kaiming'] as const;
/**
 * How the Linear weights start: 'default' is PyTorch's Linear initialisation (weights and biases
 * U(−1/√fanIn, 1/√fanIn)); 'xavier' is Glorot uniform, U(±gain·√(6/(fanIn + fanOut))), gain 1
 * unless given, with zero biases; 'kaiming' is He uniform, U(±gain·√(3/fanIn)), gain √2 (ReLU)
 * unless given, with zero biases.
 */
export type InitName = (typeof INIT_NAMES)[number];

/**
 * Draw the initial weights from `generator` with scheme `init` (and `gain` for xavier and
 * kaiming); every hidden bias is then set to `biasInit` when it is given.
 */
export function initialWeights(
  arch: Architecture,
  generator: Generator,
  init: InitName,
  gain: number | null,
  biasInit: number | null,
): InitialWeights {
  const base = buildModel(arch, { activation: 'relu', activationOptions: {}, backward: 'exact', batchNorm: false }, generator);
  const layers = weightLayers(base);
  return layers.map((layer, i) => {
    const weight = layer.weight.detach().clone();
    const bias = layer.bias === null ? null : layer.bias.detach().clone();
    if (init === 'xavier') xavierUniform(weight, { generator, gain: gain ?? 1 });
    if (init === 'kaiming') {
      const bound = (gain ?? Math.SQRT2) * Math.sqrt(3 / weight.shape[1]);
      uniform(weight, -bound, bound, { generator });
    }
    bias?.bumpVersion();
    if (bias !== null && init !== 'default') bias.data.data.fill(0);
    if (bias !== null && biasInit !== null && i < layers.length - 1) bias.data.data.fill(biasInit);
    return { weight, bias };
  });
}

/** Copy the initial weights into a row's model, layer by layer. */
export function loadInitialWeights(model: Module, weights: InitialWeights): void {
  const layers = weightLayers(model);
  if (layers.length !== weights.length) {
    throw new ArgumentError(`compareRules: the model has ${layers.length} weight layers, the initial weights ${weights.length}`);
  }
  layers.forEach((layer, i) => {
    copyInto(layer.weight, weights[i].weight);
    const bias = weights[i].bias;
    if (layer.bias !== null && bias !== null) copyInto(layer.bias, bias);
  });
}
