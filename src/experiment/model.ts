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
import { calculateFanInAndFanOut, uniform, xavierUniform } from '../nn/init';
import { Flatten, Unflatten } from '../nn/container';
import { Conv2d } from '../nn/conv';
import { MaxPool2d } from '../nn/pool';
import { BatchNorm2d } from '../nn/norm';

export interface Architecture {
  inputs: number;
  classes: number;
  depth: number;
  width: number;
  /** 'mlp' (default) or 'cnn': conv blocks before the hidden Linear layers. */
  kind?: ArchName;
  /** cnn: out channels of each conv block (Conv2d 3×3 padding 1 → [BatchNorm2d] → activation → MaxPool2d 2). */
  channels?: readonly number[];
  /** cnn: how each input row is read as an image [C, H, W] (C·H·W = inputs). */
  imageShape?: readonly [number, number, number];
}

/** The architectures the experiment runner builds: an MLP, or a CNN for image data. */
export const ARCH_NAMES = ['mlp', 'cnn'] as const;
/** 'mlp': hidden Linear layers only; 'cnn': conv blocks (each halving the image) first. */
export type ArchName = (typeof ARCH_NAMES)[number];

export interface LayerChoice {
  activation: ActivationName;
  activationOptions: Readonly<Record<string, number>>;
  backward: RuleChoice;
  batchNorm: boolean;
  /** Skip connections around hidden layers 2..depth (default false). */
  residual?: boolean;
}

/**
 * The model for one row: an MLP, or for a 'cnn' architecture the input rows read as images,
 * then per entry of `channels` a block Conv2d 3×3 (padding 1) → [BatchNorm2d] → activation →
 * MaxPool2d 2, flattened into the MLP part. Its weights are placeholders until `loadInitialWeights`.
 */
export function buildModel(arch: Architecture, choice: LayerChoice, generator = new Generator(0)): Sequential {
  const model = new Sequential();
  let fanIn = arch.inputs;
  if (arch.kind === 'cnn') {
    const [c0, h0, w0] = arch.imageShape ?? [1, Math.round(Math.sqrt(arch.inputs)), Math.round(Math.sqrt(arch.inputs))];
    model.append(new Unflatten(1, [c0, h0, w0]));
    let [c, h, w] = [c0, h0, w0];
    for (const out of arch.channels ?? []) {
      model.append(new Conv2d(c, out, 3, { padding: 1, generator }));
      if (choice.batchNorm) model.append(new BatchNorm2d(out));
      const options = { ...choice.activationOptions, backward: choice.backward } as ActivationCallOptions<ActivationName>;
      model.append(activationLayer(choice.activation, options));
      model.append(new MaxPool2d(2));
      [c, h, w] = [out, Math.floor(h / 2), Math.floor(w / 2)];
    }
    model.append(new Flatten());
    fanIn = c * h * w;
  }
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

/** The weight initialisations the experiment runner offers. */
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
      const bound = (gain ?? Math.SQRT2) * Math.sqrt(3 / calculateFanInAndFanOut(weight)[0]);
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
