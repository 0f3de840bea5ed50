// Every activation's exact rule against central finite differences in float64, generated from
// the registry: a built-in without an entry in KINKS fails the first test, so a new activation
// cannot slip in unchecked. Points within 1e-3 of a kink or jump are skipped.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { gradcheck } from '../../src/autograd/gradcheck';
import { ACTIVATIONS, activation, type BuiltinActivationName, defineActivation, listActivations } from '../../src/activations';
import { gradTensor } from '../grad';

type Variant = { params: Record<string, unknown>; nearKink: (x: number) => boolean };

const near = (points: readonly number[]) => (x: number) => points.some((p) => Math.abs(x - p) < 1e-3);
const smooth = () => false;
const nearHalfInteger = (x: number) => Math.abs(x - Math.floor(x) - 0.5) < 1e-3;

/** The parameter sets checked per activation, and where each is not differentiable. */
const KINKS: Record<BuiltinActivationName, Variant[]> = {
  relu: [{ params: {}, nearKink: near([0]) }],
  leakyRelu: [
    { params: {}, nearKink: near([0]) },
    { params: { slope: 0.2 }, nearKink: near([0]) },
    { params: { slope: -0.5 }, nearKink: near([0]) },
  ],
  relu6: [{ params: {}, nearKink: near([0, 6]) }],
  elu: [
    { params: {}, nearKink: near([0]) },
    { params: { alpha: 0.5 }, nearKink: near([0]) },
  ],
  selu: [{ params: {}, nearKink: near([0]) }],
  celu: [
    { params: {}, nearKink: near([0]) },
    { params: { alpha: 2 }, nearKink: near([0]) },
  ],
  gelu: [
    { params: {}, nearKink: smooth },
    { params: { approximate: 'tanh' }, nearKink: smooth },
  ],
  silu: [{ params: {}, nearKink: smooth }],
  mish: [{ params: {}, nearKink: smooth }],
  softplus: [
    { params: {}, nearKink: smooth },
    // β·x > threshold switches to x: a (small) jump at x = threshold/β
    { params: { beta: 2, threshold: 5 }, nearKink: near([2.5]) },
  ],
  sigmoid: [{ params: {}, nearKink: smooth }],
  logSigmoid: [{ params: {}, nearKink: smooth }],
  tanh: [{ params: {}, nearKink: smooth }],
  hardtanh: [
    { params: {}, nearKink: near([-1, 1]) },
    { params: { min: -2, max: 0.5 }, nearKink: near([-2, 0.5]) },
  ],
  hardSigmoid: [{ params: {}, nearKink: near([-3, 3]) }],
  hardSwish: [{ params: {}, nearKink: near([-3, 3]) }],
  softsign: [{ params: {}, nearKink: smooth }],
  heaviside: [
    { params: {}, nearKink: near([0]) },
    { params: { threshold: 0.7 }, nearKink: near([0.7]) },
  ],
  sign: [{ params: {}, nearKink: near([0]) }],
  round: [{ params: {}, nearKink: nearHalfInteger }],
  quantize: [
    // 2 bits over [0, 1]: levels 0, 1/3, 2/3, 1; jumps halfway between them; flat outside
    { params: { bits: 2 }, nearKink: near([1 / 6, 1 / 2, 5 / 6]) },
    { params: { bits: 3, range: [-1, 2] }, nearKink: (x) => near([-1, 2])(x) || nearHalfInteger((x + 1) / (3 / 7)) },
  ],
};

/** 41 points over [−6.3, 6.9]: both sides of every kink, and the saturated tails. */
const POINTS = Array.from({ length: 41 }, (_, i) => -6.3 + i * 0.33);

describe('exact rules match central finite differences (float64)', () => {
  it('every built-in activation has an entry in the table', () => {
    expect(Object.keys(KINKS).sort()).toEqual([...ACTIVATIONS].sort());
  });

  for (const name of ACTIVATIONS) {
    const variants = KINKS[name as BuiltinActivationName] ?? [];
    for (const { params, nearKink } of variants) {
      it(`${name}(${JSON.stringify(params)})`, () => {
        const xs = POINTS.filter((x) => !nearKink(x));
        expect(xs.length).toBeGreaterThan(30);
        const x = tensor(xs, { dtype: 'float64', requiresGrad: true });
        const result = gradcheck((t) => activation(name, t, params as never), [x]);
        expect(result.ok, result.message).toBe(true);
      });
    }
  }

  it('a user-defined activation gets the same check through the registry', () => {
    const cube = defineActivation({ name: 'testCube', forward: (x) => x * x * x, derivative: (x) => 3 * x * x });
    expect(listActivations()).toContain('testCube');
    const x = tensor(POINTS, { dtype: 'float64', requiresGrad: true });
    const result = gradcheck((t) => cube(t), [x]);
    expect(result.ok, result.message).toBe(true);
  });

  it('exact rules survive the far tails without NaN', () => {
    const xs = [-800, -40, -20, 20, 40, 800];
    for (const name of ACTIVATIONS) {
      const x = tensor(xs, { dtype: 'float64', requiresGrad: true });
      const y = activation(name, x);
      y.sum().backward();
      const values = [...(y.toArray() as number[]), ...(gradTensor(x).toArray() as number[])];
      expect(values.every(Number.isFinite), `${name}: ${values}`).toBe(true);
    }
  });
});
