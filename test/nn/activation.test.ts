// Activation layers: one per built-in, the layer's rule in the resolution order (per call >
// per module > scoped > global > default), checked against the rules' formulas.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACTIVATIONS,
  RuleError,
  type Tensor,
  nn,
  relu,
  resetBackward,
  rules,
  setBackward,
  tensor,
  withBackward,
} from '../../src/index';
import { ArgumentError } from '../../src/errors';

const sigma = (x: number): number => 1 / (1 + Math.exp(-x));
const xs = [-2, -0.5, 0.5, 3];

/** The gradient the layer sends back for an upstream gradient of ones. */
function gradThrough(layer: nn.Module, values = xs): number[] {
  const x = tensor(values, { dtype: 'float64', requiresGrad: true });
  layer.forward(x).sum().backward();
  return Array.from((x.grad as Tensor).toTypedArray());
}

function expectClose(actual: number[], expected: number[]): void {
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 14));
}

afterEach(() => resetBackward());

describe('activation layers', () => {
  it('there is a named layer class for every built-in activation', () => {
    expect(Object.keys(nn.ACTIVATION_LAYERS).sort()).toEqual([...ACTIVATIONS].sort());
    for (const name of ACTIVATIONS) {
      const cls = nn.ACTIVATION_LAYERS[name as keyof typeof nn.ACTIVATION_LAYERS];
      const layer = new cls();
      expect(layer).toBeInstanceOf(nn.Activation);
      expect(layer.activation).toBe(name);
      expect(cls.activationName).toBe(name);
      expect(layer.forward(tensor([0.3, -0.3])).shape).toEqual([2]);
    }
  });

  it('the forward pass is the activation (rule choice never changes it)', () => {
    const x = tensor(xs, { dtype: 'float64' });
    expect(new nn.ReLU({ backward: 'sigmoid' }).forward(x).toArray()).toEqual([0, 0, 0.5, 3]);
    expectClose(new nn.Sigmoid({ backward: rules.floorAdded({ c: 0.1 }) }).forward(x).toArray() as number[], xs.map(sigma));
  });

  it("nn.ReLU({ backward: 'sigmoid' }) sends back σ(x)·g", () => {
    expectClose(gradThrough(new nn.ReLU({ backward: 'sigmoid' })), xs.map(sigma));
    expectClose(gradThrough(new nn.ReLU()), [0, 0, 1, 1]);
  });

  it('factory rules with parameters: σ(kx) and σ\'(x) + c', () => {
    expectClose(gradThrough(new nn.ReLU({ backward: rules.sigmoidShaped({ k: 2 }) })), xs.map((x) => sigma(2 * x)));
    expectClose(
      gradThrough(new nn.Sigmoid({ backward: rules.floorAdded({ c: 0.05 }) })),
      xs.map((x) => sigma(x) * (1 - sigma(x)) + 0.05),
    );
  });

  it('parameters pass through: LeakyReLU({ slope })', () => {
    const layer = new nn.LeakyReLU({ slope: 0.2 });
    expect(layer.params).toEqual({ slope: 0.2 });
    expectClose(gradThrough(layer), [0.2, 0.2, 1, 1]);
    expectClose(layer.forward(tensor(xs, { dtype: 'float64' })).toArray() as number[], [-0.4, -0.1, 0.5, 3]);
  });

  it('the layer rule beats scoped and global choices', () => {
    const layer = new nn.ReLU({ backward: 'sigmoid' });
    setBackward('relu', 'identity');
    expectClose(gradThrough(layer), xs.map(sigma));
    withBackward({ relu: 'leaky' }, () => expectClose(gradThrough(layer), xs.map(sigma)));
  });

  it('a layer without a rule follows the scope, then the global choice, then exact', () => {
    const layer = new nn.ReLU();
    expectClose(gradThrough(layer), [0, 0, 1, 1]);
    setBackward('relu', 'identity');
    expectClose(gradThrough(layer), [1, 1, 1, 1]);
    withBackward({ relu: 'sigmoid' }, () => expectClose(gradThrough(layer), xs.map(sigma)));
  });

  it('a rule passed to an activation call beats a scope, which is how a layer passes its rule', () => {
    // a model that calls relu itself with its own rule: the call's rule wins over any scope
    const x = tensor(xs, { dtype: 'float64', requiresGrad: true });
    withBackward({ relu: 'sigmoid' }, () => relu(x, { backward: 'identity' }).sum().backward());
    expectClose(Array.from((x.grad as Tensor).toTypedArray()), [1, 1, 1, 1]);
  });

  it('the rule can be changed on a live layer, and is checked when set', () => {
    const layer = new nn.ReLU();
    layer.backward = 'sigmoid';
    expectClose(gradThrough(layer), xs.map(sigma));
    layer.backward = undefined;
    expectClose(gradThrough(layer), [0, 0, 1, 1]);
    expect(() => {
      layer.backward = 'sigmoud';
    }).toThrow(RuleError);
    expect(layer.backward).toBeUndefined();
  });

  it('mistakes fail when the layer is made, naming what exists', () => {
    expect(() => new nn.ReLU({ backward: 'sigmoud' })).toThrowWith(RuleError, /sigmoud.*sigmoid/s);
    expect(() => new nn.LeakyReLU({ slope: Number.NaN })).toThrowWith(ArgumentError, /slope/);
    expect(() => nn.activation('relux' as 'relu')).toThrowWith(ArgumentError, /relux/);
  });

  it('nn.activation(name) makes the named class for a built-in', () => {
    const layer = nn.activation('tanh', { backward: rules.floorAdded({ c: 0.1 }) });
    expect(layer).toBeInstanceOf(nn.Tanh);
    expectClose(gradThrough(layer), xs.map((x) => 1 - Math.tanh(x) ** 2 + 0.1));
    expect(new nn.Activation('tanh')).toBeInstanceOf(nn.Activation);
  });

  it('nn.mlp puts the chosen activation and rule on every hidden layer and none after the last', () => {
    const model = nn.mlp([4, 8, 8, 2], { activation: 'leakyRelu', activationOptions: { slope: 0.1 }, backward: 'identity' });
    const acts = model.children().filter((m): m is nn.Activation => m instanceof nn.Activation);
    expect(acts.length).toBe(2);
    for (const a of acts) {
      expect(a).toBeInstanceOf(nn.LeakyReLU);
      expect(a.backward).toBe('identity');
      expect(a.params).toEqual({ slope: 0.1 });
    }
    expect(model.at(-1)).toBeInstanceOf(nn.Linear);
    const withDropout = nn.mlp([4, 8, 2], { dropout: 0.2 });
    expect(withDropout.children().map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU', 'Dropout', 'Linear']);
  });

  it('toString shows parameters and the rule, including factory parameters', () => {
    expect(new nn.LeakyReLU({ slope: 0.2, backward: rules.sigmoidShaped({ k: 2 }) }).toString()).toBe(
      'LeakyReLU(slope=0.2, backward=sigmoidShaped(k=2))\n(0 parameters)',
    );
    setBackward('relu', 'leaky');
    expect(new nn.ReLU().toString()).toBe('ReLU(backward=inherit (now leaky))\n(0 parameters)');
  });
});
