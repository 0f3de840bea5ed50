// Initialisers: the documented distributions, checked on large tensors, and seeding.
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, nn, zeros } from '../../src/index';

function moments(values: ArrayLike<number>): { mean: number; variance: number; maxAbs: number } {
  let s = 0;
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  }
  const mean = s / values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i] - mean) ** 2;
  return { mean, variance: v / values.length, maxAbs };
}

const { init } = nn;

describe('nn.init', () => {
  it('calculateGain has PyTorch\'s values', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(init.calculateGain('leakyRelu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(init.calculateGain('leakyRelu')).toBeCloseTo(Math.sqrt(2 / 1.0001), 15);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('gelu' as 'relu')).toThrowWith(ArgumentError, /gelu/);
  });

  it('fan in / fan out of a [out, in] weight', () => {
    expect(init.calculateFanInAndFanOut(zeros([30, 20]))).toEqual([20, 30]);
    expect(init.calculateFanInAndFanOut(zeros([4, 3, 5]))).toEqual([15, 20]);
    expect(() => init.calculateFanInAndFanOut(zeros([4]))).toThrow(ArgumentError);
  });

  it('xavierUniform: U(±gain·√(6/(in + out)))', () => {
    const t = init.xavierUniform(zeros([300, 200]), { gain: 2, generator: new Generator(1) });
    const a = 2 * Math.sqrt(6 / 500);
    const m = moments(t.toTypedArray());
    expect(m.maxAbs).toBeLessThanOrEqual(a);
    expect(m.maxAbs).toBeGreaterThan(0.99 * a);
    expect(m.variance).toBeCloseTo(a * a / 3, 3);
  });

  it('xavierNormal: N(0, gain²·2/(in + out))', () => {
    const t = init.xavierNormal(zeros([300, 200]), { generator: new Generator(2) });
    const m = moments(t.toTypedArray());
    expect(Math.abs(m.mean)).toBeLessThan(0.002);
    expect(m.variance / (2 / 500)).toBeCloseTo(1, 1);
  });

  it('kaimingUniform and kaimingNormal use the nonlinearity\'s gain and the chosen fan', () => {
    const u = init.kaimingUniform(zeros([400, 100]), { nonlinearity: 'relu', generator: new Generator(3) });
    const bound = Math.SQRT2 * Math.sqrt(3 / 100);
    expect(moments(u.toTypedArray()).maxAbs).toBeLessThanOrEqual(bound);
    expect(moments(u.toTypedArray()).maxAbs).toBeGreaterThan(0.99 * bound);
    const n = init.kaimingNormal(zeros([400, 100]), { mode: 'fanOut', nonlinearity: 'tanh', generator: new Generator(4) });
    expect(moments(n.toTypedArray()).variance / ((5 / 3) ** 2 / 400)).toBeCloseTo(1, 1);
    // a = √5 (Linear's default) gives exactly 1/√fanIn
    const w = init.kaimingUniform(zeros([50, 64]), { a: Math.sqrt(5), generator: new Generator(5) });
    expect(moments(w.toTypedArray()).maxAbs).toBeLessThanOrEqual(1 / 8);
  });

  it('uniform, normal, constant, zeros, ones', () => {
    const u = init.uniform(zeros([10000]), -2, 3, { generator: new Generator(6) });
    const mu = moments(u.toTypedArray());
    expect(Math.min(...u.toTypedArray())).toBeGreaterThanOrEqual(-2);
    expect(mu.mean).toBeCloseTo(0.5, 1);
    const n = init.normal(zeros([10000]), 1, 0.5, { generator: new Generator(7) });
    expect(moments(n.toTypedArray()).mean).toBeCloseTo(1, 1);
    expect(Array.from(init.constant(zeros([3]), 2.5).toTypedArray())).toEqual([2.5, 2.5, 2.5]);
    expect(Array.from(init.ones(zeros([2])).toTypedArray())).toEqual([1, 1]);
    expect(Array.from(init.zeros(init.ones(zeros([2]))).toTypedArray())).toEqual([0, 0]);
    expect(() => init.uniform(zeros([2]), 1, 0)).toThrowWith(ArgumentError, /high/);
    expect(() => init.normal(zeros([2]), 0, -1)).toThrowWith(ArgumentError, /std/);
  });

  it('a seed fixes the values', () => {
    const a = init.kaimingNormal(zeros([5, 5]), { generator: new Generator(9) }).toTypedArray();
    const b = init.kaimingNormal(zeros([5, 5]), { generator: new Generator(9) }).toTypedArray();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
