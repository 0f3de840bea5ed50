// Which rule an activation uses: per call > per module (an nn layer passes its rule per call) >
// withBackward scope > setBackward global > 'exact'. Resolved when the op is recorded.
import { afterEach, describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { RuleError } from '../../src/errors';
import { noGrad, lastBackwardRules, listTape } from '../../src/autograd/tape';
import type { Tensor } from '../../src/tensor';
import {
  activation,
  currentRule,
  defineActivation,
  getBackward,
  listRules,
  registerRule,
  resetBackward,
  rules,
  setBackward,
  withBackward,
  withExactRules,
  type ActivationCallOptions,
  type NoParams,
  type RuleChoice,
} from '../../src/activations';
import { expectClose, sigma } from './helpers';
import { ArgumentError } from '../../src/errors';
import { gradTensor } from '../grad';

// A user activation given a typed name by augmenting the parameter map.
declare module '../../src/activations/names' {
  interface ActivationParamMap {
    testSoftClip: NoParams;
  }
}

const XS = [-2, -0.5, 0.5, 2];
const exactRelu = XS.map((x) => (x > 0 ? 1 : 0));
const leaky = XS.map((x) => (x > 0 ? 1 : 0.01));
const sig = XS.map(sigma);
const ident = XS.map(() => 1);

/** The gradient of sum(relu(x)) when relu is called as `call(x)`. */
function reluGrad(call: (x: Tensor) => Tensor = (x) => x.relu()): number[] {
  const x = tensor(XS, { dtype: 'float64', requiresGrad: true });
  call(x).sum().backward();
  return gradTensor(x).toArray() as number[];
}

/** What an nn activation layer does: keep a rule, pass it per call. */
class ActivationLayer {
  constructor(
    private readonly name: 'relu',
    private readonly options: ActivationCallOptions<'relu'>,
  ) {}
  forward(x: Tensor): Tensor {
    return activation(this.name, x, this.options);
  }
}

afterEach(() => resetBackward());

describe('resolution order', () => {
  it("default is 'exact'", () => {
    expectClose(reluGrad(), exactRelu);
    expect(getBackward('relu')).toBe('exact');
    expect(currentRule('relu')).toMatchObject({ name: 'exact', exact: true, source: 'default' });
  });

  it('global beats the default', () => {
    setBackward('relu', 'sigmoid');
    expectClose(reluGrad(), sig);
    expect(currentRule('relu')).toMatchObject({ name: 'sigmoid', exact: false, source: 'global', params: { k: 1 } });
  });

  it('scope beats global', () => {
    setBackward('relu', 'sigmoid');
    expectClose(withBackward({ relu: 'leaky' }, () => reluGrad()), leaky);
    expect(withBackward({ relu: 'leaky' }, () => currentRule('relu').source)).toBe('scope');
  });

  it('per module beats scope', () => {
    const layer = new ActivationLayer('relu', { backward: 'identity' });
    setBackward('relu', 'sigmoid');
    expectClose(withBackward({ relu: 'leaky' }, () => reluGrad((x) => layer.forward(x))), ident);
  });

  it('per call beats scope and global', () => {
    setBackward('relu', 'sigmoid');
    expectClose(withBackward({ relu: 'leaky' }, () => reluGrad((x) => x.relu({ backward: 'identity' }))), ident);
    expectClose(reluGrad((x) => x.relu({ backward: 'exact' })), exactRelu);
  });

  it('withExactRules beats everything, per-call choices included', () => {
    setBackward('relu', 'sigmoid');
    expectClose(withExactRules(() => reluGrad((x) => x.relu({ backward: 'identity' }))), exactRelu);
  });
});

describe('withBackward', () => {
  it('returns what fn returns and restores on exit', () => {
    expect(withBackward({ relu: 'sigmoid' }, () => 42)).toBe(42);
    expect(getBackward('relu')).toBe('exact');
  });

  it('nests: the inner scope wins, the outer one comes back, different activations merge', () => {
    withBackward({ relu: 'sigmoid', tanh: 'floorAdded' }, () => {
      expectClose(reluGrad(), sig);
      withBackward({ relu: 'leaky' }, () => {
        expectClose(reluGrad(), leaky);
        expect(getBackward('tanh')).toBe('floorAdded');
      });
      expectClose(reluGrad(), sig);
    });
    expectClose(reluGrad(), exactRelu);
  });

  it('restores the previous rules when fn throws', () => {
    setBackward('relu', 'leaky');
    expect(() =>
      withBackward({ relu: 'sigmoid' }, () => {
        withBackward({ relu: 'identity' }, () => {
          throw new Error('boom');
        });
      }),
    ).toThrow('boom');
    expectClose(reluGrad(), leaky);
    expect(currentRule('relu').source).toBe('global');
  });

  it('accepts rule objects and inline rules', () => {
    expectClose(withBackward({ relu: rules.sigmoidShaped({ k: 2 }) }, () => reluGrad()), XS.map((x) => sigma(2 * x)));
    expectClose(withBackward({ relu: { derivative: (x: number) => x * x } }, () => reluGrad()), XS.map((x) => x * x));
  });

  it('checks every name before running fn', () => {
    let ran = false;
    const run = () => withBackward({ relu: 'sigmoyd' }, () => (ran = true));
    expect(run).toThrow(RuleError);
    expect(ran).toBe(false);
    expect(() => withBackward({ reluu: 'sigmoid' } as never, () => 0)).toThrowWith(RuleError, /no activation named 'reluu'; the activations are: relu, leakyRelu/);
  });
});

describe('setBackward', () => {
  it('returns the previous global choice; undefined removes it', () => {
    expect(setBackward('relu', 'sigmoid')).toBeUndefined();
    const mine = rules.leakyBackward({ c: 0.2 });
    expect(setBackward('relu', mine)).toBe('sigmoid');
    expect(setBackward('relu', undefined)).toBe(mine);
    expectClose(reluGrad(), exactRelu);
  });

  it('restoring the returned value restores the rule', () => {
    setBackward('relu', 'leaky');
    const previous = setBackward('relu', 'sigmoid');
    setBackward('relu', previous);
    expectClose(reluGrad(), leaky);
  });

  it('resetBackward clears one activation or all', () => {
    setBackward('relu', 'leaky');
    setBackward('sigmoid', 'floorAdded');
    resetBackward('relu');
    expect(getBackward('relu')).toBe('exact');
    expect(getBackward('sigmoid')).toBe('floorAdded');
    resetBackward();
    expect(getBackward('sigmoid')).toBe('exact');
  });

  it('an unknown rule name is a RuleError listing the valid ones, and changes nothing', () => {
    expect(() => setBackward('relu', 'sigmoyd')).toThrow(RuleError);
    expect(() => setBackward('relu', 'sigmoyd')).toThrowWith(RuleError, 
      "setBackward('relu'): relu has no backward rule 'sigmoyd'; its rules are: exact, sigmoid, bSilu, leaky, identity, guided.",
    );
    expect(getBackward('relu')).toBe('exact');
  });

  it('a malformed rule object is a RuleError', () => {
    expect(() => setBackward('relu', { derivative: 3 } as unknown as RuleChoice)).toThrowWith(RuleError, /expected a rule name, a rule from the `rules` factories, or an inline rule/);
  });
});

describe('rules are fixed when the op is recorded', () => {
  it('a rule chosen mid-graph never changes records already taken', () => {
    const x = tensor(XS, { dtype: 'float64', requiresGrad: true });
    const y1 = x.relu(); // recorded under exact
    setBackward('relu', 'sigmoid');
    const y2 = x.relu(); // recorded under sigmoid
    y1.add(y2).sum().backward();
    expectClose(gradTensor(x).toArray() as number[], XS.map((v, i) => exactRelu[i] + sigma(v)));
    expect(lastBackwardRules().relu.sort()).toEqual(['exact', 'sigmoid']);
  });

  it('leaving a scope before backward does not change the recorded rule', () => {
    const x = tensor(XS, { dtype: 'float64', requiresGrad: true });
    const y = withBackward({ relu: 'leaky' }, () => x.relu());
    setBackward('relu', 'identity');
    y.sum().backward();
    expectClose(gradTensor(x).toArray() as number[], leaky);
    expect(lastBackwardRules().relu).toEqual(['leaky']);
  });

  it('the tape names the rule, with the parameters of a factory-made one', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.relu({ backward: rules.sigmoidShaped({ k: 2 }) }).sigmoid({ backward: 'floorAdded' }).tanh();
    const entries = listTape(y);
    expect(entries.map((e) => e.op)).toEqual(['relu', 'sigmoid', 'tanh']);
    expect(entries.map((e) => e.rule)).toContain('sigmoidShaped(k=2)');
    y.sum().backward();
    expect(lastBackwardRules()).toMatchObject({ relu: ['sigmoidShaped(k=2)'], sigmoid: ['floorAdded'], tanh: ['exact'] });
  });

  it('blend records the λ it read', () => {
    const x = tensor([1], { requiresGrad: true });
    x.relu({ backward: rules.blend('exact', 'sigmoid', () => 0.25) }).sum().backward();
    expect(lastBackwardRules().relu).toEqual(['blend(exact, sigmoid, lambda=0.25)']);
  });

  it('under noGrad nothing is recorded, but a misspelt rule still fails', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.relu({ backward: 'sigmoid' }));
    expect(y.requiresGrad).toBe(false);
    expect(() => noGrad(() => x.relu({ backward: 'sigmoyd' }))).toThrow(RuleError);
    expect(() => noGrad(() => x.gelu({ backward: rules.peakNormalised() }))).toThrowWith(RuleError, /'gelu' declares no peak/);
  });
});

