// Every parameter of every rule factory is checked when the rule is made: each kind of parameter
// (> 0, ≥ 0, finite, ≥ 1) refuses each value outside its range with a RuleError naming the rule
// and the parameter, and accepts the values at the edge of its range.
import { describe, expect, it } from 'vitest';
import { relu, rules } from '../../src/activations';
import { tensor } from '../../src/creation';
import { RuleError } from '../../src/errors';

type Kind = 'positive' | 'nonNegative' | 'finite' | 'atLeastOne';
type Factory = (options: Record<string, number>) => { params: Readonly<Record<string, number>> };

const PARAMS: [string, Factory, string, Kind][] = [
  ['sigmoidShaped', rules.sigmoidShaped as Factory, 'k', 'positive'],
  ['bSilu', rules.bSilu as Factory, 'alpha', 'finite'],
  ['leakyBackward', rules.leakyBackward as Factory, 'c', 'nonNegative'],
  ['floorAdded', rules.floorAdded as Factory, 'c', 'nonNegative'],
  ['floored', rules.floored as Factory, 'c', 'nonNegative'],
  ['widened', rules.widened as Factory, 'w', 'atLeastOne'],
  ['fastSigmoid', rules.fastSigmoid as Factory, 'slope', 'positive'],
  ['atan', rules.atan as Factory, 'alpha', 'positive'],
  ['sigmoidSurrogate', rules.sigmoidSurrogate as Factory, 'slope', 'positive'],
  ['triangle', rules.triangle as Factory, 'alpha', 'positive'],
  ['gaussian', rules.gaussian as Factory, 'sigma', 'positive'],
  ['boxcar', rules.boxcar as Factory, 'width', 'positive'],
  ['superSpike', rules.superSpike as Factory, 'alpha', 'positive'],
  ['clippedStraightThrough', rules.clippedStraightThrough as Factory, 'min', 'finite'],
  ['clippedStraightThrough', rules.clippedStraightThrough as Factory, 'max', 'finite'],
];

const NOT_FINITE = [Number.NaN, Infinity, -Infinity, '2' as unknown as number];
const BAD: Record<Kind, number[]> = {
  positive: [0, -0.5, -1e-300, ...NOT_FINITE],
  nonNegative: [-0.1, -1e-300, ...NOT_FINITE],
  finite: NOT_FINITE,
  atLeastOne: [0.999, 0, -2, ...NOT_FINITE],
};
const GOOD: Record<Kind, number[]> = {
  positive: [1e-300, 0.5, 30],
  nonNegative: [0, 1e-300, 0.5],
  finite: [-0.5, 0, 0.5],
  atLeastOne: [1, 1.5, 10],
};

describe.each(PARAMS)('rules.%s checks %s', (rule, make, param, kind) => {
  // clippedStraightThrough needs min < max: give the other bound a value that leaves room
  const other: Record<string, number> = rule === 'clippedStraightThrough' ? (param === 'min' ? { max: 5 } : { min: -5 }) : {};

  it.each(BAD[kind])(`${param} = %s is a RuleError naming the rule and the parameter`, (value) => {
    expect(() => make({ ...other, [param]: value })).toThrowWith(RuleError, new RegExp(`rules\\.${rule}: ${param} must be`));
  });

  it.each(GOOD[kind])(`${param} = %s is accepted and reported in params`, (value) => {
    expect(make({ ...other, [param]: value }).params[param]).toBe(value);
  });
});

describe('rules.blend checks λ', () => {
  it('a fixed λ is reported in params; a λ function is not', () => {
    expect(rules.blend('exact', 'sigmoid', 0.25).params).toEqual({ lambda: 0.25 });
    expect(rules.blend('exact', 'sigmoid', () => 0.25).params).toEqual({});
  });

  it('λ that is neither a number nor a function is a RuleError when the blend is made', () => {
    for (const bad of ['0.5', null, undefined, {}]) {
      expect(() => rules.blend('exact', 'sigmoid', bad as unknown as number)).toThrowWith(RuleError, /lambda must be/);
    }
  });

  it('λ at the edges 0 and 1 is accepted', () => {
    expect(rules.blend('exact', 'sigmoid', 0).params).toEqual({ lambda: 0 });
    expect(rules.blend('exact', 'sigmoid', 1).params).toEqual({ lambda: 1 });
  });

  it('a λ function returning a non-number is a RuleError when the op is recorded', () => {
    const x = tensor([1, -1], { requiresGrad: true });
    const rule = rules.blend('exact', 'sigmoid', () => '0.5' as unknown as number);
    expect(() => relu(x, { backward: rule })).toThrowWith(RuleError, /lambda must be in \[0, 1\]/);
  });
});
