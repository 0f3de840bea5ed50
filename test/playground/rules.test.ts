// The playground edits a named rule's parameters by making it again with its factory. Each
// entry of that table must make the named rule itself at the default parameters: same local
// derivative at every probe point, so a wrong factory is caught.
import { describe, expect, it } from 'vitest';
import { type ActivationName, type RuleChoice, listActivations, listRules, tensor, withBackward } from '../../src/index';
import * as ops from '../../src/activations';
import { factoryFor, formatRule, parseRule, ruleChoice } from '../../playground/src/rules';

const PROBES = [-3, -1.2, -0.4, -0.05, 0.05, 0.3, 0.9, 2.5];

/** d/dx Σ act(x) at the probes under `rule`: the rule's derivative, elementwise. */
function derivative(activation: ActivationName, rule: RuleChoice): number[] {
  const x = tensor(PROBES, { dtype: 'float64', requiresGrad: true });
  const fn = (ops as unknown as Record<string, (t: typeof x) => typeof x>)[activation];
  withBackward({ [activation]: rule } as Parameters<typeof withBackward>[0], () => fn(x).sum()).backward();
  return Array.from(x.grad?.toTypedArray() ?? []);
}

describe('playground rule factories', () => {
  const cases = listActivations().flatMap((activation) =>
    listRules(activation as ActivationName)
      .filter((r) => Object.keys(r.params).length > 0)
      .map((r) => [activation, r.name, r.params] as const),
  );

  it('covers every rule with parameters of every activation', () => {
    expect(cases.length).toBeGreaterThan(20);
    for (const [activation, name] of cases) expect(factoryFor(activation, name), `${activation}.${name}`).toBeDefined();
  });

  it.each(cases)('%s: factory for %s at its defaults equals the named rule', (activation, name, params) => {
    const make = factoryFor(activation, name);
    expect(make).toBeDefined();
    const byName = derivative(activation as ActivationName, name);
    const byFactory = derivative(activation as ActivationName, make!({ ...params }));
    expect(byFactory).toEqual(byName);
  });

  it('an edited parameter changes the derivative as the formula says: relu sigmoid(k=3) passes σ(3x)', () => {
    const g = derivative('relu', ruleChoice('relu', { name: 'sigmoid', params: { k: 3 } }));
    PROBES.forEach((x, i) => expect(g[i]).toBeCloseTo(1 / (1 + Math.exp(-3 * x)), 12));
    expect(ruleChoice('relu', { name: 'sigmoid', params: { k: 1 } })).toBe('sigmoid');
  });

  it('formats and parses rule text', () => {
    expect(formatRule({ name: 'leaky', params: { c: 0.2 } })).toBe('leaky(c=0.2)');
    expect(parseRule('leaky(c=0.2)')).toEqual({ name: 'leaky', params: { c: 0.2 } });
    expect(parseRule('exact')).toEqual({ name: 'exact', params: {} });
    expect(parseRule('atan(alpha=1e-3)')).toEqual({ name: 'atan', params: { alpha: 0.001 } });
    for (const bad of ['', '1x', 'a(b)', 'a(b=)', 'a(b=1', 'a(b=c)']) expect(parseRule(bad), bad).toBeNull();
  });
});