describe('user rules and activations', () => {
  it('registerRule adds a named rule usable anywhere a rule is chosen', () => {
    registerRule('relu', 'testHalf', () => 0.5, { description: 'one half everywhere' });
    expectClose(reluGrad((x) => x.relu({ backward: 'testHalf' })), XS.map(() => 0.5));
    expectClose(withBackward({ relu: 'testHalf' }, () => reluGrad()), XS.map(() => 0.5));
    expect(listRules('relu').find((r) => r.name === 'testHalf')).toEqual({
      name: 'testHalf',
      exact: false,
      params: {},
      description: 'one half everywhere',
    });
    registerRule('relu', 'testSteep', rules.sigmoidShaped({ k: 10 }));
    expectClose(reluGrad((x) => x.relu({ backward: 'testSteep' })), XS.map((x) => sigma(10 * x)));
  });

  it('registerRule refuses to overwrite silently, and never replaces exact', () => {
    registerRule('tanh', 'testOnce', () => 1);
    expect(() => registerRule('tanh', 'testOnce', () => 2)).toThrowWith(RuleError, /already has a rule named 'testOnce'; pass \{ replace: true \}/);
    registerRule('tanh', 'testOnce', () => 2, { replace: true });
    expect(() => registerRule('tanh', 'exact', () => 2, { replace: true })).toThrowWith(RuleError, /cannot be replaced/);
  });

  it('defineActivation registers forward, exact derivative and rules; every mechanism knows it', () => {
    const softClip = defineActivation({
      name: 'testSoftClip',
      forward: (x) => x / Math.sqrt(1 + x * x),
      derivative: (x) => (1 + x * x) ** -1.5,
      rules: { flat: () => 1, wide: rules.floorAdded({ c: 0.5 }) },
      derivativePeak: 1,
    });
    expect(softClip.activationName).toBe('testSoftClip');
    const grad = (call: (x: Tensor) => Tensor): number[] => {
      const x = tensor(XS, { dtype: 'float64', requiresGrad: true });
      call(x).sum().backward();
      return gradTensor(x).toArray() as number[];
    };
    const exact = XS.map((x) => (1 + x * x) ** -1.5);
    expectClose(grad((x) => softClip(x)), exact);
    expectClose(grad((x) => softClip(x, { backward: 'flat' })), XS.map(() => 1));
    expectClose(grad((x) => activation('testSoftClip', x, { backward: 'wide' })), exact.map((v) => v + 0.5));
    expectClose(withBackward({ testSoftClip: 'flat' }, () => grad((x) => softClip(x))), XS.map(() => 1));
    expectClose(grad((x) => softClip(x, { backward: rules.peakNormalised() })), exact);
    expect(listRules('testSoftClip').map((r) => r.name)).toEqual(['exact', 'flat', 'wide']);
    expect(() => defineActivation({ name: 'relu', forward: (x) => x, derivative: () => 1 })).toThrowWith(ArgumentError, /already exists/);
  });
});
