// Forward values against closed forms and hand-derived values.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { activation, type ActivationName, SELU_ALPHA, SELU_SCALE } from '../../src/activations';
import { erf, erfc, normalCdf, roundHalfEven } from '../../src/activations/math';
import { expectClose } from './helpers';
import { ArgumentError } from '../../src/errors';

function f(name: ActivationName, xs: number[], params: Record<string, unknown> = {}): number[] {
  return activation(name, tensor(xs, { dtype: 'float64' }), params as never).toArray() as number[];
}

describe('forward values', () => {
  it('relu, leakyRelu, relu6', () => {
    expect(f('relu', [-1, 0, 2.5])).toEqual([0, 0, 2.5]);
    expect(f('leakyRelu', [-1, 0, 2])).toEqual([-0.01, 0, 2]);
    expect(f('leakyRelu', [-1, 3], { slope: 0.2 })).toEqual([-0.2, 3]);
    expect(f('relu6', [-1, 3, 7])).toEqual([0, 3, 6]);
  });

  it('relu keeps NaN (as PyTorch does), maps −∞ to 0 and never returns −0', () => {
    const [nan, negInf, posInf, negZero, neg] = f('relu', [Number.NaN, -Infinity, Infinity, -0, -3]);
    expect(Number.isNaN(nan)).toBe(true);
    expect(Object.is(negInf, 0)).toBe(true);
    expect(posInf).toBe(Infinity);
    expect(Object.is(negZero, 0)).toBe(true);
    expect(Object.is(neg, 0)).toBe(true);
    expect(tensor([-1, 2]).relu().toArray()).toEqual([0, 2]);
  });

  it('elu, selu (Klambauer constants), celu', () => {
    expectClose(f('elu', [-1, 2]), [Math.exp(-1) - 1, 2]);
    expectClose(f('elu', [-1], { alpha: 0.5 }), [0.5 * (Math.exp(-1) - 1)]);
    expect(SELU_SCALE).toBeCloseTo(1.0507009873554805, 15);
    expect(SELU_ALPHA).toBeCloseTo(1.6732632423543772, 15);
    expectClose(f('selu', [1, -1]), [1.0507009873554805, 1.0507009873554805 * 1.6732632423543772 * (Math.exp(-1) - 1)]);
    expectClose(f('selu', [-1]), [-1.1113307378125628], 1e-14);
    expectClose(f('celu', [-1, 3], { alpha: 2 }), [2 * (Math.exp(-0.5) - 1), 3]);
  });

  it('erf and erfc match tabulated values to ~1e-15', () => {
    expectClose([erf(0.5), erf(1), erf(2), erf(3.5), erf(-1)], [0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999992569016276, -0.8427007929497149], 2e-15);
    expectClose([erfc(4), erfc(5), erfc(2)], [1.541725790028002e-8, 1.5374597944280349e-12, 0.004677734981047266], 1e-13);
    expect(erf(0)).toBe(0);
    expect(erfc(30)).toBe(0);
    expectClose([normalCdf(-5)], [2.866515718791939e-7], 1e-13);
  });

  it('gelu(1) = Φ(1) = 0.8413447…, the tanh form, and no cancellation in the left tail', () => {
    expectClose(f('gelu', [1, -1, 0]), [0.8413447460685429, -0.15865525393145707, 0], 1e-14);
    expectClose(f('gelu', [1], { approximate: 'tanh' }), [0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715))]);
    expectClose(f('gelu', [1], { approximate: 'tanh' }), [0.8411919906082768], 1e-14);
    // x·Φ(x) at x = −10 is about −7.6e−23: relative accuracy, not 0
    expectClose(f('gelu', [-10]), [-10 * 7.61985302416047e-24], 1e-10);
  });

  it('silu, mish, softplus with its threshold', () => {
    expectClose(f('silu', [1, -2]), [1 / (1 + Math.exp(-1)), -2 / (1 + Math.exp(2))]);
    expectClose(f('mish', [1]), [Math.tanh(Math.log(1 + Math.E))]);
    expectClose(f('softplus', [0, -50, 1]), [Math.LN2, Math.log1p(Math.exp(-50)), Math.log(1 + Math.E)]);
    expectClose(f('softplus', [1], { beta: 2 }), [Math.log(1 + Math.exp(2)) / 2]);
    // above threshold (β·x > 20 by default) the output is x itself
    expect(f('softplus', [20.5, 30])).toEqual([20.5, 30]);
    expect(f('softplus', [3], { beta: 2, threshold: 5 })).toEqual([3]);
    expectClose(f('softplus', [2], { beta: 2, threshold: 5 }), [Math.log(1 + Math.exp(4)) / 2]);
  });

  it('sigmoid, logSigmoid and tanh are finite at ±800', () => {
    expect(f('sigmoid', [0, -800, 800])).toEqual([0.5, 0, 1]);
    expectClose(f('sigmoid', [2]), [1 / (1 + Math.exp(-2))]);
    expectClose(f('logSigmoid', [0, -800, 3]), [-Math.LN2, -800, -Math.log1p(Math.exp(-3))]);
    expectClose(f('tanh', [0.5, -800]), [Math.tanh(0.5), -1]);
  });

  it('hardtanh, hardSigmoid, hardSwish, softsign', () => {
    expect(f('hardtanh', [-3, 0.2, 3])).toEqual([-1, 0.2, 1]);
    expect(f('hardtanh', [-3, 0.2, 3], { min: -2, max: 0.5 })).toEqual([-2, 0.2, 0.5]);
    expectClose(f('hardSigmoid', [-4, 0, 1, 4]), [0, 0.5, 1 / 6 + 0.5, 1]);
    expectClose(f('hardSwish', [-4, 1, 4]), [0, 4 / 6, 4]);
    expectClose(f('softsign', [3, -1]), [0.75, -0.5]);
  });

  it('heaviside is 0 at the threshold (x > threshold spikes)', () => {
    expect(f('heaviside', [-1, 0, 1])).toEqual([0, 0, 1]);
    expect(f('heaviside', [0.5, 0.6, 0.4], { threshold: 0.5 })).toEqual([0, 1, 0]);
  });

  it('sign(0) = 0 and round halves to even', () => {
    expect(f('sign', [-2, 0, 3])).toEqual([-1, 0, 1]);
    expect(f('round', [0.5, 1.5, 2.5, -1.5, 2.4, -2.6])).toEqual([0, 2, 2, -2, 2, -3]);
    expect(Object.is(roundHalfEven(-0.5), -0)).toBe(true);
  });

  it('quantize: 2^bits levels over the range, clamped, DoReFa for [0, 1]', () => {
    // 2 bits over [0, 1]: levels 0, 1/3, 2/3, 1
    expectClose(f('quantize', [-1, 0.1, 0.2, 0.5, 0.9, 1.4], { bits: 2 }), [0, 0, 1 / 3, 2 / 3, 1, 1]);
    // 8 bits over [0, 1]: round(255x)/255
    const xs = [0.1234, 0.5, 0.77];
    expectClose(f('quantize', xs), xs.map((x) => roundHalfEven(255 * x) / 255));
    // 3 bits over [−1, 2]: step 3/7
    expectClose(f('quantize', [-5, 0, 2], { bits: 3, range: [-1, 2] }), [-1, -1 + 2 * (3 / 7), 2]);
  });

  it('float32 in, float32 out', () => {
    const y = tensor([-1, 2]).relu();
    expect(y.dtype).toBe('float32');
    expect(tensor([0.3]).sigmoid().toArray()).toEqual([Math.fround(1 / (1 + Math.exp(-Math.fround(0.3))))]);
  });

  it('a transposed (non-contiguous) input gives the transposed result', () => {
    const x = tensor([[-1, 2, -3], [4, -5, 6]], { dtype: 'float64' });
    expect(x.T.relu().toArray()).toEqual([[0, 4], [2, 0], [0, 6]]);
  });
});

