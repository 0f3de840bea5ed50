// Teacher-student regression: a fixed random network (the teacher) labels Gaussian inputs, and a
// student is trained to imitate it. Because the target function is known exactly, the best
// achievable loss is known too (the noise variance), which makes comparisons between backward
// rules easy to read.
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { tensor } from '../creation';
import type { Dtype, Tensor } from '../tensor';
import type { Generator } from '../random';
import { type FloatArray, type RegressionDataset, allocFloat, regressionDataset, storageOf } from './dataset';
import {
  type RandomSource,
  checkKeys,
  choiceOption,
  dtypeOption,
  intOption,
  numberOption,
  resolveGenerator,
} from './options';

/** The hidden activation of a random teacher network. */
export type TeacherActivation = 'tanh' | 'relu' | 'sigmoid' | 'linear';
const ACTIVATIONS: readonly TeacherActivation[] = ['tanh', 'relu', 'sigmoid', 'linear'];

export interface TeacherOptions extends RandomSource {
  /** Number of examples. Default 1000. */
  n?: number;
  /** Input dimensions. Default 10. */
  inputs?: number;
  /** Hidden layer width, or one width per hidden layer ([] for a linear teacher). Default 32. */
  hidden?: number | readonly number[];
  /** Output dimensions. Default 1. */
  outputs?: number;
  /** Standard deviation of the Gaussian noise added to each target. Default 0.1. */
  noise?: number;
  /** The teacher's hidden activation. Default 'tanh'. */
  activation?: TeacherActivation;
  /** float32 (default) or float64. */
  dtype?: Dtype;
}

/** One linear layer of the teacher, in PyTorch's layout: weight [out, in], bias [out]. */
export interface TeacherLayer {
  /** The weight [out, in]. */
  readonly weight: Tensor;
  /** The bias [out]. */
  readonly bias: Tensor;
}

/**
 * The teacher network: h = act(h · weightᵀ + bias) through each layer, no activation after the
 * last. Its weights are the exact values used to make the targets.
 */
export interface TeacherNetwork {
  /** The activation between layers. */
  readonly activation: TeacherActivation;
  /** The layers, input first. */
  readonly layers: readonly TeacherLayer[];
  /** The teacher's noiseless output for inputs [N, inputs], as a new tensor [N, outputs]. */
  predict(x: Tensor): Tensor;
}

export interface TeacherDataset extends RegressionDataset {
  /** The network that made the targets. */
  readonly teacher: TeacherNetwork;
  /** The noise standard deviation: the root of the best achievable mean squared error. */
  readonly noise: number;
}

function activate(kind: TeacherActivation, v: number): number {
  switch (kind) {
    case 'tanh':
      return Math.tanh(v);
    case 'relu':
      return v > 0 ? v : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'linear':
      return v;
  }
}

interface RawLayer {
  weight: FloatArray;
  bias: FloatArray;
  inF: number;
  outF: number;
}

/** Forward in float64 through layers stored in `dtype` arrays; returns [n, outputs]. */
function forward(layers: readonly RawLayer[], activation: TeacherActivation, x: FloatArray, n: number): Float64Array {
  let h: ArrayLike<number> = x;
  let width = layers[0].inF;
  layers.forEach((layer, l) => {
    const last = l === layers.length - 1;
    const out = new Float64Array(n * layer.outF);
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < layer.outF; o++) {
        let s = layer.bias[o];
        for (let j = 0; j < width; j++) s += h[i * width + j] * layer.weight[o * width + j];
        out[i * layer.outF + o] = last ? s : activate(activation, s);
      }
    }
    h = out;
    width = layer.outF;
  });
  return h as Float64Array;
}

function drawLayer(generator: Generator, dtype: Dtype, inF: number, outF: number, gain: number): RawLayer {
  // Weights N(0, gain²/in) keep the pre-activations at unit scale; small biases shift them.
  const weight = allocFloat(dtype, outF * inF);
  const bias = allocFloat(dtype, outF);
  const std = gain / Math.sqrt(inF);
  for (let i = 0; i < weight.length; i++) weight[i] = std * generator.normal();
  for (let o = 0; o < outF; o++) bias[o] = 0.1 * generator.normal();
  return { weight, bias, inF, outF };
}

/**
 * Regression on the outputs of a random fixed network: x ~ N(0, I), y = teacher(x) + noise·N(0, I).
 * The teacher's weights are drawn first (N(0, gain²/fan_in), gain √2 after a relu and 1 otherwise;
 * biases N(0, 0.01)), then the inputs, then the noise, all from the one generator.
 */
export function teacher(options: TeacherOptions = {}): TeacherDataset {
  const fn = 'teacher';
  checkKeys(fn, options, ['n', 'inputs', 'hidden', 'outputs', 'noise', 'activation', 'dtype', 'seed', 'generator']);
  const n = intOption(fn, 'n', options.n ?? 1000, 1);
  const inputs = intOption(fn, 'inputs', options.inputs ?? 10, 1);
  const outputs = intOption(fn, 'outputs', options.outputs ?? 1, 1);
  const hiddenOption = options.hidden ?? 32;
  const hidden = typeof hiddenOption === 'number' ? [hiddenOption] : hiddenOption;
  if (!Array.isArray(hidden)) {
    throw new ArgumentError(`${fn}: hidden must be a width or an array of widths, got ${String(hiddenOption)}`);
  }
  hidden.forEach((w, l) => intOption(fn, typeof hiddenOption === 'number' ? 'hidden' : `hidden[${l}]`, w, 1));
  const noise = numberOption(fn, 'noise', options.noise ?? 0.1, 0, Number.POSITIVE_INFINITY);
  const activation = choiceOption(fn, 'activation', options.activation ?? 'tanh', ACTIVATIONS);
  const dtype = dtypeOption(fn, options.dtype);
  const generator = resolveGenerator(fn, options);

  const widths = [inputs, ...hidden, outputs];
  const gain = activation === 'relu' ? Math.SQRT2 : 1;
  const layers: RawLayer[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    layers.push(drawLayer(generator, dtype, widths[l], widths[l + 1], l === 0 ? 1 : gain));
  }
  const x = allocFloat(dtype, n * inputs);
  for (let i = 0; i < x.length; i++) x[i] = generator.normal();
  const clean = forward(layers, activation, x, n);
  const y = allocFloat(dtype, n * outputs);
  for (let i = 0; i < y.length; i++) y[i] = clean[i] + noise * generator.normal();

  const network: TeacherNetwork = {
    activation,
    layers: layers.map((layer) => ({
      weight: tensor(layer.weight, { shape: [layer.outF, layer.inF], dtype }),
      bias: tensor(layer.bias, { shape: [layer.outF], dtype }),
    })),
    predict(input: Tensor): Tensor {
      if (input.ndim !== 2 || input.shape[1] !== inputs) {
        throw new ShapeError(`teacher.predict: expected inputs of shape [N, ${inputs}], got ${formatShape(input.shape)}`);
      }
      const rows = input.shape[0];
      const out = forward(layers, activation, storageOf(input), rows);
      return tensor(out, { shape: [rows, outputs], dtype: input.dtype });
    },
  };
  return { ...regressionDataset('teacher', x, [inputs], y, [outputs], dtype), teacher: network, noise };
}
