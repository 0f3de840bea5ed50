// Initialisers, as torch.nn.init: each fills a tensor in place (outside the tape) and returns
// it. Random ones draw from `options.generator`, or the default generator (see manualSeed), in
// the tensor's C order, so a seed fixes the result.
import * as nd from '../nd';
import { ArgumentError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { Generator as GeneratorClass, type Generator, getDefaultGenerator } from '../random';
import { validator } from '../validate';

/** Options shared by the initialisers: the seeded generator. */
export interface InitOptions {
  /** The random source (default: the default generator). */
  generator?: Generator;
}

/** The nonlinearities whose recommended gain is known (PyTorch's list, camelCased). */
export type Nonlinearity =
  | 'linear'
  | 'identity'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'selu';

const NONLINEARITIES: readonly Nonlinearity[] = [
  'linear', 'identity', 'conv1d', 'conv2d', 'conv3d', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'selu',
];

/**
 * The recommended gain for a nonlinearity: 1 for linear and sigmoid, 5/3 for tanh, √2 for relu,
 * √(2 / (1 + slope²)) for leakyRelu (slope = `param`, default 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) {
        throw new ArgumentError(`calculateGain: the leakyRelu slope must be a finite number, got ${String(slope)}`);
      }
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ArgumentError(
        `calculateGain: no known gain for '${String(nonlinearity)}'; use one of ${NONLINEARITIES.join(', ')}`,
      );
  }
}

/**
 * [fanIn, fanOut] of a weight of shape [out, in, ...kernel]: in·∏kernel and out·∏kernel
 * (a Linear weight [out, in] gives [in, out]).
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  checkTensor('calculateFanInAndFanOut', t);
  if (t.ndim < 2) {
    throw new ArgumentError(
      `calculateFanInAndFanOut: a tensor of shape ${formatShape(t.shape)} has no fan in and fan out; it needs at least 2 dimensions`,
    );
  }
  const receptive = nd.sizeOf(t.shape.slice(2));
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** Which fan a Kaiming initialiser scales by: 'fanIn' (preserves forward variance) or 'fanOut' (backward). */
export type FanMode = 'fanIn' | 'fanOut';

function fanOf(op: string, t: Tensor, mode: FanMode): number {
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new ArgumentError(`${op}: mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return mode === 'fanIn' ? fanIn : fanOut;
}

/** The tensor's storage, to fill in place (every parameter made by surrograd is contiguous). */
function storage(op: string, t: Tensor): nd.FloatArray {
  checkTensor(op, t);
  if (!nd.isContiguous(t.data)) {
    throw new ArgumentError(`${op}: the tensor (shape ${formatShape(t.shape)}) is a strided view; initialise a contiguous tensor`);
  }
  t.bumpVersion();
  return t.data.data;
}

function checkTensor(op: string, t: unknown): void {
  if (!(t instanceof Tensor)) throw validator(op).invalid('the tensor to fill', t, 'a Tensor (a parameter such as layer.weight)');
}

/** The options of an initialiser (known keys only) and its generator. */
function initOptions(op: string, options: unknown, keys: readonly string[]): { o: Record<string, unknown>; generator: Generator } {
  const v = validator(op);
  const o = v.options(options, ['generator', ...keys], { example: '{ generator: new Generator(0) }' });
  const generator = o.generator === undefined ? getDefaultGenerator() : v.instance('generator', o.generator, GeneratorClass, 'a Generator (new Generator(seed))');
  return { o, generator };
}

function finiteNumber(op: string, name: string, value: unknown): number {
  return validator(op).number(name, value);
}

/** Fill with U(low, high). */
export function uniform(t: Tensor, low = 0, high = 1, options?: InitOptions): Tensor {
  checkTensor('uniform', t);
  finiteNumber('uniform', 'low', low);
  finiteNumber('uniform', 'high', high);
  if (!(high >= low)) throw new ArgumentError(`uniform: high (${high}) must be at least low (${low})`);
  const gen = initOptions('uniform', options, []).generator;
  const data = storage('uniform', t);
  const width = high - low;
  for (let i = 0; i < data.length; i++) data[i] = low + width * gen.uniform();
  return t;
}

/** Fill with N(mean, std²). */
export function normal(t: Tensor, mean = 0, std = 1, options?: InitOptions): Tensor {
  checkTensor('normal', t);
  finiteNumber('normal', 'mean', mean);
  validator('normal').number('std', std, { min: 0 });
  const gen = initOptions('normal', options, []).generator;
  const data = storage('normal', t);
  for (let i = 0; i < data.length; i++) data[i] = mean + std * gen.normal();
  return t;
}

/** Fill with `value`. */
export function constant(t: Tensor, value: number): Tensor {
  checkTensor('constant', t);
  validator('constant').number('value', value, { allowInfinity: true });
  storage('constant', t).fill(value);
  return t;
}

/** Fill `t` with 0 in place and return it, as `nn.init.zeros_`. */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** Fill `t` with 1 in place and return it, as `nn.init.ones_`. */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** Options of the Xavier (Glorot) initialisers. */
export interface XavierOptions extends InitOptions {
  /** Scale factor (default 1; see calculateGain). */
  gain?: number;
}

/** Glorot & Bengio (2010): U(−a, a) with a = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, options: XavierOptions = {}): Tensor {
  checkTensor('xavierUniform', t);
  const { o, generator } = initOptions('xavierUniform', options, ['gain']);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const gain = finiteNumber('xavierUniform', 'gain', o.gain ?? 1);
  const bound = fanIn + fanOut === 0 ? 0 : gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound, { generator });
}

/** Glorot & Bengio (2010): N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, options: XavierOptions = {}): Tensor {
  checkTensor('xavierNormal', t);
  const { o, generator } = initOptions('xavierNormal', options, ['gain']);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const gain = finiteNumber('xavierNormal', 'gain', o.gain ?? 1);
  return normal(t, 0, fanIn + fanOut === 0 ? 0 : gain * Math.sqrt(2 / (fanIn + fanOut)), { generator });
}

/** Options of the Kaiming (He) initialisers. */
export interface KaimingOptions extends InitOptions {
  /** The negative slope of the rectifier after this layer (leakyRelu only; default 0). */
  a?: number;
  /** 'fanIn' (default) keeps the forward variance, 'fanOut' the backward one. */
  mode?: FanMode;
  /** Which gain to use (default 'leakyRelu', which with a = 0 is relu's √2). */
  nonlinearity?: Nonlinearity;
}

/** He et al. (2015): U(−b, b) with b = gain·√(3 / fan). */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  checkTensor('kaimingUniform', t);
  const { o, generator } = initOptions('kaimingUniform', options, ['a', 'mode', 'nonlinearity']);
  const fan = fanOf('kaimingUniform', t, (o.mode ?? 'fanIn') as FanMode);
  const gain = calculateGain((o.nonlinearity ?? 'leakyRelu') as Nonlinearity, (o.a ?? 0) as number);
  const bound = fan === 0 ? 0 : gain * Math.sqrt(3 / fan);
  return uniform(t, -bound, bound, { generator });
}

/** He et al. (2015): N(0, σ²) with σ = gain / √fan. */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  checkTensor('kaimingNormal', t);
  const { o, generator } = initOptions('kaimingNormal', options, ['a', 'mode', 'nonlinearity']);
  const fan = fanOf('kaimingNormal', t, (o.mode ?? 'fanIn') as FanMode);
  const gain = calculateGain((o.nonlinearity ?? 'leakyRelu') as Nonlinearity, (o.a ?? 0) as number);
  return normal(t, 0, fan === 0 ? 0 : gain / Math.sqrt(fan), { generator });
}