describe('parameter checks', () => {
  it('bad parameters throw ArgumentError naming the activation', () => {
    const x = tensor([1]);
    expect(() => x.celu({ alpha: 0 })).toThrow(/celu: alpha must be a finite number > 0/);
    expect(() => x.softplus({ beta: -1 })).toThrow(/softplus: beta/);
    expect(() => x.hardtanh({ min: 1, max: 0 })).toThrow(/hardtanh: min \(1\) must be below max \(0\)/);
    expect(() => x.quantize({ bits: 2.5 })).toThrow(/quantize: bits must be an integer/);
    expect(() => x.quantize({ range: [1, 0] })).toThrow(/quantize: range must be/);
    expect(() => x.gelu({ approximate: 'erf' as never })).toThrow(/gelu: approximate must be 'none' or 'tanh'/);
    expect(() => x.leakyRelu({ slope: Number.NaN })).toThrow(/leakyRelu: slope must be a finite number/);
  });

  it('an unknown option is an error listing the valid ones', () => {
    expect(() => tensor([1]).leakyRelu({ slop: 0.2 } as never)).toThrowWith(ArgumentError, /leakyRelu: unknown option 'slop'; its options are: backward, slope/);
  });

  it('a non-tensor input is an ArgumentError', () => {
    expect(() => activation('relu', [1, 2] as never)).toThrowWith(ArgumentError, /relu: expected a Tensor/);
    expect(() => activation('nope' as never, tensor([1]))).toThrowWith(ArgumentError, /no activation named 'nope'; the activations are: relu, leakyRelu/);
  });
});
