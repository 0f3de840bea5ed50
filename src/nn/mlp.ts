// nn.mlp([784, 256, 256, 10], { activation: 'relu', backward: 'sigmoid' }): Linear layers with an
// activation layer (carrying the chosen backward rule) between each pair, none after the last.
import { validator } from '../validate';
import type { Dtype } from '../nd';
import type { Generator } from '../random';
import type { ActivationCallOptions, ActivationName, RuleChoice } from '../activations';
import { Sequential } from './container';
import { Linear } from './linear';
import { activation } from './activation';
import { Dropout } from './dropout';
import type { Module } from './module';

/** Options of `nn.mlp`. */
export interface MLPOptions<N extends ActivationName = ActivationName> {
  /** The hidden activation (default 'relu'). */
  activation?: N;
  /** Its parameters, e.g. { slope: 0.2 } for leakyRelu. */
  activationOptions?: Omit<ActivationCallOptions<N>, 'backward'>;
  /** The backward rule of every hidden activation layer (default: follow scoped/global choices). */
  backward?: RuleChoice;
  /** Dropout probability after each hidden activation (default 0: none). */
  dropout?: number;
  /** Biases in the Linear layers (default true). */
  bias?: boolean;
  /** float32 (default) or float64. */
  dtype?: Dtype;
  /** The random source of the initial weights (and of the dropout masks). */
  generator?: Generator;
}

/**
 * A multilayer perceptron as a Sequential: Linear(sizes[0] → sizes[1]), activation, ...,
 * Linear(sizes[n−2] → sizes[n−1]). Children are numbered as in the equivalent PyTorch Sequential.
 */
export function mlp<N extends ActivationName = 'relu'>(sizes: readonly number[], options: MLPOptions<N> = {}): Sequential {
  // 1. validate (the layers check the values they take as they are made, before any is kept)
  const v = validator('mlp');
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw v.invalid('sizes', sizes, 'a list of at least two positive integers (input, ..., output)');
  }
  const o = v.options(options, ['activation', 'activationOptions', 'backward', 'dropout', 'bias', 'dtype', 'generator'], {
    example: "{ activation: 'relu', backward: 'sigmoid' }",
  });
  const name = v.string('activation', o.activation ?? 'relu') as N;
  const dropout = v.number('dropout', o.dropout ?? 0, { min: 0, max: 1 });
  if (o.activationOptions !== undefined) v.record('activationOptions', o.activationOptions);
  if (o.activationOptions !== undefined && 'backward' in (o.activationOptions as object)) {
    throw v.error('activationOptions cannot hold backward; pass it as the backward option of mlp');
  }
  const layerOptions = { bias: options.bias, dtype: options.dtype, generator: options.generator };
  // 2. build
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Linear(sizes[i], sizes[i + 1], layerOptions));
    if (i + 2 < sizes.length) {
      const callOptions = { ...options.activationOptions, ...(options.backward === undefined ? {} : { backward: options.backward }) };
      layers.push(activation(name, callOptions as ActivationCallOptions<N>));
      if (dropout > 0) layers.push(new Dropout(dropout, { generator: options.generator }));
    }
  }
  return new Sequential(...layers);
}
